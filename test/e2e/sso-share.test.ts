/**
 * Sharing an Identity Center token with the AWS CLI
 * (rolecall_share_sso_cache = true in the sso-session section): rolecall
 * writes it to ~/.aws/sso/cache in the AWS CLI's format, 0600, and the AWS
 * CLI itself (botocore's SSO provider, against the fake through
 * AWS_ENDPOINT_URL_SSO) gets the role's credentials with it. Without the
 * option, rolecall writes nothing there. A token rolecall renews is written
 * back wherever the AWS CLI reads its line (shared once, or renewed from the
 * AWS CLI's own copy), so `aws --profile` keeps working after rolecall spent
 * the refresh token (with a refresh token that is not spent, and no refresh
 * of the AWS CLI's own); and `sso logout` signs out and removes the file.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { runProcess, runRolecall } from '../helpers/sandbox.js';
import { plantVaultToken, ssoSession, ssoWorldForSuite, START_URL } from '../helpers/sso-world.js';
import { CALLER_ARN } from '../helpers/sts-world.js';
import { NO_BROWSER, runWithoutTerminal, withBrowser } from './sso-login-harness.js';

function config(share: boolean): string {
  return `[sso-session corp]
sso_start_url = ${START_URL}
sso_region = us-east-1
${share ? 'rolecall_share_sso_cache = true\n' : ''}
[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
region = eu-west-1
`;
}

const CACHE_FILE = join('.aws', 'sso', 'cache', `${createHash('sha1').update('corp').digest('hex')}.json`);

describe('the token shared with the AWS CLI', { concurrency: false }, () => {
  const suite = ssoWorldForSuite();

  test('rolecall_share_sso_cache = true: the AWS CLI format, 0600, and `aws --profile dev` is the role with it', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = suite.world.sandbox();
    box.write('.aws/config', config(true));
    const token = suite.world.identityCenter.state.issueToken();
    await plantVaultToken(box, ssoSession('corp', 'us-east-1', true), token);
    const path = join(box.home, CACHE_FILE);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const shared = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
    assert.equal(shared.accessToken, token.accessToken);
    assert.equal(shared.startUrl, START_URL);
    assert.equal(shared.region, 'us-east-1');
    assert.match(shared.expiresAt ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const before = suite.world.identityCenter.state.count('GetRoleCredentials');
    // The AWS CLI's STS is moto itself; its portal the fake, as for rolecall.
    const aws = await runProcess('aws', ['--profile', 'dev', ...CALLER_ARN.slice(1)], { env: { ...box.env, AWS_ENDPOINT_URL_STS: suite.world.sts.moto.url } });
    assert.equal(aws.status, 0, aws.stderr);
    assert.match(aws.stdout.trim(), /^arn:aws:sts::111122223333:assumed-role\/Developer\//);
    assert.equal(suite.world.identityCenter.state.count('GetRoleCredentials'), before + 1, 'the AWS CLI asked the portal with the shared token');
  });

  test('sharing turned on after the sign-in: the next use of the token writes it there', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = suite.world.sandbox();
    box.write('.aws/config', config(false));
    const token = suite.world.identityCenter.state.issueToken();
    await plantVaultToken(box, ssoSession('corp'), token);
    const unshared = await runRolecall(box, ['exec', 'dev', '--', ...CALLER_ARN]);
    assert.equal(unshared.status, 0, unshared.stderr);
    assert.equal(existsSync(join(box.home, '.aws', 'sso')), false, 'not shared: nothing under ~/.aws/sso');

    box.write('.aws/config', config(true));
    // A warm exec reads no token; once its role session is cleared, the next one does.
    const cleared = await runRolecall(box, ['clear', 'dev']);
    assert.equal(cleared.status, 0, cleared.stderr);
    const shared = await runRolecall(box, ['exec', 'dev', '--', 'true']);
    assert.equal(shared.status, 0, shared.stderr);
    assert.equal(JSON.parse(readFileSync(join(box.home, CACHE_FILE), 'utf8')).accessToken, token.accessToken);
    assert.equal(statSync(join(box.home, CACHE_FILE)).mode & 0o777, 0o600);
  });

  const awsArn = (box: { env: Record<string, string>; home: string }) =>
    runProcess('aws', ['--profile', 'dev', 'sts', 'get-caller-identity', '--query', 'Arn', '--output', 'text'], { env: box.env, cwd: box.home });
  const fileToken = (home: string) => JSON.parse(readFileSync(join(home, CACHE_FILE), 'utf8')) as Record<string, string>;

  test('shared once at login, every refresh rolecall makes is written to the AWS CLI\'s cache: aws --profile dev works after it; sso logout signs out both and leaves no file', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = suite.world.sandbox();
    const browser = withBrowser(box);
    const state = suite.world.identityCenter.state;
    state.tokenSeconds = 600;
    const login = await runRolecall(box, ['sso', 'login', 'dev', '--share-with-aws-cli'], { env: browser });
    assert.equal(login.status, 0, login.stderr);
    const first = fileToken(box.home).accessToken;
    state.tokenSeconds = 3600;
    const refreshes = state.count('CreateToken:refresh_token');
    // 10 minutes left: exec refreshes (spending the refresh token the AWS CLI's copy holds).
    const exec = await runWithoutTerminal(box, ['exec', 'dev', '--', 'true'], { env: NO_BROWSER });
    assert.equal(exec.status, 0, exec.stderr);
    assert.equal(state.count('CreateToken:refresh_token'), refreshes + 1);
    const renewed = fileToken(box.home);
    assert.notEqual(renewed.accessToken, first, 'the renewed token is in the AWS CLI\'s cache');
    assert.ok(state.validToken(renewed.accessToken));
    const cli = await awsArn(box);
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout.trim(), /^arn:aws:sts::111122223333:assumed-role\/Developer\//);

    const logout = await runRolecall(box, ['sso', 'logout', 'dev'], { env: NO_BROWSER });
    assert.equal(logout.status, 0, logout.stderr);
    assert.equal(existsSync(join(box.home, CACHE_FILE)), false, 'no plain-text token, refresh token or client secret left');
    assert.equal(state.validToken(renewed.accessToken), undefined, 'signed out at the portal');
    const after = await awsArn(box);
    assert.notEqual(after.status, 0);
  });

  test('a second sso login without --share-with-aws-cli still writes the AWS CLI\'s copy (it is remembered), and sso logout removes it and signs out both tokens', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = suite.world.sandbox();
    const browser = withBrowser(box);
    suite.world.identityCenter.state.tokenSeconds = 3600;
    assert.equal((await runRolecall(box, ['sso', 'login', 'dev', '--share-with-aws-cli'], { env: browser })).status, 0);
    const shared = fileToken(box.home).accessToken;
    assert.equal((await runRolecall(box, ['sso', 'login', 'dev'], { env: browser })).status, 0);
    const second = fileToken(box.home).accessToken;
    assert.notEqual(second, shared, 'the AWS CLI has the new token, not a stale one');
    // The AWS CLI's copy differs from the vault's (say the AWS CLI signed in itself meanwhile): logout signs out both.
    const own = suite.world.identityCenter.state.issueToken();
    writeFileSync(join(box.home, CACHE_FILE), JSON.stringify({ ...fileToken(box.home), accessToken: own.accessToken }));
    const logout = await runRolecall(box, ['sso', 'logout', 'dev'], { env: NO_BROWSER });
    assert.equal(logout.status, 0, logout.stderr);
    assert.equal(existsSync(join(box.home, CACHE_FILE)), false);
    assert.equal(suite.world.identityCenter.state.validToken(second), undefined);
    assert.equal(suite.world.identityCenter.state.validToken(own.accessToken), undefined);
    const exec = await runWithoutTerminal(box, ['exec', 'dev', '--', 'true'], { env: NO_BROWSER });
    assert.equal(exec.status, 125, 'signed out: nothing left to sign in with');
  });

  test('a token rolecall renewed from the AWS CLI\'s own sign-in is written back: the AWS CLI is not left with a spent refresh token', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = suite.world.sandbox();
    box.write('.aws/config', config(false));
    const state = suite.world.identityCenter.state;
    // The AWS CLI's own registration and sign-in (as `aws sso login` leaves them), 10 minutes left.
    const registered = await runProcess('aws', ['sso-oidc', 'register-client', '--client-name', 'botocore-client-corp', '--client-type', 'public', '--scopes', 'sso:account:access', '--region', 'us-east-1', '--no-sign-request', '--output', 'json'], { env: box.env, cwd: box.home });
    assert.equal(registered.status, 0, registered.stderr);
    const client = JSON.parse(registered.stdout) as { clientId: string; clientSecret: string; clientSecretExpiresAt: number };
    const own = state.issueToken({ seconds: 600, refresh: true, clientId: client.clientId, scopes: ['sso:account:access'] });
    box.write(CACHE_FILE, JSON.stringify({
      startUrl: START_URL, region: 'us-east-1', accessToken: own.accessToken, expiresAt: new Date(own.expiresAt).toISOString().replace(/\.\d+Z$/, 'Z'),
      clientId: client.clientId, clientSecret: client.clientSecret, registrationExpiresAt: new Date(client.clientSecretExpiresAt * 1000).toISOString().replace(/\.\d+Z$/, 'Z'), refreshToken: own.refreshToken,
    }), 0o600);
    const refreshes = state.count('CreateToken:refresh_token');
    const exec = await runWithoutTerminal(box, ['exec', 'dev', '--', ...CALLER_ARN], { env: NO_BROWSER });
    assert.equal(exec.status, 0, exec.stderr);
    assert.equal(state.count('CreateToken:refresh_token'), refreshes + 1, 'rolecall refreshed it');
    const written = fileToken(box.home);
    assert.notEqual(written.accessToken, own.accessToken);
    assert.ok(state.validToken(written.accessToken));
    assert.equal(written.clientId, client.clientId);
    const cli = await awsArn(box);
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout.trim(), /^arn:aws:sts::111122223333:assumed-role\/Developer\//);
  });

  test('after `sso login --share-with-aws-cli` once, a refresh by rolecall is written back: the AWS CLI is not left with a spent refresh token', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = suite.world.sandbox();
    const state = suite.world.identityCenter.state;
    const browser = withBrowser(box, config(false));
    const refreshes = () => state.count('CreateToken:refresh_token');
    // Inside the refresh window (15 minutes), so the next command refreshes it.
    state.tokenSeconds = 600;
    try {
      const login = await runRolecall(box, ['sso', 'login', 'dev', '--share-with-aws-cli'], { env: browser });
      assert.equal(login.status, 0, login.stderr);
    } finally {
      state.tokenSeconds = 3600;
    }
    const signedIn = JSON.parse(readFileSync(join(box.home, CACHE_FILE), 'utf8')) as Record<string, string>;
    const refreshesBefore = refreshes();
    const exec = await runRolecall(box, ['exec', 'dev', '--', ...CALLER_ARN]);
    assert.equal(exec.status, 0, exec.stderr);
    assert.equal(refreshes(), refreshesBefore + 1, 'rolecall refreshed it');
    const renewed = JSON.parse(readFileSync(join(box.home, CACHE_FILE), 'utf8')) as Record<string, string>;
    assert.notEqual(renewed.accessToken, signedIn.accessToken, "the AWS CLI's copy is the renewed token");
    assert.notEqual(renewed.refreshToken, signedIn.refreshToken, 'with the refresh token that is not spent');
    assert.equal(statSync(join(box.home, CACHE_FILE)).mode & 0o777, 0o600);
    const aws = await runProcess('aws', ['--profile', 'dev', ...CALLER_ARN.slice(1)], { env: { ...box.env, AWS_ENDPOINT_URL_STS: suite.world.sts.moto.url } });
    assert.equal(aws.status, 0, aws.stderr);
    assert.match(aws.stdout.trim(), /^arn:aws:sts::111122223333:assumed-role\/Developer\//);
    assert.equal(refreshes(), refreshesBefore + 1, 'the AWS CLI needed no refresh of its own');
  });
});
