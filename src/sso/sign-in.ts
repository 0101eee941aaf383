/**
 * Signing in to IAM Identity Center, which gives an access token (and a
 * refresh token): the authorization-code flow with PKCE on a loopback
 * redirect, where a browser can be opened (as the AWS CLI v2 does), or the
 * device-code flow (`--use-device-code`, or where no browser can be
 * opened). And the refresh that renews a token with no browser at all.
 *
 * Ctrl-C while waiting for the browser is a CancelledError, not a death by
 * signal: the single flight above records it, so the commands waiting for
 * this login fail with it once instead of each starting a login of its own.
 */
import { CancelledError, RolecallError } from '../base/errors.js';
import type { PersonWait } from '../cache/holder-wait.js';
import { whileWaitingForPerson } from '../cache/single-flight.js';
import { ssoSessionLabel } from '../config/sso-session.js';
import { helperEnv } from '../credentials/helper-env.js';
import {
  GRANT_AUTHORIZATION_CODE,
  type DeviceAuthorization,
  GRANT_DEVICE_CODE,
  GRANT_REFRESH_TOKEN,
  OidcError,
  createToken,
  oidcBaseUrl,
  oidcTarget,
  startDeviceAuthorization,
  type IssuedToken,
  type OidcTarget,
} from '../identity-center/oidc-client.js';
import { debug } from '../log/debug-log.js';
import { registerSecret } from '../log/redact.js';
import { openInBrowser } from '../prompt/open-browser.js';
import type { Say } from '../prompt/terminal-notice.js';
import { registrationFor, type SignInFlow } from './client-registration.js';
import { openLoopbackRedirect } from './loopback-redirect.js';
import { authorizeUrl, codeChallenge, codeVerifier, newState } from './pkce.js';
import { nowOf, type SsoContext } from './sso-context.js';
import type { SsoClientRegistration, SsoSession, SsoToken } from './sso-token.js';

/** How long the PKCE flow waits for the browser to come back (the device flow waits as long as its code lives). */
export const SIGN_IN_TIMEOUT_MS = 10 * 60 * 1000;

export interface SignInRequest {
  readonly flow: SignInFlow;
  /** False (--no-browser, ROLECALL_NO_BROWSER=1): the URL (and the code) are printed instead. */
  readonly openBrowser: boolean;
  /** Where the person signing in reads what to do. */
  readonly say: Say;
  /**
   * How to sign in with a device code instead, in the words of the command
   * that signs in: `--use-device-code` for sso login; for the others (exec,
   * credential-process …), which have no such flag, ROLECALL_NO_BROWSER=1 or
   * `rolecall sso login PROFILE --use-device-code`.
   */
  readonly deviceCodeHint: string;
}

export async function signIn(session: SsoSession, context: SsoContext, request: SignInRequest): Promise<SsoToken> {
  const target = oidcTarget(session, context.env);
  const registration = await registrationFor(session, context, target, request.flow);
  const started = nowOf(context);
  const issued = await untilInterrupted(session, (interrupted) =>
    request.flow === 'pkce' ? pkceSignIn(session, context, target, registration, request, interrupted) : deviceSignIn(session, context, target, registration, request, interrupted),
  );
  debug(`signed in to IAM Identity Center for ${ssoSessionLabel(session)}`);
  return tokenOf(issued, registration, started);
}

/** A new access token from the refresh token, with no browser; the refresh token stays when the answer has no new one. */
export async function refreshToken(session: SsoSession, context: SsoContext, stored: SsoToken & { refreshToken: string; registration: SsoClientRegistration }): Promise<SsoToken> {
  const started = nowOf(context);
  debug(`refreshing the IAM Identity Center token of ${ssoSessionLabel(session)} (CreateToken, refresh_token)`);
  const issued = await createToken(oidcTarget(session, context.env), stored.registration, { grantType: GRANT_REFRESH_TOKEN, refreshToken: stored.refreshToken });
  return tokenOf({ refreshToken: stored.refreshToken, ...issued }, stored.registration, started);
}

