/**
 * When the hook tries again after it could not get a session (STS failed, no
 * network, the keyring locked): at a later prompt in the same directory, so
 * the user who fixed the cause gets the profile without a cd, but never at
 * every prompt, because each try starts rolecall and may wait on the network.
 *
 * The rule: the first retry no sooner than ROLECALL_HOOK_RETRY_SECONDS (30 s)
 * after the failure, then twice as long after each further failure in a row,
 * up to 10 minutes. Most causes a person fixes (unlock the keyring, join the
 * network) are fixed within the first minute or two, where retries come
 * often; a cause that lasts (STS down, a wrong key) then costs one try per
 * 10 minutes. 0 turns timed retries off (only a cd tries again).
 */
import type { Env } from '../base/env.js';
import { wholeSeconds } from '../base/env.js';

export const DEFAULT_HOOK_RETRY_SECONDS = 30;
export const MAX_HOOK_RETRY_SECONDS = 10 * 60;

/** Seconds to wait before the next try, after `failures` failures in a row (1 for the first); 0: wait for a cd. */
export function hookRetryDelay(env: Env, failures: number): number {
  const first = wholeSeconds(env, 'ROLECALL_HOOK_RETRY_SECONDS', DEFAULT_HOOK_RETRY_SECONDS);
  if (first === 0) return 0;
  const doubled = first * 2 ** Math.min(Math.max(failures - 1, 0), 20);
  return Math.min(doubled, Math.max(first, MAX_HOOK_RETRY_SECONDS));
}

/** "30s", "90s", "2m", "10m": how the failure line tells the wait. */
export function shownDelay(seconds: number): string {
  return seconds >= 120 && seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}
