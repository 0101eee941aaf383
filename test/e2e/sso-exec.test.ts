/**
 * exec, credential-process and export over IAM Identity Center profiles,
 * against the fake Identity Center (role credentials from moto's
 * AssumeRole) with the AWS CLI as the child: the token is one a sign-in
 * left (in the vault, or in the AWS CLI's cache), the role session is
 * cached like every session, and a chain over an SSO profile assumes its
 * role with the SSO role's credentials.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { rolecallBin, runProcess, runRolecall, type Sandbox } from '../helpers/sandbox.js';
import { plantAwsCliToken, plantVaultToken, ssoSession, ssoWorldForSuite, SSO_CONFIG, START_URL } from '../helpers/sso-world.js';
import { CALLER_ARN } from '../helpers/sts-world.js';
import { hookHome, ONE_OF_EACH_SHELL, runInteractive } from './shell-hook-harness.js';
import { startFakeFederation } from '../helpers/fake-federation.js';

const CONFIG = `${SSO_CONFIG}
[profile legacy]
sso_start_url = ${START_URL}
sso_region = us-east-1
sso_account_id = 444455556666
sso_role_name = ReadOnly
region = eu-west-1
`;

describe('exec over an IAM Identity Center profile', { concurrency: false }, () => {
  const suite = ssoWorldForSuite();

  function prepared(): Sandbox {
    const box = suite.world.sandbox();
    box.write('.aws/config', CONFIG);
    suite.world.identityCenter.state.calls.length = 0;
    suite.world.sts.proxy.reset();
    return box;
  }

  test('a token the AWS CLI left in ~/.aws/sso/cache: the child is the role; the second exec asks the portal nothing', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = prepared();
    plantAwsCliToken(box, ssoSession('corp'), suite.world.identityCenter.state.issueToken());
    const first = await runRolecall(box, ['exec', 'dev', '--', ...CALLER_ARN]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout.trim(), /^arn:aws:sts::111122223333:assumed-role\/Developer\//);
    const second = await runRolecall(box, ['exec', 'dev', '--', ...CALLER_ARN]);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stdout, first.stdout);
    assert.equal(suite.world.identityCenter.state.count('GetRoleCredentials'), 1, 'the role session was cached');
  });

  test('a token in the vault; the legacy form (sso_start_url in the profile) reads the AWS CLI cache named by the start URL', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = prepared();
    await plantVaultToken(box, ssoSession('corp'), suite.world.identityCenter.state.issueToken());
    const dev = await runRolecall(box, ['exec', 'dev', '--', ...CALLER_ARN]);
    assert.equal(dev.status, 0, dev.stderr);
    assert.match(dev.stdout.trim(), /^arn:aws:sts::111122223333:assumed-role\/Developer\//);

    plantAwsCliToken(box, ssoSession(undefined), suite.world.identityCenter.state.issueToken());
    const legacy = await runRolecall(box, ['exec', 'legacy', '--', ...CALLER_ARN]);
    assert.equal(legacy.status, 0, legacy.stderr);
    assert.match(legacy.stdout.trim(), /^arn:aws:sts::444455556666:assumed-role\/ReadOnly\//);
  });

  test('no token: one line that says how to sign in, status 125, and no call to the portal', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = prepared();
    const run = await runRolecall(box, ['exec', 'dev', '--', 'true']);
    assert.equal(run.status, 125);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /no valid IAM Identity Center token for sso-session "corp"; run `rolecall sso login dev`/);
    assert.equal(suite.world.identityCenter.state.count('GetRoleCredentials'), 0);

    // An expired token is no token; nor is one the portal refuses (signed out elsewhere).
    plantAwsCliToken(box, ssoSession('corp'), suite.world.identityCenter.state.issueToken({ seconds: -60 }));
    const expired = await runRolecall(box, ['exec', 'dev', '--', 'true']);
    assert.equal(expired.status, 125, expired.stderr);
    const revoked = suite.world.identityCenter.state.issueToken();
    revoked.revoked = true;
    plantAwsCliToken(box, ssoSession('corp'), revoked);
    const refused = await runRolecall(box, ['exec', 'dev', '--', 'true']);
    assert.equal(refused.status, 125, refused.stderr);
    assert.match(refused.stderr, /run `rolecall sso login dev`/);
  });

  test('a role chain over an SSO profile: AssumeRole with the SSO role credentials, in the profile region', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = prepared();
    await plantVaultToken(box, ssoSession('corp'), suite.world.identityCenter.state.issueToken());
    const run = await runRolecall(box, ['exec', 'audit', '--', 'sh', '-c', 'aws sts get-caller-identity --query Arn --output text; echo "$AWS_REGION"']);
    assert.equal(run.status, 0, run.stderr);
    const [arn, region] = run.stdout.trim().split('\n');
    assert.match(arn ?? '', /^arn:aws:sts::444455556666:assumed-role\/Auditor\//);
    assert.equal(region, 'eu-central-1');
    const assumed = suite.world.sts.proxy.calls.filter((call) => call.action === 'AssumeRole');
    assert.equal(assumed.length, 1);
    assert.equal(assumed[0]?.region, 'eu-central-1');
    assert.equal(suite.world.identityCenter.state.count('GetRoleCredentials'), 1);
    // The SSO role session below is cached too: a second chain asks neither again.
    const again = await runRolecall(box, ['exec', 'audit', '--', 'true']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(suite.world.identityCenter.state.count('GetRoleCredentials'), 1);
    assert.equal(suite.world.sts.proxy.count('AssumeRole'), 1);
  });

  test('region is STS and the child\'s, sso_region the portal\'s', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = prepared();
    box.write('.aws/config', CONFIG.replace('sso_region = us-east-1\nsso_registration_scopes', 'sso_region = ap-southeast-2\nsso_registration_scopes'));
    await plantVaultToken(box, ssoSession('corp', 'ap-southeast-2'), suite.world.identityCenter.state.issueToken());
    const run = await runRolecall(box, ['exec', '--debug', 'dev', '--', 'sh', '-c', 'echo "$AWS_REGION"']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'eu-west-1');
    assert.match(run.stderr, /GetRoleCredentials 111122223333\/Developer for profile "dev" \(sso-session "corp"\), in ap-southeast-2 at http:\/\/127\.0\.0\.1:/);
  });

  test('exec --server hands the child\'s SDKs the SSO role session', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = prepared();
    await plantVaultToken(box, ssoSession('corp'), suite.world.identityCenter.state.issueToken());
    const run = await runRolecall(box, ['exec', '--server', 'dev', '--', 'sh', '-c', 'test -z "$AWS_SECRET_ACCESS_KEY" && aws sts get-caller-identity --query Arn --output text']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout.trim(), /^arn:aws:sts::111122223333:assumed-role\/Developer\//);
  });

  test('credential-process and export print the SSO role session', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = prepared();
    await plantVaultToken(box, ssoSession('corp'), suite.world.identityCenter.state.issueToken());
    const json = await runRolecall(box, ['credential-process', 'dev']);
    assert.equal(json.status, 0, json.stderr);
    const printed = JSON.parse(json.stdout) as { Version: number; AccessKeyId: string; SessionToken: string; Expiration: string };
    assert.equal(printed.Version, 1);
    assert.ok(printed.SessionToken && printed.Expiration);

    // The AWS CLI takes that as a credential_process of its own.
    box.write('.aws/config', `${CONFIG}\n[profile via-process]\ncredential_process = ${process.execPath} ${rolecallBin} credential-process dev\nregion = eu-west-1\n`);
    const aws = await runProcess('aws', ['--profile', 'via-process', ...CALLER_ARN.slice(1)], { env: box.env });
    assert.equal(aws.status, 0, aws.stderr);
    assert.match(aws.stdout.trim(), /^arn:aws:sts::111122223333:assumed-role\/Developer\//);

    const exported = await runRolecall(box, ['export', 'dev']);
    assert.equal(exported.status, 0, exported.stderr);
    assert.match(exported.stdout, new RegExp(`AWS_ACCESS_KEY_ID=.?${printed.AccessKeyId}`));
    assert.equal(suite.world.identityCenter.state.count('GetRoleCredentials'), 1, 'export used the session credential-process cached');
  });

  for (const shell of ONE_OF_EACH_SHELL) {
    test(`the ${shell.command} hook switches to an SSO profile: the shell gets its role session and region`, async (t) => {
      if (!requireCommands(t, 'moto_server', 'aws', shell.command)) return;
      const box = prepared();
      const home = hookHome(box, CONFIG, { project: 'dev' });
      await plantVaultToken(box, ssoSession('corp'), suite.world.identityCenter.state.issueToken());
      const script = [shell.userHooks, `. '${shell.hookFile}'`, `cd '${box.home}/tree/project'`, 'rolecall allow >/dev/null', ':', `echo "@@$AWS_REGION"`, 'aws sts get-caller-identity --query Arn --output text'].join('\n');
      const run = await runInteractive(shell, home.env, box.home, script);
      assert.match(run.stdout, /@@eu-west-1\n/, run.stderr);
      assert.match(run.stdout, /arn:aws:sts::111122223333:assumed-role\/Developer\//, run.stderr);
      assert.match(run.stderr, /rolecall: profile dev from ~\/tree\/project\/\.awsprofile/);
    });
  }

  test('rolecall login signs in to the console with the SSO role session, for its SessionDuration', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const federation = await startFakeFederation();
    t.after(() => federation.stop());
    const box = prepared();
    await plantVaultToken(box, ssoSession('corp'), suite.world.identityCenter.state.issueToken());
    const run = await runRolecall(box, ['login', 'dev', '--stdout', '--duration', '30m'], { env: { AWS_ENDPOINT_URL_SIGNIN: federation.url } });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(federation.requests.length, 1);
    const request = federation.requests[0]!;
    assert.equal(request.sessionDuration, '1800', 'a role session: SessionDuration is sent');
    assert.match(request.session.sessionId ?? '', /^ASIA/);
    assert.equal(new URL(run.stdout.trim()).searchParams.get('SigninToken'), request.token);
  });
});