function tokenOf(issued: IssuedToken, registration: SsoClientRegistration, started: number): SsoToken {
  return {
    accessToken: issued.accessToken,
    // From when it was asked for: a slow answer errs on the short side.
    expiresAt: new Date(started + issued.expiresInSeconds * 1000),
    ...(issued.refreshToken ? { refreshToken: issued.refreshToken } : {}),
    registration,
  };
}

async function pkceSignIn(session: SsoSession, context: SsoContext, target: OidcTarget, registration: SsoClientRegistration, request: SignInRequest, interrupted: Interruption): Promise<IssuedToken> {
  const verifier = codeVerifier();
  registerSecret(verifier);
  const state = newState();
  registerSecret(state);
  const redirect = await openLoopbackRedirect(state, request.deviceCodeHint);
  try {
    const url = authorizeUrl({ oidcBaseUrl: oidcBaseUrl(target), clientId: registration.clientId, redirectUri: redirect.redirectUri, state, codeChallenge: codeChallenge(verifier), scopes: registration.scopes });
    if (request.openBrowser) {
      request.say(`rolecall: signing in to IAM Identity Center (${ssoSessionLabel(session)}) in the browser; waiting for it (Ctrl-C to stop; ${request.deviceCodeHint} signs in from another device)`);
      await openOrSay(context, url, request, interrupted, `:\n${url}`);
    } else {
      request.say(`rolecall: to sign in to IAM Identity Center (${ssoSessionLabel(session)}), open this URL in a browser on this machine (Ctrl-C to stop):\n${url}`);
    }
    const until = Date.now() + SIGN_IN_TIMEOUT_MS;
    const code = await whileWaitingForPerson(waitFor(session, 'in the browser', until), () => Promise.race([redirect.code, interrupted, timeout(SIGN_IN_TIMEOUT_MS, session)]));
    registerSecret(code);
    // Raced with Ctrl-C as the device flow's polls are (the SIGINT handler keeps Node from exiting on its own), and aborted by it.
    return await Promise.race([createToken(target, registration, { grantType: GRANT_AUTHORIZATION_CODE, code, codeVerifier: verifier, redirectUri: redirect.redirectUri }, interrupted.signal), interrupted]);
  } finally {
    redirect.close();
  }
}

async function deviceSignIn(session: SsoSession, context: SsoContext, target: OidcTarget, registration: SsoClientRegistration, request: SignInRequest, interrupted: Interruption): Promise<IssuedToken> {
  const device = await startDeviceAuthorization(target, registration, session.startUrl);
  const page = device.verificationUriComplete ?? device.verificationUri;
  if (request.openBrowser) {
    request.say(`rolecall: signing in to IAM Identity Center (${ssoSessionLabel(session)}) in the browser: check that it shows the code ${device.userCode} (Ctrl-C to stop)`);
    await openOrSay(context, page, request, interrupted, `: open ${device.verificationUri} in a browser on any device and enter the code ${device.userCode}`);
  } else {
    request.say(
      `rolecall: to sign in to IAM Identity Center (${ssoSessionLabel(session)}), open ${device.verificationUri} in a browser on any device and enter the code ${device.userCode}` +
        (device.verificationUriComplete ? `\nor open ${device.verificationUriComplete}` : '') +
        '\n(Ctrl-C to stop)',
    );
  }
  const deadline = Date.now() + device.expiresInSeconds * 1000;
  return whileWaitingForPerson(waitFor(session, 'with a device code', deadline), () => pollDeviceCode(session, target, registration, device, deadline, interrupted));
}

