/**
 * `rolecall sso login` against the fake Identity Center (OIDC half) and
 * moto, with a $BROWSER script of the test's standing for the person's
 * browser: the PKCE flow on the loopback redirect (a wrong state refused),
 * the device-code flow (authorization_pending, then the approval), printing
 * instead of opening with --no-browser, the registration kept, a refresh
 * with no browser, a refused refresh falling back to a sign-in; then
 * `sso logout` and `sso profiles`, whose sections work pasted into the config.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { oidcControls } from '../helpers/fake-sso-oidc.js';
import { requireCommands } from '../helpers/peers.js';
import { runProcess, runRolecall, type Sandbox } from '../helpers/sandbox.js';
import { plantAwsCliToken, ssoSession, ssoWorldForSuite, START_URL } from '../helpers/sso-world.js';
import { CALLER_ARN } from '../helpers/sts-world.js';
import { browserRuns, CONFIG, NO_BROWSER, runWithoutTerminal, withBrowser } from './sso-login-harness.js';

describe('sso login', { concurrency: false }, () => {
  const suite = ssoWorldForSuite();

  function prepared(): { box: Sandbox; browser: Record<string, string> } {
    const box = suite.world.sandbox();
    const browser = withBrowser(box);
    const state = suite.world.identityCenter.state;
    state.calls.length = 0;
    state.tokenSeconds = 3600;
    const controls = oidcControls(state);
    controls.authorizeState = (given) => given;
    controls.refuseRefresh = false;
    controls.slowDowns = 0;
    controls.denyDevice = false;
    suite.world.sts.proxy.reset();
    return { box, browser };
  }

  const count = (operation: string) => suite.world.identityCenter.state.count(operation);

  test('the PKCE flow: the browser visits the authorize page, the loopback redirect gets the code, exec then needs no sign-in', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const { box, browser } = prepared();
    const login = await runRolecall(box, ['sso', 'login', 'dev'], { env: browser });
    assert.equal(login.status, 0, login.stderr);
    assert.match(login.stdout, /^signed in to IAM Identity Center \(sso-session "corp"\) until \S+, refreshed after that without a browser\n$/);
    assert.equal(browserRuns(box).length, 1);
    assert.equal(count('authorize'), 1);
    assert.equal(count('CreateToken:authorization_code'), 1);

    // No browser now: the token kept in the vault is enough.
    const exec = await runWithoutTerminal(box, ['exec', 'dev', '--', ...CALLER_ARN], { env: NO_BROWSER });
    assert.equal(exec.status, 0, exec.stderr);
    assert.match(exec.stdout.trim(), /^arn:aws:sts::111122223333:assumed-role\/Developer\//);

    // A chain over the SSO profile signs in with the same session: `sso login audit` is the same sign-in.
    const again = await runRolecall(box, ['sso', 'login', 'audit'], { env: browser });
    assert.equal(again.status, 0, again.stderr);
    assert.equal(count('RegisterClient'), 1, 'the second login reused the registration');
    assert.equal(count('authorize'), 2);
  });

  test('a redirect with this login\'s state and an error ends the sign-in with its line, and no token is kept', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const { box } = prepared();
    box.write('deny.sh', `#!/bin/sh\nnode -e 'const u=new URL(process.argv[1]);const r=new URL(u.searchParams.get("redirect_uri"));r.searchParams.set("state",u.searchParams.get("state"));r.searchParams.set("error","access_denied");fetch(r)' "$1" </dev/null >/dev/null 2>&1 &\nexit 0\n`, 0o755);
    const login = await runRolecall(box, ['sso', 'login', 'dev'], { env: { BROWSER: `${box.home}/deny.sh` } });
    assert.equal(login.status, 1);
    assert.match(login.stderr, /^rolecall: the sign-in was not approved: access_denied\n$/m);
    assert.equal(count('CreateToken:authorization_code'), 0, 'no code was exchanged');
    const exec = await runWithoutTerminal(box, ['exec', 'dev', '--', 'true'], { env: NO_BROWSER });
    assert.equal(exec.status, 125);
    assert.equal(exec.stderr, 'rolecall: no valid IAM Identity Center token for sso-session "corp"; run `rolecall sso login dev`\n');
  });

  test('--use-device-code: the browser visits verification_uri_complete; polls see authorization_pending, then the approval', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const { box, browser } = prepared();
    const login = await runRolecall(box, ['sso', 'login', '--sso-session', 'corp', '--use-device-code'], { env: { ...browser, VISIT_DELAY_MS: '1500' } });
    assert.equal(login.status, 0, login.stderr);
    assert.match(login.stderr, /check that it shows the code [0-9A-F]{4}-[0-9A-F]{4}/);
    assert.equal(count('StartDeviceAuthorization'), 1);
    assert.equal(count('verify'), 1);
    assert.ok(count('authorization_pending') >= 1, 'polled before the approval');
    assert.equal(count('authorize'), 0, 'not the PKCE flow');
  });

  test('a device code denied in the browser ends the sign-in with one line; slow_down slows the polls and the sign-in goes on', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const { box, browser } = prepared();
    const controls = oidcControls(suite.world.identityCenter.state);
    controls.denyDevice = true;
    const denied = await runRolecall(box, ['sso', 'login', 'dev', '--use-device-code'], { env: browser });
    assert.equal(denied.status, 1);
    assert.match(denied.stderr, /^rolecall: the sign-in to IAM Identity Center \(sso-session "corp"\) was denied in the browser\n$/m);
    controls.denyDevice = false;
    controls.slowDowns = 1;
    const slowed = await runRolecall(box, ['sso', 'login', 'dev', '--use-device-code'], { env: browser });
    assert.equal(slowed.status, 0, slowed.stderr);
    assert.equal(count('slow_down'), 1);
  });

  test('the AWS CLI, as a client of the fake OIDC API, reads its answers and OAuth errors as rolecall does', async (t) => {
    if (!requireCommands(t, 'aws')) return;
    const box = suite.world.sandbox();
    // The AWS CLI v1 would fetch a parameter that is a URL (--start-url) unless told not to.
    box.write('.aws/config', '[default]\ncli_follow_urlparam = false\n');
    const aws = (...args: string[]) => runProcess('aws', ['sso-oidc', ...args, '--region', 'us-east-1', '--endpoint-url', suite.world.identityCenter.url, '--output', 'json'], { env: box.env, cwd: box.home });
    const registered = await aws('register-client', '--client-name', 'peer', '--client-type', 'public', '--scopes', 'sso:account:access');
    assert.equal(registered.status, 0, registered.stderr);
    const client = JSON.parse(registered.stdout) as { clientId: string; clientSecret: string; clientSecretExpiresAt: number };
    assert.ok(client.clientSecretExpiresAt > Date.now() / 1000);
    // Secrets in argv are this peer's way, not rolecall's: the fake's test values only.
    const started = await aws('start-device-authorization', '--client-id', client.clientId, '--client-secret', client.clientSecret, '--start-url', START_URL);
    assert.equal(started.status, 0, started.stderr);
    const device = JSON.parse(started.stdout) as { deviceCode: string; verificationUriComplete: string };
    const pending = await aws('create-token', '--client-id', client.clientId, '--client-secret', client.clientSecret, '--grant-type', 'urn:ietf:params:oauth:grant-type:device_code', '--device-code', device.deviceCode);
    assert.notEqual(pending.status, 0);
    assert.match(pending.stderr, /AuthorizationPendingException/);
    await fetch(device.verificationUriComplete);
    const issued = await aws('create-token', '--client-id', client.clientId, '--client-secret', client.clientSecret, '--grant-type', 'urn:ietf:params:oauth:grant-type:device_code', '--device-code', device.deviceCode);
    assert.equal(issued.status, 0, issued.stderr);
    const token = JSON.parse(issued.stdout) as { accessToken: string; refreshToken: string; expiresIn: number };
    assert.ok(token.accessToken && token.refreshToken && token.expiresIn > 0);
  });

  test('--no-browser prints the URL and the code instead of opening them; the person visits them', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const { box, browser } = prepared();
    const visited: Promise<unknown>[] = [];
    const visitOnce = (pattern: RegExp) => {
      let text = '';
      return (chunk: string) => {
        text += chunk;
        const url = text.match(pattern)?.[1];
        if (url && visited.length === 0) visited.push(fetch(url));
      };
    };
    const device = await runRolecall(box, ['sso', 'login', 'dev', '--use-device-code', '--no-browser'], { env: browser, onStderr: visitOnce(/\nor open (\S+)\n/) });
    assert.equal(device.status, 0, device.stderr);
    assert.match(device.stderr, /open http:\/\/127\.0\.0\.1:\d+\/device in a browser on any device and enter the code [0-9A-F]{4}-[0-9A-F]{4}\n/);
    visited.length = 0;
    const pkce = await runRolecall(box, ['sso', 'login', 'dev', '--no-browser'], { env: browser, onStderr: visitOnce(/\n(http:\/\/\S+\/authorize\?\S+)\n/) });
    assert.equal(pkce.status, 0, pkce.stderr);
    assert.match(pkce.stderr, new RegExp(`\\n${suite.world.identityCenter.url.replace(/\./g, '\\.')}/authorize\\?response_type=code&`), 'the authorize URL is on AWS_ENDPOINT_URL_SSO_OIDC');
    assert.equal(browserRuns(box).length, 0, 'no browser was opened');
  });

  test('an access token near its expiry is refreshed with no browser; a refused refresh falls back to a sign-in', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const { box, browser } = prepared();
    // Ten minutes: inside the refresh window (15 minutes) from the start.
    suite.world.identityCenter.state.tokenSeconds = 600;
    assert.equal((await runRolecall(box, ['sso', 'login', 'dev'], { env: browser })).status, 0);
    assert.equal(browserRuns(box).length, 1);
    const refreshed = await runWithoutTerminal(box, ['exec', 'dev', '--', ...CALLER_ARN], { env: browser });
    assert.equal(refreshed.status, 0, refreshed.stderr);
    assert.equal(count('CreateToken:refresh_token'), 1);
    assert.equal(browserRuns(box).length, 1, 'the browser was not opened for a refresh');

    oidcControls(suite.world.identityCenter.state).refuseRefresh = true;
    // The role session is cached: without it the chain needs the token again.
    assert.equal((await runRolecall(box, ['clear'])).status, 0);
    const relogin = await runWithoutTerminal(box, ['exec', 'audit', '--', ...CALLER_ARN], { env: browser });
    assert.equal(relogin.status, 0, relogin.stderr);
    assert.match(relogin.stdout.trim(), /^arn:aws:sts::444455556666:assumed-role\/Auditor\//);
    assert.equal(count('CreateToken:refresh_token'), 2);
    assert.equal(browserRuns(box).length, 2, 'the refused refresh was followed by one sign-in');
    assert.equal(count('RegisterClient'), 1);
  });

  test('sso logout calls Logout, forgets the token and the role sessions made from it', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const { box, browser } = prepared();
    assert.equal((await runRolecall(box, ['sso', 'login', 'dev'], { env: browser })).status, 0);
    assert.equal((await runRolecall(box, ['exec', 'audit', '--', 'true'])).status, 0);
    const revokedBefore = [...suite.world.identityCenter.state.tokens.values()].filter((token) => token.revoked).length;
    const logout = await runRolecall(box, ['sso', 'logout', 'dev']);
    assert.equal(logout.status, 0, logout.stderr);
    assert.equal(logout.stdout, 'signed out of IAM Identity Center (sso-session "corp"): forgot its token and 2 role sessions\n');
    assert.equal(count('Logout'), 1);
    const revoked = [...suite.world.identityCenter.state.tokens.values()].filter((token) => token.revoked).length;
    assert.equal(revoked - revokedBefore, 1, 'the token is signed out at the portal');
    // Nothing cached is left to serve a command: it needs a sign-in.
    const exec = await runWithoutTerminal(box, ['exec', 'audit', '--', 'true'], { env: NO_BROWSER });
    assert.equal(exec.status, 125);
    assert.equal(exec.stderr, 'rolecall: no valid IAM Identity Center token for sso-session "corp"; run `rolecall sso login dev`\n');
  });

  test("sso logout of a token the AWS CLI signed in removes its file too: the token is signed out, nobody can use it", async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const { box } = prepared();
    const path = plantAwsCliToken(box, ssoSession('corp'), suite.world.identityCenter.state.issueToken());
    const logout = await runRolecall(box, ['sso', 'logout', 'dev']);
    assert.equal(logout.status, 0, logout.stderr);
    assert.equal(count('Logout'), 1, "the AWS CLI's token was the one signed out");
    assert.equal(existsSync(path), false, "no revoked token left in the AWS CLI's cache");
    const exec = await runWithoutTerminal(box, ['exec', 'dev', '--', 'true'], { env: NO_BROWSER });
    assert.equal(exec.status, 125);
    assert.match(exec.stderr, /run `rolecall sso login dev`/);
  });

  test('sso profiles prints sections that work when pasted into the config', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const { box, browser } = prepared();
    const sessionOnly = `[sso-session corp]\nsso_start_url = ${START_URL}\nsso_region = us-east-1\n`;
    box.write('.aws/config', sessionOnly);
    const listed = await runRolecall(box, ['sso', 'profiles', '--sso-session', 'corp'], { env: browser });
    assert.equal(listed.status, 0, listed.stderr);
    assert.equal(count('ListAccounts'), 1);
    assert.match(listed.stdout, /^\[profile Development-Developer\]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Developer\nregion = us-east-1\n/m);
    assert.match(listed.stdout, /^\[profile Production-ReadOnly\]$/m);
    box.write('.aws/config', `${sessionOnly}\n${listed.stdout}`);
    for (const [profile, arn] of [['Development-ReadOnly', /^arn:aws:sts::111122223333:assumed-role\/ReadOnly\//], ['Production-ReadOnly', /^arn:aws:sts::444455556666:assumed-role\/ReadOnly\//]] as const) {
      const exec = await runRolecall(box, ['exec', profile, '--', ...CALLER_ARN]);
      assert.equal(exec.status, 0, exec.stderr);
      assert.match(exec.stdout.trim(), arn);
    }
  });

  test('sso profiles never prints a name the config has, nor a section for an account and role already configured: appended twice, the config still works for rolecall and aws', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const { box, browser } = prepared();
    // dev already signs in to Development/Developer; a profile of another kind holds the name Development-ReadOnly.
    const start = `${CONFIG}\n[profile Development-ReadOnly]\nrole_arn = arn:aws:iam::111122223333:role/Other\nsource_profile = dev\n`;
    box.write('.aws/config', start);
    const listed = await runRolecall(box, ['sso', 'profiles', 'dev'], { env: browser });
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /^# Development \(111122223333\), role Developer: already configured as \[profile dev\]$/m);
    assert.doesNotMatch(listed.stdout, /^\[profile (dev|Development-ReadOnly|Development-Developer)\]$/m);
    assert.match(listed.stdout, /^\[profile Development-ReadOnly-2\]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = ReadOnly\n/m);
    box.write('.aws/config', `${start}\n${listed.stdout}`);

    // As the README's `>> ~/.aws/config` run a second time: nothing new, only comments.
    const again = await runRolecall(box, ['sso', 'profiles', 'dev'], { env: browser });
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stdout, /^\[profile /m);
    assert.match(again.stdout, /^# Development \(111122223333\), role ReadOnly: already configured as \[profile Development-ReadOnly-2\]$/m);
    box.write('.aws/config', `${start}\n${listed.stdout}\n${again.stdout}`);

    const exec = await runRolecall(box, ['exec', 'Development-ReadOnly-2', '--', ...CALLER_ARN]);
    assert.equal(exec.status, 0, exec.stderr);
    assert.match(exec.stdout.trim(), /^arn:aws:sts::111122223333:assumed-role\/ReadOnly\//);
    const cli = await runProcess('aws', ['configure', 'get', 'sso_role_name', '--profile', 'Development-ReadOnly-2'], { env: box.env, cwd: box.home });
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(cli.stdout.trim(), 'ReadOnly');
  });

  test('sso profiles run again adds nothing twice, and never takes the name of a profile the config has', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const { box, browser } = prepared();
    // A profile of the user's own that happens to have the name a new section would take.
    const config = `[sso-session corp]\nsso_start_url = ${START_URL}\nsso_region = us-east-1\n\n[profile Development-Developer]\nregion = eu-west-1\n`;
    box.write('.aws/config', config);
    const first = await runRolecall(box, ['sso', 'profiles', '--sso-session', 'corp'], { env: browser });
    assert.equal(first.status, 0, first.stderr);
    assert.doesNotMatch(first.stdout, /^\[profile Development-Developer\]$/m, "the user's profile keeps its name");
    assert.match(first.stdout, /^\[profile Development-Developer-2\]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Developer\n/m);
    box.write('.aws/config', `${config}\n${first.stdout}`);
    const again = await runRolecall(box, ['sso', 'profiles', '--sso-session', 'corp']);
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stdout, /^\[profile /m, 'every role has its profile already');
    assert.match(again.stdout, /^# Development \(111122223333\), role Developer: already configured as \[profile Development-Developer-2\]$/m);
    // Appended once more, the config still reads: no duplicate section.
    box.write('.aws/config', `${config}\n${first.stdout}\n${again.stdout}`);
    const exec = await runRolecall(box, ['exec', 'Development-Developer-2', '--', ...CALLER_ARN]);
    assert.equal(exec.status, 0, exec.stderr);
    assert.match(exec.stdout.trim(), /^arn:aws:sts::111122223333:assumed-role\/Developer\//);
  });

  test('the AWS CLI uses a token rolecall signed in and shared, refreshing it with the shared registration; rolecall then uses the refreshed one', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const { box, browser } = prepared();
    // Inside botocore's refresh window too (it refreshes with 15 minutes left).
    suite.world.identityCenter.state.tokenSeconds = 600;
    const login = await runRolecall(box, ['sso', 'login', 'dev', '--share-with-aws-cli'], { env: browser });
    assert.equal(login.status, 0, login.stderr);
    assert.match(login.stdout, /shared with the AWS CLI/);
    suite.world.identityCenter.state.tokenSeconds = 3600;
    const cli = await runProcess('aws', ['--profile', 'dev', 'sts', 'get-caller-identity', '--query', 'Arn', '--output', 'text'], { env: box.env, cwd: box.home });
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout.trim(), /^arn:aws:sts::111122223333:assumed-role\/Developer\//);
    assert.equal(count('CreateToken:refresh_token'), 1, 'botocore refreshed with the client registration rolecall shared');
    const exec = await runWithoutTerminal(box, ['exec', 'dev', '--', ...CALLER_ARN], { env: NO_BROWSER });
    assert.equal(exec.status, 0, exec.stderr);
    assert.equal(count('CreateToken:refresh_token'), 1, "rolecall took the AWS CLI's refreshed token as it is");
    assert.equal(browserRuns(box).length, 1);
  });

  test('--help explains the flows, the browser and sharing', async () => {
    const box = suite.world.sandbox();
    const help = await runRolecall(box, ['sso', 'login', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--use-device-code/);
    assert.match(help.stdout, /PKCE/);
    assert.match(help.stdout, /plain text/);
    const group = await runRolecall(box, ['sso']);
    assert.equal(group.status, 2);
    assert.equal(group.stderr, 'rolecall: "sso" needs one of its commands: sso login, sso logout, sso profiles; see rolecall sso COMMAND --help\n');
    const option = await runRolecall(box, ['sso', 'login', '--bogus']);
    assert.equal(option.stderr, 'rolecall: Unsupported option name ("--bogus"); see rolecall sso login --help\n');
    box.write('.aws/config', CONFIG);
    const both = await runRolecall(box, ['sso', 'login', 'dev', '--sso-session', 'corp']);
    assert.equal(both.status, 2);
    assert.equal(both.stderr, 'rolecall: name a profile or --sso-session NAME, not both\n');
    const unknown = await runRolecall(box, ['sso', 'login', '--sso-session', 'crop']);
    assert.match(unknown.stderr, /^rolecall: \S+config: there is no \[sso-session crop\] section; did you mean "?corp"?/);
  });
});
