/**
 * The authorization-code flow's pieces that are pure data (RFC 7636, RFC
 * 6749): the PKCE verifier and its S256 challenge, the `state` that ties the
 * redirect to this login, and the authorize URL, built on the OIDC endpoint
 * in use (so AWS_ENDPOINT_URL_SSO_OIDC moves the sign-in page with the API).
 */
import { nodeCrypto } from '../base/node-crypto.js';
import { RolecallError } from '../base/errors.js';
import { oneLine } from '../log/terminal-text.js';

/** The path of the loopback redirect, as the AWS CLI v2 registers it. */
export const CALLBACK_PATH = '/oauth/callback';

/** 32 random octets, base64url: a 43-character verifier (RFC 7636 §4.1). */
export function codeVerifier(): string {
  return nodeCrypto().randomBytes(32).toString('base64url');
}

/** BASE64URL(SHA256(verifier)) (RFC 7636 §4.2, S256). */
export function codeChallenge(verifier: string): string {
  return nodeCrypto().createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** An unguessable value the redirect must carry back unchanged. */
export function newState(): string {
  return nodeCrypto().randomBytes(24).toString('base64url');
}

export interface AuthorizeRequest {
  /** The OIDC API's base URL (identity-center/oidc-client.ts oidcBaseUrl). */
  readonly oidcBaseUrl: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state: string;
  readonly codeChallenge: string;
  readonly scopes: readonly string[];
}

export function authorizeUrl(request: AuthorizeRequest): string {
  const url = new URL(`${request.oidcBaseUrl.replace(/\/+$/, '')}/authorize`);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', request.clientId);
  url.searchParams.set('redirect_uri', request.redirectUri);
  url.searchParams.set('state', request.state);
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('code_challenge', request.codeChallenge);
  url.searchParams.set('scopes', request.scopes.join(' '));
  return url.toString();
}

/**
 * The code from the redirect's query, only when its `state` is this login's;
 * undefined when it is not (no state, or another): that could be another
 * site's page sending a code of its own choosing to our loopback port (RFC
 * 6749 §10.12), and is never exchanged. Throws when this login's redirect
 * carries an error, or no code.
 */
export function codeFromRedirect(query: URLSearchParams, expectedState: string): string | undefined {
  const error = query.get('error');
  const state = query.get('state') ?? '';
  if (!sameText(state, expectedState)) return undefined;
  if (error) {
    const description = query.get('error_description');
    throw new RolecallError(`the sign-in was not approved: ${oneLine(error)}${description ? ` (${oneLine(description, 200)})` : ''}`);
  }
  const code = query.get('code');
  if (!code) throw new RolecallError('the sign-in redirect came back with no code; run the login again');
  return code;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && nodeCrypto().timingSafeEqual(left, right);
}
