/**
 * The OIDC half of the fake Identity Center (fake-identity-center.ts):
 * RegisterClient, StartDeviceAuthorization, CreateToken (authorization_code
 * with PKCE, device_code, refresh_token), and the pages a browser visits to
 * approve a sign-in: GET /authorize redirects to the client's loopback
 * redirect_uri with a code and the state, GET /device approves a device code.
 * Errors are answered as the service does and the SDK reads them: status
 * 400 (401 for a bad client), `x-amzn-errortype: XxxException` and the OAuth
 * error in the body (authorization_pending, slow_down, expired_token,
 * access_denied, invalid_grant, invalid_client).
 *
 * What a test steers (oidcControls): the state the authorize page sends
 * back, slow_down answers, a denied or expired device code, refused refreshes.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FakeReply, FakeRequest, FakeRoutes, IdentityCenterState } from './fake-identity-center.js';

interface FakeClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes: readonly string[];
  readonly grantTypes: readonly string[];
}

interface FakeDeviceCode {
  readonly clientId: string;
  readonly userCode: string;
  readonly expiresAt: number;
  status: 'pending' | 'approved' | 'denied' | 'used';
}

interface FakeAuthorizationCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  used: boolean;
}

export interface OidcControls {
  /** The state the authorize page sends back: the one it was given unless a test changes it. */
  authorizeState: (given: string) => string;
  /** The authorize page comes back with this error= (and the state it was given) instead of a code. */
  authorizeError: string | undefined;
  /** How many device-code polls are answered slow_down before the usual answer. */
  slowDowns: number;
  /** The verification page denies instead of approving. */
  denyDevice: boolean;
  /** Lifetime of device codes, in seconds. */
  deviceSeconds: number;
  /** The poll interval StartDeviceAuthorization asks for, in seconds. */
  intervalSeconds: number;
  /** Every refresh_token grant is refused with invalid_grant. */
  refuseRefresh: boolean;
  readonly clients: Map<string, FakeClient>;
  readonly deviceCodes: Map<string, FakeDeviceCode>;
  readonly codes: Map<string, FakeAuthorizationCode>;
  /** Every PKCE verifier CreateToken was sent: secrets a test checks never leak. */
  readonly verifiers: string[];
}

const controls = new WeakMap<IdentityCenterState, OidcControls>();

export function oidcControls(state: IdentityCenterState): OidcControls {
  let found = controls.get(state);
  if (!found) {
    found = {
      authorizeState: (given) => given,
      authorizeError: undefined,
      slowDowns: 0,
      denyDevice: false,
      deviceSeconds: 600,
      intervalSeconds: 1,
      refuseRefresh: false,
      clients: new Map(),
      deviceCodes: new Map(),
      codes: new Map(),
      verifiers: [],
    };
    controls.set(state, found);
  }
  return found;
}

const GRANT_DEVICE = 'urn:ietf:params:oauth:grant-type:device_code';

