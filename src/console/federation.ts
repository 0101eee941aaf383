/**
 * The AWS federation endpoint (https://signin.aws.amazon.com/federation):
 * a session's credentials are exchanged for a sign-in token
 * (Action=getSigninToken), and the token makes the console URL
 * (Action=login). The token signs in whoever holds it for its lifetime, so
 * it is registered as a secret at once and no message here quotes a URL.
 */
import { CredentialError } from '../base/errors.js';
import type { Credentials } from '../config/credentials.js';
import { debug } from '../log/debug-log.js';
import { redact, registerSecret } from '../log/redact.js';

/** What the console shows as the place to sign in again when the session ends. */
export const ISSUER = 'rolecall';

/**
 * `sessionDuration` only for a role's session: the endpoint refuses it for a
 * federated user's, whose console session lasts as long as its credentials.
 */
export async function signinToken(federationUrl: string, credentials: Credentials, sessionDuration?: number): Promise<string> {
  if (!credentials.sessionToken) throw new CredentialError('the console takes only temporary credentials (a role or federated user session)');
  const query = new URLSearchParams({
    Action: 'getSigninToken',
    ...(sessionDuration !== undefined ? { SessionDuration: String(sessionDuration) } : {}),
    Session: JSON.stringify({ sessionId: credentials.accessKeyId, sessionKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken }),
  });
  debug(`getSigninToken at ${federationUrl}${sessionDuration !== undefined ? `, SessionDuration ${sessionDuration}s` : ''}`);
  // Checked before the query is added: a message about a URL that holds the
  // session (percent-encoded, which redaction cannot match) must never be formed.
  if (!canParse(federationUrl)) throw new CredentialError(`the sign-in endpoint ${federationUrl} is not a URL; check AWS_ENDPOINT_URL_SIGNIN`);
  let response: Response;
  try {
    response = await fetch(`${federationUrl}?${query}`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    // Only a code or an error's name: fetch's messages may quote the URL, session and all.
    const cause = (error as { cause?: { code?: unknown } }).cause;
    const why = typeof cause?.code === 'string' ? cause.code : error instanceof Error ? error.name : 'no answer';
    throw new CredentialError(redact(`the sign-in endpoint ${federationUrl} did not answer (${why}); check the network`));
  }
  const text = await response.text();
  if (!response.ok) {
    // Its error page says nothing useful, and a proxy's could echo the request.
    throw new CredentialError(`the sign-in endpoint ${federationUrl} refused the session (HTTP ${response.status}); a session over GetSessionToken or one past its end cannot sign in`);
  }
  let token: unknown;
  try {
    token = (JSON.parse(text) as { SigninToken?: unknown }).SigninToken;
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || token === '') throw new CredentialError(`the sign-in endpoint ${federationUrl} answered without a SigninToken: is it the AWS federation endpoint (AWS_ENDPOINT_URL_SIGNIN)?`);
  registerSecret(token);
  return token;
}

/** The URL that signs the holder in and opens `destination`. */
export function loginUrl(federationUrl: string, token: string, destination: string): string {
  return `${federationUrl}?${new URLSearchParams({ Action: 'login', Issuer: ISSUER, Destination: destination, SigninToken: token })}`;
}

/** The console page to land on: `path` (default the console's home) in `region` when one is known. */
export function consoleDestination(consoleHost: string, path: string | undefined, region: string | undefined): string {
  const page = path ?? '/console/home';
  if (!region) return `https://${consoleHost}${page}`;
  return `https://${consoleHost}${page}${page.includes('?') ? '&' : '?'}region=${encodeURIComponent(region)}`;
}

/** Whether `new URL` takes it (URL.canParse is not in every Node 20 the engines allow). */
function canParse(url: string): boolean {
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}
