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

/**
 * The environment a credential_process of this chain gets: the profiles being
 * resolved, this chain's last. `chain` is every profile of the Plan, the one
 * named first: a credential_process at the bottom of a role's chain runs
 * while the role's command holds the lock of that link, so a way back into
 * any of them is a loop, not only one into the profile named.
 */
export function refuseCredentialLoop(processEnv: Env, chain: readonly string[]): Env {
  const resolving = resolvingProfiles(processEnv);
  const again = chain.find((profile) => resolving.includes(profile));
  if (again !== undefined) {
    const loop = [...resolving.slice(resolving.indexOf(again)), chain[0] as string].map((name) => `"${name}"`).join(' -> ');
    throw new CredentialLoopError(`credential_process loop: ${loop}; each credential_process there runs \`rolecall credential-process\` back into a profile being resolved; point one at another profile`, false);
  }
  return { ...processEnv, [RESOLVING_VARIABLE]: JSON.stringify([...resolving, ...chain.filter((profile, i) => chain.indexOf(profile) === i)]) };
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
