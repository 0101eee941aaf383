/**
 * exec --server before the child starts: the rules that make the credential
 * server the one way to credentials the child's SDKs take, the server itself
 * fed by the pipeline, and the child's environment pointing at it. Loaded
 * only with --server, so exec's fast path never loads node:http.
 */
import type { Env } from '../base/env.js';
import { ConfigError, RolecallError } from '../base/errors.js';
import { CREDENTIAL_SERVER_MIN_TTL_SECONDS } from '../cache/cache-settings.js';
import { displayPath } from '../config/config-paths.js';
import { loadConfig } from '../config/load-config.js';
import { withMinimumLife, type CommandContext } from '../pipeline/command-context.js';
import { sessionFor, type ProfileSession, type SessionRequest } from '../pipeline/profile-session.js';
import { serverChildEnv } from './child-env.js';
import { startCredentialServer } from './credential-server.js';

/**
 * Keys of a profile that give it credentials of its own. The child runs
 * with no AWS_PROFILE, so its SDKs read [default], and every one of them
 * takes such a profile before the container endpoint.
 */
const OWN_CREDENTIALS = ['aws_access_key_id', 'role_arn', 'credential_process', 'sso_session', 'sso_start_url', 'web_identity_token_file'] as const;

/** Why a refresh asks no MFA code at the terminal. */
const COMMAND_OWNS_TERMINAL = 'the command owns the terminal (exec --server); the MFA session lasts 8h from its code';

/**
 * The context every session of the server is fetched with: the first at
 * least CREDENTIAL_SERVER_MIN_TTL_SECONDS from its end, like every later one.
 */
export function servingContext(context: CommandContext): CommandContext {
  return withMinimumLife(context, CREDENTIAL_SERVER_MIN_TTL_SECONDS);
}

/** Stops before any STS call or prompt when the child's SDKs would not ask the server at all. */
export function refuseShadowingDefault(env: Env, profile: string): void {
  const { paths, profiles } = loadConfig(env);
  const fallback = profiles.get('default');
  const key = OWN_CREDENTIALS.find((name) => fallback?.values[name] !== undefined);
  if (!fallback || !key) return;
  const file = displayPath(paths[fallback.origin[key] ?? 'config'], env);
  throw new ConfigError(
    `profile "default" has credentials of its own (${key} in ${file}), which the AWS CLI and SDKs in the command take before rolecall's credential server, so it would not run as "${profile}"; run exec without --server, or rename that profile`,
  );
}

export interface ServedChild {
  readonly env: Record<string, string>;
  readonly closeServer: () => Promise<void>;
}

/**
 * Starts the server for the child's life. The first session was fetched by
 * exec (with a prompt if it needed one); each request gets the pipeline's
 * session again, from the cache while it has enough life left, else a new
 * one, with no MFA prompt and no --mfa-token (a code is good once).
 */
export async function serveChild(env: Env, request: SessionRequest, context: CommandContext, first: ProfileSession): Promise<ServedChild> {
  if (!first.credentials.sessionToken || !first.credentials.expiration) {
    throw new RolecallError(`--server hands out sessions, and profile "${first.plan.profile}" gives long-term keys; drop --no-session`);
  }
  const refreshing: CommandContext = { ...context, mfa: { noPrompt: COMMAND_OWNS_TERMINAL } };
  const again: SessionRequest = { ...request, again: true };
  const server = await startCredentialServer(async () => (await sessionFor(again, refreshing)).credentials, first.plan.profile);
  return { env: serverChildEnv(env, first.plan.profile, first.plan.region, server), closeServer: server.close };
}
