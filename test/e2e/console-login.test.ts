/**
 * rolecall login --stdout and $BROWSER: the session comes from moto (through
 * the recording proxy, which shows AssumeRole or GetFederationToken), the
 * sign-in token from our fake federation endpoint on loopback
 * (test/helpers/fake-federation.ts, AWS_ENDPOINT_URL_SIGNIN). The URL's parts
 * are checked one by one, and the token and the session's secrets appear
 * nowhere on stderr, --debug included.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startFakeFederation, type FakeFederation } from '../helpers/fake-federation.js';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall, type RunResult } from '../helpers/sandbox.js';
import { credentialsFile, randomKeys, rolesOverBase, startStsWorld, type StsWorld } from '../helpers/sts-world.js';

const CONFIG = `${rolesOverBase({ admin: 'Admin' })}
[profile deep]
role_arn = arn:aws:iam::123456789012:role/Deep
source_profile = admin
region = us-west-2

[profile gov]
role_arn = arn:aws-us-gov:iam::123456789012:role/Gov
source_profile = base
region = us-gov-west-1
`;

describe('rolecall login', { concurrency: false }, () => {
  let world: StsWorld;
  let federation: FakeFederation;
  const base = randomKeys();
  before(async () => {
    world = await startStsWorld();
    federation = await startFakeFederation();
  });
  after(async () => {
    await federation?.stop();
    await world?.stop();
  });
  beforeEach(() => {
    world?.proxy.reset();
    if (federation) federation.requests.length = 0;
  });

  function box() {
    const sandbox = world.sandbox({ AWS_ENDPOINT_URL_SIGNIN: federation.url });
    sandbox.write('.aws/config', CONFIG);
    sandbox.write('.aws/credentials', credentialsFile({ base }));
    return sandbox;
  }

  /** The one sign-in request the fake got, and the URL's query as a map, after checking the URL's base. */
  function signedIn(result: RunResult) {
    assert.equal(result.status, 0, result.stderr);
    assert.equal(federation.requests.length, 1, 'one getSigninToken');
    const request = federation.requests[0]!;
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines.length, 1, result.stdout);
    const url = new URL(lines[0]!);
    assert.equal(`${url.origin}${url.pathname}`, `${federation.url}/federation`);
    const params = Object.fromEntries(url.searchParams);
    assert.deepEqual(Object.keys(params).sort(), ['Action', 'Destination', 'Issuer', 'SigninToken']);
    assert.equal(params.Action, 'login');
    assert.equal(params.Issuer, 'rolecall');
    assert.equal(params.SigninToken, request.token, 'the token the endpoint gave');
    return { request, params };
  }

  function assertNoSecretIn(result: RunResult, secrets: readonly (string | undefined)[]) {
    for (const secret of secrets) {
      assert.ok(secret, 'a secret to look for');
      assert.ok(!result.stderr.includes(secret), `a secret on stderr: ${result.stderr}`);
    }
  }

  test('a role: its session signs in for SessionDuration, on the page and region asked', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const cached = box();
    const result = await runRolecall(cached, ['login', 'admin', '--stdout', '--path', '/s3/home', '--debug']);
    const { request, params } = signedIn(result);
    assert.equal(params.Destination, 'https://console.aws.amazon.com/s3/home?region=eu-west-1');
    // The default hour, less the seconds the session has already run: never past its end.
    const seconds = Number(request.sessionDuration);
    assert.ok(seconds <= 3600 && seconds > 3500, `SessionDuration ${request.sessionDuration}`);
    assert.doesNotMatch(result.stderr, /console session lasts/, 'no note for a second or two');
    assert.match(request.session.sessionId ?? '', /^ASIA/, 'the role session, not the base keys');
    assert.ok(request.session.sessionToken);
    assert.deepEqual(world.proxy.counts(), { AssumeRole: 1 });
    assert.equal(world.proxy.calls[0]?.signedWith, base.accessKeyId);
    assert.match(result.stderr, /rolecall: debug: getSigninToken at http:\/\/127\.0\.0\.1:\d+\/federation, SessionDuration \d+s/);
    assertNoSecretIn(result, [request.token, request.session.sessionKey, request.session.sessionToken, base.secretAccessKey]);

    // The cache serves the next login, as it serves exec: no second AssumeRole.
    federation.requests.length = 0;
    signedIn(await runRolecall(cached, ['login', 'admin', '--stdout']));
    assert.deepEqual(world.proxy.counts(), { AssumeRole: 1 });
  });

  test('a chained role: SessionDuration never goes past the session it signs in with', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const result = await runRolecall(box(), ['login', 'deep', '--stdout', '--duration', '2h']);
    const { request, params } = signedIn(result);
    assert.equal(params.Destination, 'https://console.aws.amazon.com/console/home?region=us-west-2');
    const seconds = Number(request.sessionDuration);
    // AssumeRole over a role is capped at 1h: the console gets what is left of it.
    assert.ok(seconds <= 3600 && seconds > 3500, `SessionDuration ${request.sessionDuration}`);
    assert.match(result.stderr, /rolecall: the console session lasts 60m, until the session of profile "deep" ends/);
  });

  test('plain keys: a GetFederationToken session, with no SessionDuration', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const result = await runRolecall(box(), ['login', 'base', '--stdout', '--duration', '2h', '--debug']);
    const { request, params } = signedIn(result);
    assert.equal(params.Destination, 'https://console.aws.amazon.com/console/home?region=eu-west-1');
    assert.equal(request.sessionDuration, undefined);
    assert.deepEqual(world.proxy.counts(), { GetFederationToken: 1 });
    const call = world.proxy.calls[0]!;
    assert.equal(call.signedWith, base.accessKeyId, 'called with the long-term keys');
    assert.equal(call.params.DurationSeconds, '7200');
    assert.match(call.params.Name ?? '', /^rolecall-[\w+=,.@-]{1,23}$/, 'a name STS accepts, at most 32 characters');
    assert.deepEqual(JSON.parse(call.params.Policy ?? ''), { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    assert.ok(request.session.sessionToken, 'the federated session');
    assertNoSecretIn(result, [request.token, request.session.sessionKey, request.session.sessionToken, base.secretAccessKey]);
  });

  test('GovCloud: the console host of the partition', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const { params } = signedIn(await runRolecall(box(), ['login', 'gov', '--stdout']));
    assert.equal(params.Destination, 'https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1');
  });

  test('$BROWSER is run with the URL as its one argument; nothing is printed of it', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const sandbox = box();
    sandbox.write('browser.sh', 'printf "%s\\n" "$#" "$@" > "$HOME/browser-args"\n');
    const result = await runRolecall(sandbox, ['login', 'admin', '--debug'], { env: { BROWSER: `sh ${join(sandbox.home, 'browser.sh')}` } });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'opened the AWS console for profile "admin" in the browser\n');
    const [count, url, ...rest] = readFileSync(join(sandbox.home, 'browser-args'), 'utf8').trimEnd().split('\n');
    assert.equal(count, '1');
    assert.deepEqual(rest, []);
    const request = federation.requests[0]!;
    assert.equal(new URL(url!).searchParams.get('SigninToken'), request.token);
    assert.match(result.stderr, /opening the sign-in URL with \$BROWSER \(sh\)/);
    assertNoSecretIn(result, [request.token, request.session.sessionKey, request.session.sessionToken]);

    // A browser command that fails: one line that says what to do, without the URL.
    federation.requests.length = 0;
    const failed = await runRolecall(sandbox, ['login', 'admin'], { env: { BROWSER: 'false' } });
    assert.equal(failed.status, 1);
    assert.equal(failed.stderr, 'rolecall: $BROWSER (false) could not open the console (status 1); use --stdout to print the URL and open it yourself\n');
  });

  test('a bad --path or --duration is one line, before any call', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const path = await runRolecall(box(), ['login', 'admin', '--stdout', '--path', 's3/home']);
    assert.equal(path.status, 2, "an argument refused, as one that does not parse");
    assert.match(path.stderr, /^rolecall: --path must be a console path starting with \/, such as \/s3\/home/);
    const duration = await runRolecall(box(), ['login', 'admin', '--stdout', '--duration', '13h']);
    assert.equal(duration.stderr, "rolecall: --duration 46800s is outside what the console allows: 15m to 12h\n");
    assert.deepEqual(world.proxy.counts(), {});
    assert.equal(federation.requests.length, 0);
  });
});