async function pollDeviceCode(session: SsoSession, target: OidcTarget, registration: SsoClientRegistration, device: DeviceAuthorization, deadline: number, interrupted: Interruption): Promise<IssuedToken> {
  let interval = device.intervalSeconds * 1000;
  for (;;) {
    await Promise.race([pause(interval), interrupted]);
    try {
      return await Promise.race([createToken(target, registration, { grantType: GRANT_DEVICE_CODE, deviceCode: device.deviceCode }, interrupted.signal), interrupted]);
    } catch (error) {
      if (!(error instanceof OidcError)) throw error;
      if (error.oauthError === 'authorization_pending' && Date.now() < deadline) continue;
      // RFC 8628 §3.5: slow_down adds 5 seconds to every later poll.
      if (error.oauthError === 'slow_down' && Date.now() < deadline) {
        interval += 5_000;
        continue;
      }
      if (error.oauthError === 'authorization_pending' || error.oauthError === 'expired_token') {
        throw shared(`the device code for ${ssoSessionLabel(session)} expired before the sign-in was approved; run the login again`);
      }
      if (error.oauthError === 'access_denied') throw shared(`the sign-in to IAM Identity Center (${ssoSessionLabel(session)}) was denied in the browser`);
      throw error;
    }
  }
}

/**
 * Opens the sign-in page; a browser command that fails is said, with how to
 * go on by hand (`byHand`: the URL, or where to type the device code), and
 * the sign-in goes on: the page can still be opened, and a code typed, elsewhere.
 */
async function openOrSay(context: SsoContext, url: string, request: SignInRequest, interrupted: Interruption, byHand: string): Promise<void> {
  try {
    await Promise.race([openInBrowser(context.env, url, { page: 'the IAM Identity Center sign-in page', instead: 'open it by hand, rolecall is still waiting', childEnv: helperEnv(context.processEnv) }), interrupted]);
  } catch (error) {
    if (!(error instanceof RolecallError) || error instanceof CancelledError) throw error;
    request.say(`rolecall: ${error.message}${byHand}`);
  }
}

/** Ctrl-C during a sign-in: a promise that rejects with a CancelledError, and the signal that aborts the request in flight. */
type Interruption = Promise<never> & { readonly signal: AbortSignal };

/**
 * Runs `work` with Ctrl-C (SIGINT) turned into a CancelledError on the
 * `interrupted` promise it is given, so it can stop its waits, close its
 * server and let the caller record the cancellation, and into an abort of
 * the request in flight; the handler is removed when the work ends.
 */
async function untilInterrupted<T>(session: SsoSession, work: (interrupted: Interruption) => Promise<T>): Promise<T> {
  let onSignal: (() => void) | undefined;
  const abort = new AbortController();
  const interrupted = Object.assign(
    new Promise<never>((_, reject) => {
      onSignal = () => {
        reject(new CancelledError('cancelled', `its sign-in to IAM Identity Center (${ssoSessionLabel(session)}) was cancelled (Ctrl-C); run the command again to sign in`));
        abort.abort();
      };
    }),
    { signal: abort.signal },
  );
  interrupted.catch(() => undefined);
  const handler = onSignal as () => void;
  process.on('SIGINT', handler);
  try {
    return await work(interrupted);
  } finally {
    process.removeListener('SIGINT', handler);
  }
}

/** What the commands waiting on this sign-in wait for, and what they say if they give up first. */
function waitFor(session: SsoSession, how: string, until: number): PersonWait {
  return {
    what: `the IAM Identity Center sign-in of ${ssoSessionLabel(session)} ${how} (which waits up to ${Math.max(1, Math.round((until - Date.now()) / 60_000))} minutes)`,
    advice: 'finish signing in there (or stop it with Ctrl-C in its terminal), then run this command again',
    until,
  };
}

function timeout(ms: number, session: SsoSession): Promise<never> {
  return new Promise<never>((_, reject) => {
    setTimeout(() => reject(shared(`the sign-in to IAM Identity Center (${ssoSessionLabel(session)}) was not completed within ${Math.round(ms / 60_000)} minutes; run the login again`)), ms).unref();
  });
}

/** A failure every command waiting for this login would meet the same way. */
function shared(message: string): RolecallError {
  const error = new RolecallError(message);
  error.sharedWithWaiters = true;
  return error;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
