/**
 * A token when none stored has more than the refresh window left. Without
 * a sign-in flow of its own, the honest answer: the stored token while it
 * still has life, else the line that says how to sign in (exec: 125).
 */
import { RolecallError } from '../base/errors.js';
import { ssoSessionLabel } from '../config/sso-session.js';
import { shellWord } from '../log/terminal-text.js';
import { nowOf, type SsoContext } from './sso-context.js';
import type { SsoSession, SsoToken } from './sso-token.js';

export async function obtainToken(session: SsoSession, context: SsoContext, stored: SsoToken | undefined, profile: string): Promise<SsoToken> {
  if (stored && stored.expiresAt.getTime() > nowOf(context)) return stored;
  throw noTokenError(session, profile);
}

/** The one line when no token can be had here and now. */
export function noTokenError(session: SsoSession, profile: string): RolecallError {
  return new RolecallError(`no valid IAM Identity Center token for ${ssoSessionLabel(session)}; run \`rolecall sso login ${shellWord(profile)}\``);
}
