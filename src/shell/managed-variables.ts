/**
 * The environment variables a profile in the shell touches, and the code
 * that sets them for a session or puts back what the user had. Both are
 * computed from the user's own environment (the hook runs `rolecall
 * hook-env` after restoring it), so switching from one profile to another
 * never mistakes the first profile's values for the user's.
 */
import type { Env } from '../base/env.js';
import { REMOVED_FROM_CHILD } from '../exec/child-env.js';
import type { Shell } from './shell.js';

/** Everything sessionVariables() may set, and everything a child must not keep. */
export const MANAGED_VARIABLES = [...REMOVED_FROM_CHILD, 'AWS_REGION', 'AWS_DEFAULT_REGION', 'ROLECALL_PROFILE'] as const;

const DROPPED: readonly string[] = REMOVED_FROM_CHILD;

/** What exec gives a child: the session's variables; other keys and profile selections unset. */
export function enterLines(shell: Shell, userEnv: Env, session: Readonly<Record<string, string>>): string[] {
  return MANAGED_VARIABLES.map((name) => {
    const value = session[name];
    if (value !== undefined) return shell.export(name, value);
    if (DROPPED.includes(name)) return shell.unset(name);
    return restoreLine(shell, userEnv, name);
  });
}

/** Each managed variable back to the user's value, or unset if the user had none. */
export function restoreLines(shell: Shell, userEnv: Env): string[] {
  return MANAGED_VARIABLES.map((name) => restoreLine(shell, userEnv, name));
}

function restoreLine(shell: Shell, userEnv: Env, name: string): string {
  const value = userEnv[name];
  return value === undefined ? shell.unset(name) : shell.export(name, value);
}
