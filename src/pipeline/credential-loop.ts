/**
 * A profile whose credential_process runs `rolecall credential-process` back
 * into a profile being resolved (directly, or through other profiles) would
 * start rolecalls without end, or wait on its own lock: each rolecall names
 * the profiles it is resolving in ROLECALL_RESOLVING, which a
 * credential_process inherits, and refuses a profile already there before
 * it reads a file or takes a lock.
 */
import type { Env } from '../base/env.js';
import { CredentialLoopError } from '../base/errors.js';

export const RESOLVING_VARIABLE = 'ROLECALL_RESOLVING';

/** The environment a credential_process of `profile`'s chain gets: the profiles being resolved, `profile` last. */
export function refuseCredentialLoop(processEnv: Env, profile: string): Env {
  const resolving = resolvingProfiles(processEnv);
  if (resolving.includes(profile)) {
    const loop = [...resolving.slice(resolving.indexOf(profile)), profile].map((name) => `"${name}"`).join(' -> ');
    throw new CredentialLoopError(`credential_process loop: ${loop}; each credential_process there runs \`rolecall credential-process\` back into a profile being resolved; point one at another profile`, false);
  }
  return { ...processEnv, [RESOLVING_VARIABLE]: JSON.stringify([...resolving, profile]) };
}

/** The names in ROLECALL_RESOLVING; anything else there (not ours) counts as none. */
function resolvingProfiles(env: Env): string[] {
  const value = env[RESOLVING_VARIABLE];
  if (!value) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.filter((name): name is string => typeof name === 'string') : [];
  } catch {
    return [];
  }
}
