/**
 * The one way to the token of an Identity Center session: the one stored
 * (the vault first, then the AWS CLI's cache) while it has more than the
 * refresh window left; else obtain-token.ts gets one (a refresh, a sign-in,
 * or the line that says to sign in).
 */
import { obtainToken } from './obtain-token.js';
import { nowOf, type SsoContext } from './sso-context.js';
import type { SsoSession, SsoToken } from './sso-token.js';
import { loadStoredToken, shareToken, TOKEN_REFRESH_WINDOW_MS } from './token-store.js';

export async function tokenFor(session: SsoSession, context: SsoContext, profile: string): Promise<SsoToken> {
  const stored = await loadStoredToken(session, context);
  if (stored && stored.token.expiresAt.getTime() - nowOf(context) > TOKEN_REFRESH_WINDOW_MS) {
    // Sharing turned on after the sign-in (or the AWS CLI's copy gone): the AWS CLI gets the token at its next use.
    if ((session.shareWithAwsCli || stored.token.sharedWithAwsCli) && stored.from === 'vault') shareToken(session, stored.token, context);
    return stored.token;
  }
  return obtainToken(session, context, stored?.token, profile);
}
