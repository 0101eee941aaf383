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
  | { readonly op: 'status' }
  | { readonly op: 'lock' };

export interface AgentStatus {
  readonly pid: number;
  /** ISO 8601 */
  readonly since: string;
  readonly ttlSeconds: number;
  readonly entries: readonly EntrySummary[];
  /** The file vaults whose key it holds. */
  readonly keys: readonly string[];
}

export type Reply =
  | { readonly ok: true; readonly pid?: number; readonly value?: string; readonly key?: string; readonly backend?: string; readonly fallbackReason?: string; readonly status?: AgentStatus }
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
  if (!optionalString(v.value) || !optionalString(v.backend) || !optionalString(v.fallbackReason)) return undefined;
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
  return Array.isArray(s.entries) && s.entries.every((e) => typeof e === 'object' && e !== null && isEntryName(e as Record<string, unknown>) && optionalString((e as Record<string, unknown>).profile) && optionalTime((e as Record<string, unknown>).expiresAt));
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
