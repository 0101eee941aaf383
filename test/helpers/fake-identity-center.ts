/**
 * A fake of IAM Identity Center, ours, on loopback: no real peer stands in
 * for it (moto has no SSO OIDC or portal API). One server answers both APIs
 * on one port, as their paths do not collide, so AWS_ENDPOINT_URL_SSO_OIDC
 * and AWS_ENDPOINT_URL_SSO can both point at `url`:
 *
 * - the OIDC API (RegisterClient, StartDeviceAuthorization, CreateToken with
 *   its grants) and the browser's side of a sign-in (the authorize page, the
 *   verification page): routes of fake-sso-oidc.ts;
 * - the portal API (GetRoleCredentials, ListAccounts, ListAccountRoles,
 *   Logout): routes of fake-sso-portal.ts, whose role credentials come from
 *   moto's AssumeRole, so STS (moto) accepts them further down a chain.
 *
 * Both share one IdentityCenterState: the access tokens issued, the accounts
 * and roles a user can reach, and every call received (so a test can count
 * logins, refreshes and role-credential calls).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { oidcRoutes } from './fake-sso-oidc.js';
import { portalRoutes } from './fake-sso-portal.js';

export interface FakeAccessToken {
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** The registered client it was issued to, when issued through CreateToken. */
  readonly clientId?: string;
  readonly scopes: readonly string[];
  /** Epoch milliseconds. */
  expiresAt: number;
  revoked?: boolean;
}

export interface FakeAccount {
  readonly accountId: string;
  readonly accountName: string;
  readonly emailAddress: string;
  readonly roles: readonly string[];
}

export interface FakeCall {
  /** "RegisterClient", "CreateToken:refresh_token", "GetRoleCredentials", "authorize", … */
  readonly operation: string;
  readonly at: number;
}

export interface FakeRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface FakeReply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** "METHOD /path" -> handler. */
export type FakeRoutes = Record<string, (request: FakeRequest, state: IdentityCenterState) => FakeReply | Promise<FakeReply>>;

export interface FakeIdentityCenterOptions {
  /** moto's URL: GetRoleCredentials assumes arn:aws:iam::ACCOUNT:role/ROLE there. */
  readonly stsUrl: string;
  readonly accounts?: readonly FakeAccount[];
  /** Lifetime of the access tokens CreateToken issues, in seconds (default 3600). */
  readonly tokenSeconds?: number;
}

export class IdentityCenterState {
  readonly tokens = new Map<string, FakeAccessToken>();
  readonly calls: FakeCall[] = [];
  readonly accounts: FakeAccount[];
  tokenSeconds: number;

  constructor(readonly options: FakeIdentityCenterOptions) {
    this.accounts = [...(options.accounts ?? DEFAULT_ACCOUNTS)];
    this.tokenSeconds = options.tokenSeconds ?? 3600;
  }

  /** A new access token (and refresh token when asked), as a login would give; tests use it to stand for `aws sso login`. */
  issueToken(options: { seconds?: number; refresh?: boolean; clientId?: string; scopes?: readonly string[] } = {}): FakeAccessToken {
    const token: FakeAccessToken = {
      accessToken: `aoa${randomBytes(24).toString('base64url')}`,
      ...(options.refresh ? { refreshToken: `aor${randomBytes(24).toString('base64url')}` } : {}),
      ...(options.clientId ? { clientId: options.clientId } : {}),
      scopes: options.scopes ?? ['sso:account:access'],
      expiresAt: Date.now() + (options.seconds ?? this.tokenSeconds) * 1000,
    };
    this.tokens.set(token.accessToken, token);
    return token;
  }

  /** The token a bearer value names, when it was issued, is not revoked and has not expired. */
  validToken(accessToken: string | undefined): FakeAccessToken | undefined {
    const token = accessToken === undefined ? undefined : this.tokens.get(accessToken);
    return token && !token.revoked && token.expiresAt > Date.now() ? token : undefined;
  }

  record(operation: string): void {
    this.calls.push({ operation, at: Date.now() });
  }

  count(operation: string): number {
    return this.calls.filter((call) => call.operation === operation).length;
  }
}

export const DEFAULT_ACCOUNTS: readonly FakeAccount[] = [
  { accountId: '111122223333', accountName: 'Development', emailAddress: 'dev@example.com', roles: ['Developer', 'ReadOnly'] },
  { accountId: '444455556666', accountName: 'Production', emailAddress: 'prod@example.com', roles: ['ReadOnly'] },
];

export interface FakeIdentityCenter {
  /** The base URL, for AWS_ENDPOINT_URL_SSO_OIDC and AWS_ENDPOINT_URL_SSO. */
  readonly url: string;
  readonly state: IdentityCenterState;
  stop(): Promise<void>;
}

export async function startFakeIdentityCenter(options: FakeIdentityCenterOptions): Promise<FakeIdentityCenter> {
  const state = new IdentityCenterState(options);
  const routes: FakeRoutes = { ...oidcRoutes, ...portalRoutes };
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://fake');
      const method = incoming.method ?? 'GET';
      const handler = routes[`${method} ${url.pathname}`];
      const request: FakeRequest = { method, url, headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8') };
      Promise.resolve(handler ? handler(request, state) : { status: 404, body: JSON.stringify({ message: `no route ${method} ${url.pathname}` }) })
        .then((reply) => outgoing.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(reply.body ?? ''))
        .catch((error: unknown) => outgoing.writeHead(500).end(JSON.stringify({ message: String(error) })));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