export const oidcRoutes: FakeRoutes = {
  'POST /client/register': (request, state) => {
    state.record('RegisterClient');
    const body = json(request);
    if (body.clientType !== 'public' || typeof body.clientName !== 'string') return oauthError(400, 'InvalidRequestException', 'invalid_request', 'clientName and clientType public are required');
    const client: FakeClient = {
      clientId: `client-${randomBytes(8).toString('hex')}`,
      clientSecret: `secret-${randomBytes(32).toString('base64url')}`,
      scopes: Array.isArray(body.scopes) ? body.scopes.map(String) : [],
      grantTypes: Array.isArray(body.grantTypes) ? body.grantTypes.map(String) : [],
    };
    oidcControls(state).clients.set(client.clientId, client);
    const now = Math.floor(Date.now() / 1000);
    return ok({ clientId: client.clientId, clientSecret: client.clientSecret, clientIdIssuedAt: now, clientSecretExpiresAt: now + 90 * 86_400 });
  },

  'POST /device_authorization': (request, state) => {
    state.record('StartDeviceAuthorization');
    const body = json(request);
    const client = clientOf(state, body);
    if (!client) return oauthError(401, 'InvalidClientException', 'invalid_client', 'unknown client');
    const c = oidcControls(state);
    const deviceCode = `device-${randomBytes(24).toString('base64url')}`;
    const userCode = `${randomBytes(2).toString('hex')}-${randomBytes(2).toString('hex')}`.toUpperCase();
    c.deviceCodes.set(deviceCode, { clientId: client.clientId, userCode, expiresAt: Date.now() + c.deviceSeconds * 1000, status: 'pending' });
    const base = baseUrl(request);
    return ok({
      deviceCode,
      userCode,
      verificationUri: `${base}/device`,
      verificationUriComplete: `${base}/device?user_code=${userCode}`,
      expiresIn: c.deviceSeconds,
      interval: c.intervalSeconds,
    });
  },

  /** The verification page: approves (or denies) the device code of the user code given. */
  'GET /device': (request, state) => {
    state.record('verify');
    const c = oidcControls(state);
    const userCode = request.url.searchParams.get('user_code');
    const device = [...c.deviceCodes.values()].find((d) => d.userCode === userCode && d.status === 'pending');
    if (!device) return { status: 404, headers: { 'content-type': 'text/html' }, body: '<p>no such code</p>' };
    device.status = c.denyDevice ? 'denied' : 'approved';
    return { status: 200, headers: { 'content-type': 'text/html' }, body: `<p>${device.status}</p>` };
  },

  /** The sign-in page of the PKCE flow: signs in at once and redirects back with a code. */
  'GET /authorize': (request, state) => {
    state.record('authorize');
    const q = request.url.searchParams;
    const client = oidcControls(state).clients.get(q.get('client_id') ?? '');
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!client || !client.grantTypes.includes('authorization_code')) return { status: 400, body: 'unknown client' };
    if (!/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/.test(redirectUri)) return { status: 400, body: 'redirect_uri is not a loopback callback' };
    if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) return { status: 400, body: 'PKCE S256 is required' };
    const denied = oidcControls(state).authorizeError;
    if (denied !== undefined) {
      const back = new URL(redirectUri);
      back.searchParams.set('error', denied);
      back.searchParams.set('state', oidcControls(state).authorizeState(q.get('state') ?? ''));
      return { status: 302, headers: { location: back.toString(), 'content-type': 'text/html' }, body: '' };
    }
    const code = `code-${randomBytes(24).toString('base64url')}`;
    oidcControls(state).codes.set(code, { clientId: client.clientId, redirectUri, challenge: q.get('code_challenge') ?? '', used: false });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('state', oidcControls(state).authorizeState(q.get('state') ?? ''));
    return { status: 302, headers: { location: back.toString(), 'content-type': 'text/html' }, body: '' };
  },

  'POST /token': (request, state) => {
    const body = json(request);
    const grantType = String(body.grantType ?? '');
    state.record(`CreateToken:${grantType === GRANT_DEVICE ? 'device_code' : grantType}`);
    const client = clientOf(state, body);
    if (!client) return oauthError(401, 'InvalidClientException', 'invalid_client', 'unknown client or wrong secret');
    const c = oidcControls(state);
    if (grantType === 'authorization_code') {
      const code = c.codes.get(String(body.code ?? ''));
      if (!code || code.used || code.clientId !== client.clientId || code.redirectUri !== body.redirectUri) return oauthError(400, 'InvalidGrantException', 'invalid_grant', 'unknown or used code');
      code.used = true;
      c.verifiers.push(String(body.codeVerifier ?? ''));
      const challenge = createHash('sha256').update(String(body.codeVerifier ?? '')).digest('base64url');
      if (challenge !== code.challenge) return oauthError(400, 'InvalidGrantException', 'invalid_grant', 'the code verifier does not match the challenge');
      return issued(state, client);
    }
    if (grantType === GRANT_DEVICE) {
      const device = c.deviceCodes.get(String(body.deviceCode ?? ''));
      if (!device || device.clientId !== client.clientId || device.status === 'used') return oauthError(400, 'InvalidGrantException', 'invalid_grant', 'unknown device code');
      if (device.expiresAt <= Date.now()) return oauthError(400, 'ExpiredTokenException', 'expired_token', 'the device code expired');
      if (c.slowDowns > 0) {
        c.slowDowns--;
        state.record('slow_down');
        return oauthError(400, 'SlowDownException', 'slow_down', 'polling too fast');
      }
      if (device.status === 'denied') return oauthError(400, 'AccessDeniedException', 'access_denied', 'the user denied the sign-in');
      if (device.status === 'pending') {
        state.record('authorization_pending');
        return oauthError(400, 'AuthorizationPendingException', 'authorization_pending', 'not approved yet');
      }
      device.status = 'used';
      return issued(state, client);
    }
    if (grantType === 'refresh_token') {
      const old = [...state.tokens.values()].find((t) => t.refreshToken !== undefined && t.refreshToken === body.refreshToken);
      if (c.refuseRefresh || !old || old.revoked || old.clientId !== client.clientId) return oauthError(400, 'InvalidGrantException', 'invalid_grant', 'the refresh token is not valid');
      // The old pair is spent: a refresh token used twice is refused.
      old.revoked = true;
      return issued(state, client);
    }
    return oauthError(400, 'UnsupportedGrantTypeException', 'unsupported_grant_type', grantType);
  },
};

function issued(state: IdentityCenterState, client: FakeClient): FakeReply {
  // As at AWS: a refresh token only for a client registered with scopes.
  const token = state.issueToken({ refresh: client.scopes.length > 0, clientId: client.clientId, scopes: client.scopes });
  return ok({
    accessToken: token.accessToken,
    tokenType: 'Bearer',
    expiresIn: Math.round((token.expiresAt - Date.now()) / 1000),
    ...(token.refreshToken ? { refreshToken: token.refreshToken } : {}),
  });
}

function clientOf(state: IdentityCenterState, body: Record<string, unknown>): FakeClient | undefined {
  const client = oidcControls(state).clients.get(String(body.clientId ?? ''));
  return client && client.clientSecret === body.clientSecret ? client : undefined;
}

function json(request: FakeRequest): Record<string, unknown> {
  try {
    return JSON.parse(request.body || '{}') as Record<string, unknown>;
  } catch {
    return {};
  }
}

function baseUrl(request: FakeRequest): string {
  return `http://${request.headers.host ?? '127.0.0.1'}`;
}

function ok(body: unknown): FakeReply {
  return { status: 200, body: JSON.stringify(body) };
}

function oauthError(status: number, exception: string, error: string, description: string): FakeReply {
  return { status, headers: { 'x-amzn-errortype': exception }, body: JSON.stringify({ error, error_description: description }) };
}
