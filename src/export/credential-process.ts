/**
 * `rolecall credential-process PROFILE`: the session as the credential_process
 * JSON. The AWS CLI and the SDKs capture the process's stdout and stderr, so
 * a question can go only to the controlling terminal (prompt/); without one,
 * the error says how to give the code another way. A loop back into a
 * profile being resolved is refused by the pipeline (pipeline/credential-loop.ts).
 */
import type { Env } from '../base/env.js';
import type { ReadyForm } from '../agent/ready-answer.js';
import { commandSession, type CommandSessionRequest } from '../exec/command-session.js';
import { resolvingReady, type KeepReadyAnswer } from '../pipeline/keep-ready-answer.js';
import { credentialJson } from './credential-json.js';

export interface CredentialProcessRequest extends Omit<CommandSessionRequest, 'usage' | 'profile' | 'mfaToken'> {
  readonly profile: string;
  /** Set for the plain form (`credential-process PROFILE`): the words its ready answer is kept under. */
  readonly ready?: ReadyForm['words'];
}

export async function credentialProcess(processEnv: Env, request: CredentialProcessRequest): Promise<string> {
  return resolvingReady(request.ready, processEnv, (keep) => credentialsJson(processEnv, request, keep));
}

async function credentialsJson(processEnv: Env, request: CredentialProcessRequest, keepReady?: KeepReadyAnswer): Promise<string> {
  const { credentials, context } = await commandSession(processEnv, { ...request, usage: 'credential-process PROFILE' }, {
    mfaWithoutTerminal: `set mfa_process in that profile, or run \`rolecall exec ${request.profile} -- true\` (or enter a directory of the shell hook) in a terminal first, which caches the session`,
  });
  const json = credentialJson(credentials);
  if (keepReady) await keepReady(context, json);
  return json;
}
