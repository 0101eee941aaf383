/**
 * The vault and the session cache plug into the credential pipeline here, so
 * that exec, export and the shell hook all get them the same way.
 */
import type { Env } from '../config/config-paths.js';
import type { SessionRequest } from '../credentials/profile-session.js';

export async function sessionExtensions(_env: Env): Promise<NonNullable<SessionRequest['extend']>> {
  return {};
}
