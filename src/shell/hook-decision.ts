/**
 * What `rolecall hook-env SHELL` decides when the hook saw a change: which
 * `.awsprofile` applies here, whether it is trusted, and so which profile
 * the shell should have. It returns that as data (direnv's split, in shape):
 * the change to the environment, the hook's state as this program saw it,
 * and the lines for the user; hook-render.ts writes it as code for a Shell. The state it hands back is what the hook compares at the next
 * prompt: the file, its content and the trust generation read *before* the
 * decision, so a change that races with it is seen at the next prompt.
 *
 * The hook enters this call in the state "it failed here" (see the hook's
 * _rolecall_update); the code it returns says "settled here" unless getting
 * the session failed, in which case it says how many failures in a row there
 * were and when a prompt should try again (see hook-retry.ts).
 */
import { CancelledError, errorLine } from '../base/errors.js';
import type { Env } from '../base/env.js';
import { displayPath } from '../config/config-paths.js';
import type { Credentials } from '../config/credentials.js';
import { sessionVariables } from '../exec/child-env.js';
import { minTtlSeconds } from '../cache/cache-settings.js';
import { hashedName } from '../fs/hashed-name.js';
import { redact } from '../log/redact.js';
import { terminalSafe } from '../log/terminal-text.js';
import { findAwsprofile, MAX_AWSPROFILE_BYTES, profileRequest, readAwsprofile, type ProfileRequest } from '../trust/awsprofile-file.js';
import { TrustStore, type TrustVerdict } from '../trust/trust-store.js';
import { logicalCwd } from '../fs/logical-cwd.js';
import { hookRetryDelay, shownDelay } from './hook-retry.js';

/** When a refresh gave no longer session, look again after this long, not at every prompt. */
const RETRY_REFRESH_SECONDS = 60;

/** The hook passes its state in these variables, for this one call only. */
export const HOOK_STATE_VARIABLES = ['_ROLECALL_PWD', '_ROLECALL_OLDPWD', '_ROLECALL_ACTIVE', '_ROLECALL_REFRESH_AT', '_ROLECALL_NOTICED', '_ROLECALL_FAILURES'] as const;

export interface SessionResult {
  readonly region: string | undefined;
  readonly credentials: Credentials;
}

export interface HookDecisionOptions {
  /** The environment as the user had it before any profile (the hook restored it). */
  readonly env: Env;
  /** Epoch seconds. */
  readonly now: number;
  /** Epoch seconds when a failure is known (a retry waits from then, not from the start); defaults to `now`. */
  readonly clock?: () => number;
  /** The process's directory (tests give their own); the shell's $PWD names it. */
  readonly cwd?: string;
  readonly session: (profile: string, userEnv: Env) => Promise<SessionResult>;
}

/** What happens to the shell's environment. */
export type EnvironmentChange =
  /** The same profile, its session still good: nothing changes. */
  | { readonly kind: 'keep' }
  /** No profile here and none active: only a stale retry time goes. */
  | { readonly kind: 'clear' }
  /** Back to the user's own variables. */
  | { readonly kind: 'leave' }
  /** The session's variables in, and the user's own kept for the way back. */
  | { readonly kind: 'enter'; readonly profile: string; readonly variables: Readonly<Record<string, string>>; readonly refreshAt: string };

/** The state the hook compares at its next prompt. */
export interface HookState {
  /** The `.awsprofile` followed ('' for none) and its bytes. */
  readonly file: string;
  readonly bytes: Buffer;
  readonly generation: string;
  /** The notice already given for this file, so it is not given at every prompt. */
  readonly noticed: string;
  /** Set when getting the session failed: how many times in a row, and when a prompt should try again ('' for a cd only). */
  readonly failure?: { readonly failures: number; readonly retryAt: string };
}

export interface HookDecision {
  readonly change: EnvironmentChange;
  /** The environment as the user had it before any profile: what 'leave' puts back and 'enter' saves. */
  readonly userEnv: Env;
  readonly state: HookState;
  readonly messages: readonly string[];
}

type Want = { readonly kind: 'none'; readonly notice?: string } | { readonly kind: 'profile'; readonly name: string };

