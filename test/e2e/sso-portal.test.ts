/**
 * The portal client (src/identity-center/portal-client.ts) against the fake
 * Identity Center's portal half, through @aws-sdk/client-sso as rolecall
 * uses it: every page of ListAccounts and ListAccountRoles, role
 * credentials moto accepts, Logout ending the token, and the errors a user
 * is told about. (`rolecall sso profiles` and `sso logout` build on these.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getCallerIdentity } from '../../src/sts/sts-client.js';
import { getRoleCredentials, listAccountRoles, listAccounts, logout, TokenRefusedError } from '../../src/identity-center/portal-client.js';
import { CredentialError } from '../../src/base/errors.js';
import { startFakeIdentityCenter, type FakeAccount, type FakeIdentityCenter } from '../helpers/fake-identity-center.js';
import { startMoto, type MotoServer } from '../helpers/moto-server.js';
import { hasCommand, requireCommands } from '../helpers/peers.js';

/** More accounts than one page of the portal holds (20), so the client must follow nextToken. */
const ACCOUNTS: FakeAccount[] = Array.from({ length: 23 }, (_, i) => ({
  accountId: String(100000000000 + i),
  accountName: `Account ${i}`,
  emailAddress: `a${i}@example.com`,
  roles: i === 0 ? Array.from({ length: 22 }, (_, r) => `Role${r}`) : ['ReadOnly'],
}));

describe('the Identity Center portal client', { concurrency: false }, () => {
  let moto: MotoServer | undefined;
  let fake: FakeIdentityCenter | undefined;
  before(async () => {
    // Without moto each test skips (or fails under CI) by itself.
    if (!hasCommand('moto_server')) return;
    moto = await startMoto();
    fake = await startFakeIdentityCenter({ stsUrl: moto.url, accounts: ACCOUNTS });
  });
  after(async () => {
    await fake?.stop();
    await moto?.stop();
  });

  const target = () => ({ region: 'eu-west-1', endpoint: fake!.url });

  test('ListAccounts and ListAccountRoles give every page', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const token = fake!.state.issueToken().accessToken;
    const accounts = await listAccounts(target(), token);
    assert.equal(accounts.length, 23);
    assert.deepEqual(accounts[22], { accountId: '100000000022', accountName: 'Account 22', emailAddress: 'a22@example.com' });
    const roles = await listAccountRoles(target(), token, '100000000000');
    assert.deepEqual(roles.map((role) => role.roleName), Array.from({ length: 22 }, (_, r) => `Role${r}`));
    assert.equal(fake!.state.count('ListAccounts'), 2);
    assert.equal(fake!.state.count('ListAccountRoles'), 2);
  });

  test('GetRoleCredentials: a session STS (moto) takes as the role; a role out of reach is said so', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const token = fake!.state.issueToken().accessToken;
    const credentials = await getRoleCredentials(target(), token, '100000000001', 'ReadOnly');
    assert.ok(credentials.expiration.getTime() > Date.now() + 50 * 60_000, 'the expiry read from epoch milliseconds');
    assert.match(await getCallerIdentity({ region: 'us-east-1', endpoint: moto!.url }, credentials), /^arn:aws:sts::100000000001:assumed-role\/ReadOnly\//);
    await assert.rejects(getRoleCredentials(target(), token, '100000000001', 'Admin'), (error: unknown) => {
      assert.ok(error instanceof CredentialError);
      assert.match(error.message, /^GetRoleCredentials 100000000001\/Admin failed: ForbiddenException: No access; the token cannot reach that account or role/);
      assert.ok(!error.message.includes(token));
      return true;
    });
  });

  test('Logout ends the token: the portal refuses it afterwards', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const token = fake!.state.issueToken().accessToken;
    await logout(target(), token);
    assert.equal(fake!.state.count('Logout'), 1);
    await assert.rejects(getRoleCredentials(target(), token, '100000000001', 'ReadOnly'), TokenRefusedError);
    await assert.rejects(listAccounts(target(), token), TokenRefusedError);
  });

  test('a portal that is not there: the endpoint named', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    await assert.rejects(listAccounts({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:1' }, 'x'), /the portal is at http:\/\/127\.0\.0\.1:1 \(AWS_ENDPOINT_URL_SSO or AWS_ENDPOINT_URL\): is it up\?$/);
  });
});
