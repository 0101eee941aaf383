/**
 * Sharing an Identity Center token with the AWS CLI
 * (rolecall_share_sso_cache = true in the sso-session section): rolecall
 * writes it to ~/.aws/sso/cache in the AWS CLI's format, 0600, and the AWS
 * CLI itself (botocore's SSO provider, against the fake through
 * AWS_ENDPOINT_URL_SSO) gets the role's credentials with it. Without the
 * option, rolecall writes nothing there, but for one case: a token it
 * refreshes in place of the one that file holds (a one-off `sso login
 * --share-with-aws-cli`) is written back, as the refresh spent that file's
 * refresh token.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { runProcess, runRolecall } from '../helpers/sandbox.js';
import { withBrowser } from './sso-login-harness.js';
import { plantVaultToken, ssoSession, ssoWorldForSuite, START_URL } from '../helpers/sso-world.js';
import { CALLER_ARN } from '../helpers/sts-world.js';

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
