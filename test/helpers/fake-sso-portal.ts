/**
 * The portal half of the fake Identity Center (fake-identity-center.ts):
 * GetRoleCredentials (from moto's AssumeRole), ListAccounts,
 * ListAccountRoles, Logout, on the paths and with the errors of the real
 * portal API (REST-JSON, the bearer token in `x-amz-sso_bearer_token`), so
 * @aws-sdk/client-sso and botocore's SSO provider read its answers as the
 * real service's.
 *
 * Each call is recorded under its operation name ("GetRoleCredentials", …)
 * and counted only when its token was accepted, so a test's count is of
 * calls that could have given credentials.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { FakeAccount, FakeReply, FakeRequest, FakeRoutes, IdentityCenterState } from './fake-identity-center.js';

const PAGE_DEFAULT = 20;
// The SDK's Node-version warning would land in the test's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function error(status: number, type: string, message: string): FakeReply {
  return { status, headers: { 'x-amzn-errortype': type }, body: JSON.stringify({ message }) };
}

function ok(body: unknown): FakeReply {
  return { status: 200, body: JSON.stringify(body) };
}

/** The caller's token, or the 401 the real portal answers to a missing, unknown, revoked or expired one. */
function authorised(request: FakeRequest, state: IdentityCenterState): FakeReply | undefined {
  const bearer = request.headers['x-amz-sso_bearer_token'];
  const token = state.validToken(typeof bearer === 'string' ? bearer : undefined);
  return token ? undefined : error(401, 'UnauthorizedException', 'Session token not found or invalid');
}

function accountOf(state: IdentityCenterState, accountId: string | null): FakeAccount | undefined {
  return state.accounts.find((account) => account.accountId === accountId);
}

/** One page of `items` as the portal pages: `next_token` is where the page starts, `max_result` its size. */
function page<T>(request: FakeRequest, items: readonly T[]): { items: T[]; nextToken?: string } {
  const start = Number(request.url.searchParams.get('next_token') ?? '0') || 0;
  const size = Number(request.url.searchParams.get('max_result') ?? PAGE_DEFAULT) || PAGE_DEFAULT;
  const end = start + size;
  return { items: items.slice(start, end), ...(end < items.length ? { nextToken: String(end) } : {}) };
}

async function roleCredentials(request: FakeRequest, state: IdentityCenterState): Promise<FakeReply> {
  const refused = authorised(request, state);
  if (refused) return refused;
  const accountId = request.url.searchParams.get('account_id');
  const roleName = request.url.searchParams.get('role_name');
  const account = accountOf(state, accountId);
  if (!account || !roleName || !account.roles.includes(roleName)) {
    return error(403, 'ForbiddenException', 'No access');
  }
  state.record('GetRoleCredentials');
  // moto accepts any signature: the caller's keys only have to look like keys.
  const sts = new STSClient({
    region: 'us-east-1',
    endpoint: state.options.stsUrl,
    credentials: { accessKeyId: 'AKIAFAKEIDENTITYCENTER', secretAccessKey: 'fake-identity-center' },
  });
  try {
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account.accountId}:role/${roleName}`, RoleSessionName: 'sso-user@example.com', DurationSeconds: 3600 }),
    );
    const c = out.Credentials;
    return ok({
      roleCredentials: {
        accessKeyId: c?.AccessKeyId,
        secretAccessKey: c?.SecretAccessKey,
        sessionToken: c?.SessionToken,
        // The portal gives epoch milliseconds.
        expiration: c?.Expiration ? c.Expiration.getTime() : Date.now() + 3_600_000,
      },
    });
  } finally {
    sts.destroy();
  }
}

function listAccounts(request: FakeRequest, state: IdentityCenterState): FakeReply {
  const refused = authorised(request, state);
  if (refused) return refused;
  state.record('ListAccounts');
  const { items, nextToken } = page(
    request,
    state.accounts.map(({ accountId, accountName, emailAddress }) => ({ accountId, accountName, emailAddress })),
  );
  return ok({ accountList: items, ...(nextToken ? { nextToken } : {}) });
}

function listAccountRoles(request: FakeRequest, state: IdentityCenterState): FakeReply {
  const refused = authorised(request, state);
  if (refused) return refused;
  const account = accountOf(state, request.url.searchParams.get('account_id'));
  if (!account) return error(404, 'ResourceNotFoundException', 'No access');
  state.record('ListAccountRoles');
  const { items, nextToken } = page(
    request,
    account.roles.map((roleName) => ({ roleName, accountId: account.accountId })),
  );
  return ok({ roleList: items, ...(nextToken ? { nextToken } : {}) });
}

/** Logout revokes the token (and its refresh token with it): later calls with it are refused. */
function logout(request: FakeRequest, state: IdentityCenterState): FakeReply {
  const refused = authorised(request, state);
  if (refused) return refused;
  state.record('Logout');
  const bearer = request.headers['x-amz-sso_bearer_token'] as string;
  const token = state.tokens.get(bearer);
  if (token) token.revoked = true;
  return { status: 200, body: '' };
}

export const portalRoutes: FakeRoutes = {
  'GET /federation/credentials': roleCredentials,
  'GET /assignment/accounts': listAccounts,
  'GET /assignment/roles': listAccountRoles,
  'POST /logout': logout,
};
