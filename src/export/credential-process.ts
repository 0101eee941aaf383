/**
 * `rolecall credential-process PROFILE`: the session as the credential_process
 * JSON. The AWS CLI and the SDKs capture the process's stdout and stderr, so
 * a question can go only to the controlling terminal (prompt/); without one,
 * the error says how to give the code another way.
 *
 * A profile whose credential_process runs `rolecall credential-process` for
 * itself (directly or through other profiles) would fork without end: each
 * rolecall names the profiles being resolved in ROLECALL_RESOLVING, which
 * the credential_process it runs inherits, and refuses a profile already there.
 */
import type { Env } from '../base/env.js';
import { CredentialLoopError } from '../base/errors.js';
import { commandSession, type CommandSessionRequest } from '../exec/command-session.js';
import { credentialJson } from './credential-json.js';

export const RESOLVING_VARIABLE = 'ROLECALL_RESOLVING';

export interface CredentialProcessRequest extends Omit<CommandSessionRequest, 'usage' | 'profile' | 'mfaToken'> {
  readonly profile: string;
}

export async function credentialProcess(processEnv: Env, request: CredentialProcessRequest): Promise<string> {
  const resolving = resolvingProfiles(processEnv);
  if (resolving.includes(request.profile)) {
    const loop = [...resolving.slice(resolving.indexOf(request.profile)), request.profile].map((name) => `"${name}"`).join(' -> ');
    throw new CredentialLoopError(
      `credential_process loop: ${loop}; a profile's credential_process must not run \`rolecall credential-process\` for a profile it is the source of`,
      false,
    );
  }
  const env = { ...processEnv, [RESOLVING_VARIABLE]: JSON.stringify([...resolving, request.profile]) };
  const { credentials } = await commandSession(env, { ...request, usage: 'credential-process PROFILE' }, {
    mfaWithoutTerminal: `set mfa_process in that profile, or run \`rolecall exec ${request.profile} -- true\` (or enter a directory of the shell hook) in a terminal first, which caches the session`,
  });
  return credentialJson(credentials);
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
