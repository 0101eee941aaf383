/**
 * What the agent and its clients say to each other over the socket: one
 * request per connection, one line of JSON each way. Everything read from
 * the socket is checked here, field by field, before anyone uses it: a
 * client must survive an agent that answers garbage, and the agent must
 * survive any client (it is the same user, but maybe a buggy one).
 *
 * A `store` names where a value came from: "keychain", or "file:" and the
 * file vault's directory (a user may have several, one per XDG_DATA_HOME).
 */
import type { ReadyDependency } from './ready-answer.js';

/** A line longer than this is not ours (a session is about 2 KB). */
export const MAX_LINE_BYTES = 1024 * 1024;

export interface EntryName {
  readonly store: string;
  readonly service: string;
  readonly account: string;
}

/** What `--status` shows of an entry: never its value. */
export interface EntrySummary extends EntryName {
  /** The profile it belongs to, when known (a session's, a key's account). */
  readonly profile?: string;
  /** ISO 8601; the agent drops the entry then. */
  readonly expiresAt?: string;
}

export type Request =
  | { readonly op: 'ping' }
  | ({ readonly op: 'get'; readonly signature?: string } & EntryName)
  | ({ readonly op: 'put'; readonly value: string; readonly signature?: string } & EntrySummary)
  | ({ readonly op: 'drop' } & EntryName)
  | { readonly op: 'key-get'; readonly dir: string }
  | { readonly op: 'key-put'; readonly dir: string; readonly key: string }
  | { readonly op: 'choice-get'; readonly scope: string }
  | { readonly op: 'choice-put'; readonly scope: string; readonly backend: string; readonly fallbackReason?: string }
  /** `pid`: the asking process, which is taken to resolve the answer on a miss, for as long as it runs. */
  | ({ readonly op: 'ready-get'; readonly pid?: number } & ReadyAsk)
  /** After a ready-get told another command is resolving it: the answer once it is kept, or a miss. */
  | ({ readonly op: 'ready-wait' } & ReadyAsk)
  | ({ readonly op: 'ready-put' } & ReadyAnswerRecord)
  /** The command that missed keeps no answer: whoever waits for it goes the whole way. */
  | ({ readonly op: 'ready-none' } & ReadyRequest)
  | { readonly op: 'status' }
  | { readonly op: 'lock' };

