/**
 * A token when none stored has more than the refresh window left
 * (session-token.ts asks): refreshed with the refresh token when the stored
 * one has one (no browser), else a sign-in, started by the command that needs
 * it, on its terminal or in the browser; else, with neither to sign in on,
 * the stored token while it still has life, and the line that says how to
 * sign in when it has none (exec: 125).
 *
 * Single flight: any number of commands that need the same session's token
 * at once refresh or sign in once (one browser tab, one device code) under
 * one lock, and the others read the token it stored. A sign-in cancelled
 * (Ctrl-C), denied or timed out fails them with it, once (cache/flight-failure.ts).
 */
import { join } from 'node:path';
import { errorLine, RolecallError } from '../base/errors.js';
import { lockTimeoutChosen, lockTimeoutSeconds } from '../cache/cache-settings.js';
import { singleFlight } from '../cache/single-flight.js';
import { ssoSessionLabel } from '../config/sso-session.js';
import { hashedName } from '../fs/hashed-name.js';
import { locksDirectory } from '../fs/rolecall-dirs.js';
import { OidcError } from '../identity-center/oidc-client.js';
import { debug, note } from '../log/debug-log.js';
import { shellWord } from '../log/terminal-text.js';
import { canOpenBrowser } from '../prompt/open-browser.js';
import { stderrNotice, terminalNotice } from '../prompt/terminal-notice.js';
import { refreshToken, signIn, type SignInRequest } from './sign-in.js';
import { nowOf, type SsoContext } from './sso-context.js';
import type { SsoSession, SsoToken } from './sso-token.js';
import { canRefresh, loadToken, saveToken, tokenAccount, TOKEN_REFRESH_WINDOW_MS } from './token-store.js';

export async function obtainToken(session: SsoSession, context: SsoContext, stored: SsoToken | undefined, profile: string): Promise<SsoToken> {
  // What is stored now is what the caller found wanting (too little life, or
  // refused by the portal when it hands no token): only another one will do,
  // one a rolecall stored while this one waited.
  const wanting = (await loadToken(session, context))?.accessToken;
  const newer = async () => {
    const token = await loadToken(session, context);
    return token && token.accessToken !== wanting ? token : undefined;
  };
  return singleFlight({
    lockPath: tokenLockPath(session, context),
    timeoutMs: lockTimeoutSeconds(context.env) * 1000,
    timeoutChosen: lockTimeoutChosen(context.env),
    what: `the IAM Identity Center token of ${ssoSessionLabel(session)}`,
    check: async () => {
      const token = await newer();
      return token && token.expiresAt.getTime() - nowOf(context) > TOKEN_REFRESH_WINDOW_MS ? token : undefined;
    },
    produce: async () => renewOrSignIn(session, context, (await newer()) ?? stored ?? (await loadToken(session, context)), stored, profile),
  });
}

/**
 * `rolecall sso login`: a new sign-in whatever is stored, under the same lock,
 * so the commands that need the token meanwhile wait for this one.
 */
export async function signInUnderLock(session: SsoSession, context: SsoContext, request: SignInRequest): Promise<SsoToken> {
  return singleFlight({
    lockPath: tokenLockPath(session, context),
    timeoutMs: lockTimeoutSeconds(context.env) * 1000,
    timeoutChosen: lockTimeoutChosen(context.env),
    what: `the IAM Identity Center token of ${ssoSessionLabel(session)}`,
    check: async () => undefined,
    produce: async () => {
      const token = await signIn(session, context, request);
      await saveToken(session, token, context);
      return token;
    },
  });
}

/** The lock of a session's token: every command that needs it takes this one. */
export function tokenLockPath(session: SsoSession, context: SsoContext): string {
  return join(locksDirectory(context.env), `${hashedName(['sso-token', tokenAccount(session)])}.lock`);
}

/**
 * A refresh of `renewable` (the newest token with a refresh token), else a
 * sign-in; with neither a terminal nor a browser, `stored` (what the caller
 * was handed) while it still has life, else the line.
 */
async function renewOrSignIn(session: SsoSession, context: SsoContext, renewable: SsoToken | undefined, stored: SsoToken | undefined, profile: string): Promise<SsoToken> {
  if (renewable?.refreshToken && renewable.registration && canRefresh(renewable, nowOf(context))) {
    try {
      const renewed = await refreshToken(session, context, { ...renewable, refreshToken: renewable.refreshToken, registration: renewable.registration });
      await saveToken(session, renewed, context, renewable);
      return renewed;
    } catch (error) {
      // Refused (invalid_grant: revoked, expired, or used already): sign in afresh. Out of reach: a sign-in would fail the same way,
      // but a token that still has life is good until it runs out (the refresh came early, in the window): it is used, and the next
      // command tries the refresh again.
      if (!(error instanceof OidcError && error.oauthError)) {
        const usable = [renewable, stored].find((token) => token && token.expiresAt.getTime() > nowOf(context));
        if (!usable) throw error;
        note(`could not refresh the IAM Identity Center token of ${ssoSessionLabel(session)} (${errorLine(error)}); it is used until it expires at ${usable.expiresAt.toISOString().replace(/\.\d+Z$/, 'Z')}`);
        return usable;
      }
      debug(`the refresh was refused (${error.oauthError}): signing in again`);
    }
  }
  const say = terminalNotice();
  const browser = context.env.ROLECALL_NO_BROWSER !== '1' && canOpenBrowser(context.env);
  if (!browser && !say) {
    if (stored && stored.expiresAt.getTime() > nowOf(context)) return stored;
    throw noTokenError(session, profile);
  }
  // This command has no --use-device-code: the ways it has are said instead.
  const deviceCodeHint = `ROLECALL_NO_BROWSER=1 (or \`${loginCommand(session, profile)} --use-device-code\`)`;
  const token = await signIn(session, context, { flow: browser ? 'pkce' : 'device', openBrowser: browser, say: say ?? stderrNotice, deviceCodeHint });
  await saveToken(session, token, context);
  return token;
}

/** The one line when no token can be had here and now; `profile` empty: the session was named by --sso-session. */
export function noTokenError(session: SsoSession, profile: string): RolecallError {
  return new RolecallError(`no valid IAM Identity Center token for ${ssoSessionLabel(session)}; run \`${loginCommand(session, profile)}\``);
}

/** `rolecall sso login PROFILE` (or `--sso-session NAME` when the session was named so), as the user would type it. */
function loginCommand(session: SsoSession, profile: string): string {
  const named = profile === '' && session.name !== undefined ? `--sso-session ${shellWord(session.name)}` : shellWord(profile);
  return `rolecall sso login ${named}`;
}