export async function decideHook(options: HookDecisionOptions): Promise<HookDecision> {
  const userEnv: Record<string, string | undefined> = { ...options.env };
  const active = userEnv._ROLECALL_ACTIVE || undefined;
  const refreshAt = Number(userEnv._ROLECALL_REFRESH_AT) || undefined;
  const noticed = userEnv._ROLECALL_NOTICED ?? '';
  const failuresBefore = Number(userEnv._ROLECALL_FAILURES) || 0;
  // The shell's $PWD and $OLDPWD, even where the shell does not export them.
  const pwd = userEnv._ROLECALL_PWD || userEnv.PWD;
  const oldPwd = userEnv._ROLECALL_OLDPWD ?? '';
  for (const name of HOOK_STATE_VARIABLES) delete userEnv[name];

  const store = new TrustStore(userEnv);
  const cwd = logicalCwd({ ...userEnv, PWD: pwd }, options.cwd);
  const path = findAwsprofile(cwd);
  // Read before the file, so a change racing with this decision is seen at
  // the next prompt; kept with no file too, so an allow above is seen then.
  const generation = store.generation();
  const file = path ? readAwsprofile(path) : undefined;
  // Hashed only for a notice: a steady prompt loads no node:crypto.
  const noticeKey = () => (file ? hashedName([file.path, file.bytes ?? ''], 16) : '');

  const messages: string[] = [];
  const request: ProfileRequest = file?.tooLarge ? { kind: 'invalid', reason: `is larger than ${MAX_AWSPROFILE_BYTES} bytes, so it is not a profile name` } : profileRequest(file?.bytes);
  const want: Want = file ? wanted(displayPath(file.path, userEnv), request, store.verdict(file.path, file.bytes, file.stamp)) : { kind: 'none' };
  let change: EnvironmentChange = { kind: 'keep' };
  let failure: HookState['failure'];

  if (want.kind === 'none') {
    if (want.notice && noticeKey() !== noticed) messages.push(want.notice);
    // Said as direnv says "unloading": the credentials just went away, which a user should not have to guess.
    if (active) messages.push(`rolecall: left profile ${active} (the variables are back as they were)`);
    // Cleared even with no profile: a retry time left from a failure would run this at every prompt.
    change = { kind: active ? 'leave' : 'clear' };
  } else if (active === want.name && (refreshAt === undefined || options.now < refreshAt)) {
    // Same profile, session still good (trust store changed elsewhere, or another file naming it): keep.
  } else {
    try {
      const { region, credentials } = await options.session(want.name, userEnv);
      change = {
        kind: 'enter',
        profile: want.name,
        variables: { ...sessionVariables(want.name, credentials, region), ROLECALL_SHELL_HOOK: want.name, ...hookRegionMarker(userEnv, region) },
        refreshAt: nextRefresh(credentials.expiration, options.now, minTtlSeconds(userEnv)),
      };
      if (active !== want.name) messages.push(`rolecall: profile ${want.name} from ${terminalSafe(displayPath(file?.path ?? '', userEnv))}`);
    } catch (error) {
      const failures = failuresBefore + 1;
      // After a Ctrl-C only a cd asks again: a timed retry would put a code prompt in front of whatever the user types next.
      const cancelled = error instanceof CancelledError;
      const delay = cancelled ? 0 : hookRetryDelay(userEnv, failures);
      failure = { failures, retryAt: delay ? String((options.clock?.() ?? options.now) + delay) : '' };
      const reason = redact(errorLine(error));
      const hint = retryHint({ cancelled, delay, cdNow: oldPwd === pwd ? "'cd ..; cd -'" : "'cd .'" });
      if (active === want.name) {
        // A refresh: the shell's session is near its end, not past it (the
        // margin is ROLECALL_MIN_TTL), so it stays, and dropping it would hand
        // the shell's commands to the user's own credentials, another account
        // perhaps. Said at the first failure, not at each retry.
        if (failuresBefore === 0) messages.push(`rolecall: could not refresh the session of profile ${want.name}: ${reason}; the shell keeps the one it has (${hint})`);
      } else {
        messages.push(`rolecall: no session for profile ${want.name}: ${reason} (${hint})`);
        if (active) change = { kind: 'leave' };
      }
    }
  }

  // An oversized file is not followed at steady prompts (the hook would read it whole each time).
  const followed = file && !file.tooLarge ? file : undefined;
  const state: HookState = {
    file: followed?.path ?? '',
    bytes: followed?.bytes ?? Buffer.alloc(0),
    generation,
    noticed: want.kind === 'none' && want.notice ? noticeKey() : '',
    ...(failure ? { failure } : {}),
  };
  return { change, userEnv, state, messages };
}

/** The profile a file asks for, if its trust allows; else why not, for the one-line notice. */
export function wanted(shown: string, request: ProfileRequest, verdict: TrustVerdict): Want {
  const where = terminalSafe(shown);
  if (verdict === 'denied') return { kind: 'none' };
  if (request.kind === 'invalid') return { kind: 'none', notice: `rolecall: ${where}: ${request.reason}; ignored` };
  if (request.kind === 'unreadable') return { kind: 'none', notice: `rolecall: ${where} cannot be read; ignored` };
  if (request.kind === 'empty') return { kind: 'none', notice: `rolecall: ${where} names no profile; ignored` };
  if (verdict === 'untrusted') {
    return { kind: 'none', notice: `rolecall: ${where} asks for profile ${request.name}; run 'rolecall allow' to trust it` };
  }
  if (verdict === 'edited') {
    return { kind: 'none', notice: `rolecall: ${where} changed since it was allowed; it asks for profile ${request.name}; run 'rolecall allow' to trust it` };
  }
  return { kind: 'profile', name: request.name };
}

/**
 * How the failure line says what comes next. `cd .` counts as a cd for the
 * hook because it sets $OLDPWD; where $OLDPWD already is $PWD (right after a
 * `cd .`) it changes nothing the hook can see, so the line offers a round trip.
 */
function retryHint(how: { readonly cancelled: boolean; readonly delay: number; readonly cdNow: string }): string {
  if (how.cancelled) return `${how.cdNow} asks again`;
  if (!how.delay) return `${how.cdNow} tries again`;
  return `tried again at a prompt after ${shownDelay(how.delay)}, or now with ${how.cdNow}`;
}

/**
 * Marks AWS_REGION as the hook's own only when it came from the profile: a
 * region the user exported is the user's choice, and exec must keep it.
 */
function hookRegionMarker(userEnv: Env, region: string | undefined): { ROLECALL_SHELL_HOOK_REGION?: string } {
  if (!region || userEnv.AWS_REGION || userEnv.AWS_DEFAULT_REGION) return {};
  return { ROLECALL_SHELL_HOOK_REGION: region };
}

/**
 * Epoch seconds at which a prompt should refresh the session in place; '' for
 * keys that never expire. The margin is the cache's minimum TTL, so the
 * refresh comes when the cache hands out a new session, not before.
 */
export function nextRefresh(expiration: Date | undefined, now: number, minTtl: number): string {
  if (!expiration) return '';
  const at = Math.floor(expiration.getTime() / 1000) - minTtl;
  return String(at > now ? at : now + RETRY_REFRESH_SECONDS);
}