/** What a ready answer is asked for by: the command's words and its keyed environment (ready-answer.ts). */
export interface ReadyRequest {
  readonly words: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/** A ready answer asked for: with the config files' stamps as the asker took them (the agent stats no path a client names). */
export interface ReadyAsk extends ReadyRequest {
  readonly stamps: readonly string[];
}

/** A ready answer as a command hands it to the agent (ready-answer.ts); its stamps taken before the files were read. */
export interface ReadyAnswerRecord extends ReadyAsk {
  readonly answer: string;
  /** ISO 8601: not served from then on. */
  readonly until: string;
  readonly dependsOn: readonly ReadyDependency[];
}

/** What `--status` shows of a ready answer: never the answer. */
export interface ReadySummary {
  readonly words: readonly string[];
  readonly until: string;
  readonly served: number;
}

export interface AgentStatus {
  readonly pid: number;
  /** ISO 8601 */
  readonly since: string;
  readonly ttlSeconds: number;
  readonly entries: readonly EntrySummary[];
  /** The file vaults whose key it holds. */
  readonly keys: readonly string[];
  readonly ready?: readonly ReadySummary[];
}

export type Reply =
  | { readonly ok: true; readonly pid?: number; readonly value?: string; readonly answer?: string; readonly resolvingUntil?: string; readonly key?: string; readonly backend?: string; readonly fallbackReason?: string; readonly status?: AgentStatus }
  | { readonly ok: false; readonly error: string };

export function encodeLine(message: Request | Reply): string {
  return `${JSON.stringify(message)}\n`;
}

/** The request on a line, or why it is not one. */
export function parseRequest(line: string): Request | { readonly invalid: string } {
  const v = parseObject(line);
  if (!v) return { invalid: 'not a JSON object' };
  switch (v.op) {
    case 'ping':
    case 'status':
    case 'lock':
      return { op: v.op };
    case 'get':
      if (!isEntryName(v) || !optionalString(v.signature)) break;
      return { op: 'get', store: v.store, service: v.service, account: v.account, ...(v.signature !== undefined ? { signature: v.signature as string } : {}) };
    case 'put':
      if (!isEntryName(v) || typeof v.value !== 'string' || !optionalString(v.signature) || !optionalString(v.profile) || !optionalTime(v.expiresAt)) break;
      return {
        op: 'put',
        store: v.store,
        service: v.service,
        account: v.account,
        value: v.value,
        ...(v.signature !== undefined ? { signature: v.signature as string } : {}),
        ...(v.profile !== undefined ? { profile: v.profile as string } : {}),
        ...(v.expiresAt !== undefined ? { expiresAt: v.expiresAt as string } : {}),
      };
    case 'drop':
      if (!isEntryName(v)) break;
      return { op: 'drop', store: v.store, service: v.service, account: v.account };
    case 'key-get':
      if (!nonEmpty(v.dir)) break;
      return { op: 'key-get', dir: v.dir };
    case 'key-put':
      if (!nonEmpty(v.dir) || !isKey(v.key)) break;
      return { op: 'key-put', dir: v.dir, key: v.key };
    case 'choice-get':
      if (!nonEmpty(v.scope)) break;
      return { op: 'choice-get', scope: v.scope };
    case 'choice-put':
      if (!nonEmpty(v.scope) || (v.backend !== 'keychain' && v.backend !== 'file') || !optionalString(v.fallbackReason)) break;
      return { op: 'choice-put', scope: v.scope, backend: v.backend, ...(v.fallbackReason !== undefined ? { fallbackReason: v.fallbackReason as string } : {}) };
    case 'ready-get':
      if (!isWords(v.words) || !isStringMap(v.env) || !isStringList(v.stamps) || (v.pid !== undefined && !(Number.isInteger(v.pid) && (v.pid as number) > 0))) break;
      return { op: 'ready-get', words: v.words, env: v.env, stamps: v.stamps, ...(v.pid !== undefined ? { pid: v.pid as number } : {}) };
    case 'ready-wait':
      if (!isWords(v.words) || !isStringMap(v.env) || !isStringList(v.stamps)) break;
      return { op: 'ready-wait', words: v.words, env: v.env, stamps: v.stamps };
    case 'ready-none':
      if (!isWords(v.words) || !isStringMap(v.env)) break;
      return { op: v.op, words: v.words, env: v.env };
    case 'ready-put':
      if (!isWords(v.words) || !isStringMap(v.env) || !isStringList(v.stamps) || typeof v.answer !== 'string' || !optionalTime(v.until) || v.until === undefined) break;
      if (!Array.isArray(v.dependsOn) || !v.dependsOn.every(isDependency)) break;
      return { op: 'ready-put', words: v.words, env: v.env, stamps: v.stamps, answer: v.answer, until: v.until as string, dependsOn: v.dependsOn.map(dependencyOf) };
    default:
      return { invalid: `unknown op ${JSON.stringify(String(v.op)).slice(0, 40)}` };
  }
  return { invalid: `malformed ${String(v.op)} request` };
}

/** The reply on a line, or undefined for anything that is not one (garbage is a broken agent). */
export function parseReply(line: string): Reply | undefined {
  const v = parseObject(line);
  if (!v) return undefined;
  if (v.ok === false) return typeof v.error === 'string' ? { ok: false, error: v.error } : undefined;
  if (v.ok !== true) return undefined;
  if (!optionalString(v.value) || !optionalString(v.answer) || !optionalTime(v.resolvingUntil) || !optionalString(v.backend) || !optionalString(v.fallbackReason)) return undefined;
  if (v.key !== undefined && !isKey(v.key)) return undefined;
  if (v.pid !== undefined && !isPid(v.pid)) return undefined;
  if (v.status !== undefined && !isStatus(v.status)) return undefined;
  return v as Reply;
}

function parseObject(line: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function isEntryName(v: Record<string, unknown>): v is Record<string, unknown> & { store: string; service: string; account: string } {
  return nonEmpty(v.store) && nonEmpty(v.service) && nonEmpty(v.account);
}

function isStatus(value: unknown): value is AgentStatus {
  const s = value as Record<string, unknown> | null;
  if (typeof s !== 'object' || s === null) return false;
  if (!isPid(s.pid) || typeof s.since !== 'string' || !Number.isInteger(s.ttlSeconds)) return false;
  if (!Array.isArray(s.keys) || !s.keys.every(nonEmpty)) return false;
  if (s.ready !== undefined && !(Array.isArray(s.ready) && s.ready.every(isReadySummary))) return false;
  return Array.isArray(s.entries) && s.entries.every((e) => typeof e === 'object' && e !== null && isEntryName(e as Record<string, unknown>) && optionalString((e as Record<string, unknown>).profile) && optionalTime((e as Record<string, unknown>).expiresAt));
}

function isReadySummary(value: unknown): boolean {
  const r = value as Record<string, unknown> | null;
  return typeof r === 'object' && r !== null && isWords(r.words) && optionalTime(r.until) && r.until !== undefined && Number.isInteger(r.served);
}

function isDependency(value: unknown): value is ReadyDependency {
  const d = value as Record<string, unknown> | null;
  if (typeof d !== 'object' || d === null || !nonEmpty(d.service) || !nonEmpty(d.account) || typeof d.signature !== 'string') return false;
  const by = d.signedBy as Record<string, unknown> | null;
  return typeof by === 'object' && by !== null && (nonEmpty(by.fileVault) || nonEmpty(by.markers));
}

/** Field by field: nothing else a client sent is kept. */
function dependencyOf(d: ReadyDependency): ReadyDependency {
  const signedBy = 'fileVault' in d.signedBy && nonEmpty(d.signedBy.fileVault) ? { fileVault: d.signedBy.fileVault } : { markers: (d.signedBy as { markers: string }).markers };
  return { service: d.service, account: d.account, signature: d.signature, signedBy };
}

function isWords(value: unknown): value is string[] {
  return isStringList(value) && value.length > 0 && value.length <= 8;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isStringMap(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((item) => typeof item === 'string');
}

/** A 256-bit key in base64. */
function isKey(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9+/]{43}=$/.test(value);
}

function isPid(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) > 0;
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

function optionalTime(value: unknown): boolean {
  return value === undefined || (typeof value === 'string' && !Number.isNaN(Date.parse(value)));
}
