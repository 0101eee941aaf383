/**
 * The vault and the session cache plug into the credential pipeline here, so
 * that exec, export and the shell hook all get them the same way. Each
 * extension must stay lazy: nothing it needs is loaded until a step runs.
 */
import type { Env } from '../base/env.js';
import type { SessionRequest } from './profile-session.js';
import { vaultExtension } from './vault-extension.js';
import { cacheExtension } from './cache-extension.js';

export async function sessionExtensions(env: Env, backend?: string): Promise<NonNullable<SessionRequest['extend']>> {
  const options = backend ? { backend } : {};
  return { ...(await vaultExtension(env, options)), ...(await cacheExtension(env, options)) };
}
