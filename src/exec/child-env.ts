/**
 * The child's environment: the parent's, without any credentials or profile
 * selection that could win over ours, plus the session. An SDK in the child
 * prefers AWS_PROFILE over nothing but keys over AWS_PROFILE, and some old
 * tools read AWS_SECURITY_TOKEN, so all of them go.
 */
import type { Env } from '../base/env.js';
import type { Credentials } from '../config/credentials.js';
import { helperEnv } from '../credentials/helper-env.js';

export const REMOVED_FROM_CHILD = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_CREDENTIAL_EXPIRATION',
  // Set by the shell hook beside ROLECALL_PROFILE: a profile the shell holds
  // is not an exec, so exec may run under it; its children never inherit it.
  'ROLECALL_SHELL_HOOK',
  // The region the hook exported for its profile, so exec can tell it from the user's.
  'ROLECALL_SHELL_HOOK_REGION',
] as const;

/** The variables a session sets, in the order shells export them. */
export function sessionVariables(profile: string, credentials: Credentials, region: string | undefined): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    ...(credentials.expiration ? { AWS_CREDENTIAL_EXPIRATION: isoSeconds(credentials.expiration) } : {}),
    ...profileVariables(profile, region),
  };
}

/** What a child gets of its profile besides credentials, keys or a credential server alike. */
function profileVariables(profile: string, region: string | undefined): Record<string, string> {
  return { ...(region ? { AWS_REGION: region, AWS_DEFAULT_REGION: region } : {}), ROLECALL_PROFILE: profile };
}

export function childEnv(parent: Env, profile: string, credentials: Credentials, region: string | undefined): Record<string, string> {
  return withVariables(parent, sessionVariables(profile, credentials, region));
}

function withVariables(parent: Env, variables: Record<string, string>): Record<string, string> {
  const env = helperEnv(parent);
  for (const key of REMOVED_FROM_CHILD) delete env[key];
  return { ...env, ...variables };
}

/**
 * exec's ready answer (agent/ready-answer.ts): the session's variables, and
 * the variables the command's reading of the environment took out (the
 * shell hook's region, see pipeline/named-profile.ts), so that a later exec
 * makes the same child environment from its own without reading the config.
 */
interface ReadyChildEnv {
  readonly set: Record<string, string>;
  readonly unset: readonly string[];
}

export function readyChildEnvAnswer(processEnv: Env, readEnv: Env, variables: Record<string, string>): string {
  const answer: ReadyChildEnv = { set: variables, unset: Object.keys(processEnv).filter((name) => readEnv[name] === undefined && processEnv[name] !== undefined) };
  return JSON.stringify(answer);
}

/** The child's environment from a ready answer and this process's environment; undefined for an answer that is not one. */
export function childEnvFromReady(processEnv: Env, answer: string): Record<string, string> | undefined {
  let parsed: Partial<ReadyChildEnv> | null;
  try {
    parsed = JSON.parse(answer) as Partial<ReadyChildEnv> | null;
  } catch {
    return undefined;
  }
  const { set, unset } = parsed ?? {};
  if (typeof set !== 'object' || set === null || !Object.values(set).every((value) => typeof value === 'string')) return undefined;
  if (!Array.isArray(unset) || !unset.every((name) => typeof name === 'string')) return undefined;
  const parent = { ...processEnv };
  for (const name of unset) delete parent[name];
  return withVariables(parent, set);
}

/**
 * Ways to credentials an SDK takes before AWS_CONTAINER_CREDENTIALS_FULL_URI
 * and its token, gone too when the child gets rolecall's credential server:
 * a relative URI (ECS's own) wins over a full one, a token file over the
 * token, and a web identity (AWS_ROLE_ARN with its token file) over both.
 */
export const REMOVED_FROM_SERVER_CHILD = [
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
] as const;

/** Where the child of exec --server fetches its credentials, and the token it shows there. */
export interface ServerAddress {
  readonly url: string;
  readonly token: string;
}

/** exec --server's child: exec's environment with no keys in it, and the server's address and token instead. */
export function serverChildEnv(parent: Env, profile: string, region: string | undefined, server: ServerAddress): Record<string, string> {
  const env = helperEnv(parent);
  for (const key of [...REMOVED_FROM_CHILD, ...REMOVED_FROM_SERVER_CHILD]) delete env[key];
  return {
    ...env,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: server.url,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: server.token,
    ...profileVariables(profile, region),
  };
}

/** ISO 8601 in UTC without milliseconds, the form the AWS CLI and SDKs print. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
