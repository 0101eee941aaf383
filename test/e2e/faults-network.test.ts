/**
 * rolecall exec when the network and the endpoints misbehave: STS (moto)
 * and IAM Identity Center (the fake, both its APIs) behind a fault proxy of
 * ours (test/helpers/fault-proxy.ts), one proxy per case so the cases run at
 * once. Each fault ends exec with 125 and one line naming the step and the
 * profile, in words; what is retryable is tried SDK_ATTEMPTS times and no
 * more, what is not once; a fault on the first request only is retried and
 * the exec succeeds; a reply that comes after 25 s does not keep exec past
 * 30 s; a closed port is a line too; a cached session that is still valid
 * keeps exec working while STS is down; an Identity Center token that
 * cannot be refreshed early is used while it has life.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SDK_ATTEMPTS } from '../../src/config/sdk-client-options.js';
import { saveToken } from '../../src/sso/token-store.js';
import { openVault } from '../../src/pipeline/open-vault.js';
import { startFakeIdentityCenter, type FakeIdentityCenter } from '../helpers/fake-identity-center.js';
import { startFaultProxy, type Fault, type FaultProxy } from '../helpers/fault-proxy.js';
import { freePort, startMoto, type MotoServer } from '../helpers/moto-server.js';
import { requireCommands } from '../helpers/peers.js';
import { makeSandbox, runRolecall, type RunResult, type Sandbox } from '../helpers/sandbox.js';
import { plantVaultToken, ssoSession, SSO_CONFIG } from '../helpers/sso-world.js';
import { credentialsFile, randomKeys, rolesOverBase } from '../helpers/sts-world.js';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/Admin';
const MFA = 'arn:aws:iam::123456789012:mfa/alice';
const STS_CONFIG = `${rolesOverBase({ admin: 'Admin' })}
[profile mfa]
region = eu-west-1
mfa_serial = ${MFA}
`;
const PORTAL_PATH = '/federation/credentials';
const TOKEN_PATH = '/token';

/** The notice of a first use of plain-text keys, said once per user: not part of a failure's line. */
const PLAINTEXT_NOTICE = /in plain text; `rolecall import/;

interface FaultCase {
  readonly name: string;
  readonly fault: Fault;
  readonly retried: boolean;
  /** What follows "failed: " on the line. */
  readonly says: RegExp;
}

const ENDPOINT = 'http://127\\.0\\.0\\.1:\\d+';
const NOT_STS = new RegExp(`; ${ENDPOINT} did not answer as STS does: check AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL and any proxy$`);
const NOT_PORTAL = new RegExp(`; ${ENDPOINT} did not answer as IAM Identity Center does: check AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL and any proxy$`);
const TRIED = `\\(tried ${SDK_ATTEMPTS} times\\)`;

const STS_FAULTS: readonly FaultCase[] = [
  { name: '500', fault: { kind: 'status', status: 500 }, retried: true, says: new RegExp(`^HTTP 500 Internal Server Error ${TRIED}${NOT_STS.source}`) },
  { name: '503', fault: { kind: 'status', status: 503 }, retried: true, says: new RegExp(`^HTTP 503 Service Unavailable ${TRIED}${NOT_STS.source}`) },
  { name: 'Throttling', fault: { kind: 'throttle' }, retried: true, says: new RegExp(`^Throttling: Rate exceeded ${TRIED}$`) },
  {
    name: 'a reset mid-reply',
    fault: { kind: 'reset' },
    retried: true,
    says: new RegExp(`^the connection was reset before the answer was complete ${TRIED}; STS is at ${ENDPOINT} \\(AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL\\): is it up\\?$`),
  },
  { name: 'malformed XML', fault: { kind: 'garbage' }, retried: false, says: new RegExp(`^an answer that does not parse \\(XML parse error: [^()]+\\)${NOT_STS.source}`) },
  { name: 'an HTML page', fault: { kind: 'html' }, retried: false, says: new RegExp(`^the answer held no credentials${NOT_STS.source}`) },
  { name: 'a redirect to http://', fault: { kind: 'redirect', status: 302 }, retried: false, says: new RegExp(`^HTTP 302: a redirect to ${ENDPOINT}/redirected, which is not followed${NOT_STS.source}`) },
];

const PORTAL_FAULTS: readonly FaultCase[] = [
  { name: '500', fault: { kind: 'status', status: 500 }, retried: true, says: new RegExp(`^HTTP 500 Internal Server Error ${TRIED}${NOT_PORTAL.source}`) },
  { name: '503', fault: { kind: 'status', status: 503 }, retried: true, says: new RegExp(`^HTTP 503 Service Unavailable ${TRIED}${NOT_PORTAL.source}`) },
  { name: 'TooManyRequests', fault: { kind: 'throttle' }, retried: true, says: new RegExp(`^TooManyRequestsException: Rate exceeded ${TRIED}$`) },
  {
    name: 'a reset mid-reply',
    fault: { kind: 'reset' },
    retried: true,
    says: new RegExp(`^the connection was reset before the answer was complete ${TRIED}; the portal is at ${ENDPOINT} \\(AWS_ENDPOINT_URL_SSO or AWS_ENDPOINT_URL\\): is it up\\?$`),
  },
  { name: 'malformed JSON', fault: { kind: 'garbage' }, retried: false, says: new RegExp(`^an answer that does not parse as JSON${NOT_PORTAL.source}`) },
  { name: 'an HTML page', fault: { kind: 'html' }, retried: false, says: new RegExp(`^an answer that does not parse as JSON${NOT_PORTAL.source}`) },
  { name: 'a redirect to http://', fault: { kind: 'redirect', status: 307 }, retried: false, says: new RegExp(`^HTTP 307: a redirect to ${ENDPOINT}/redirected, which is not followed${NOT_PORTAL.source}`) },
];

/** rolecall's lines on stderr, but for the plain-text notice. */
function failureLines(run: RunResult): string[] {
  return run.stderr.split('\n').filter((line) => line !== '' && !PLAINTEXT_NOTICE.test(line));
}

/** The one line a failed exec printed: "rolecall: <step> failed: <what>"; what follows "failed: ". */
function oneLine(run: RunResult, step: RegExp): string {
  assert.equal(run.status, 125, `exec exits 125\n${run.stderr}`);
  const lines = failureLines(run);
  assert.equal(lines.length, 1, `one line:\n${run.stderr}`);
  const line = lines[0] as string;
  assert.doesNotMatch(line, /\[object |Deserialization error|\$response|@aws-sdk|@smithy|<html|<!DOCTYPE|\n\s+at /i, 'no SDK internals, no page, no stack');
  const match = new RegExp(`^rolecall: ${step.source} failed: (.*)$`).exec(line);
  assert.ok(match, `the line names the step and the profile: ${line}`);
  return match[1] as string;
}

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const start = Date.now();
  const result = await run();
  return { result, seconds: (Date.now() - start) / 1000 };
}

// Four at a time: more would measure the machine's load, not rolecall's bounds.
describe('network faults', { concurrency: 4 }, () => {
  let moto: MotoServer;
  let identityCenter: FakeIdentityCenter;
  const proxies: FaultProxy[] = [];
  const boxes: Sandbox[] = [];
  const base = randomKeys();

  before(async () => {
    moto = await startMoto();
    identityCenter = await startFakeIdentityCenter({ stsUrl: moto.url });
  });
  after(async () => {
    for (const box of boxes) box.cleanup();
    await Promise.all(proxies.map((p) => p.stop()));
    await identityCenter?.stop();
    await moto?.stop();
  });

  async function proxyTo(url: string): Promise<FaultProxy> {
    const proxy = await startFaultProxy(url);
    proxies.push(proxy);
    return proxy;
  }

  /** A HOME with keys profile base and role admin over it, STS at `stsUrl`. */
  function stsBox(stsUrl: string): Sandbox {
    const box = makeSandbox({ AWS_ENDPOINT_URL_STS: stsUrl });
    boxes.push(box);
    box.write('.aws/config', STS_CONFIG);
    box.write('.aws/credentials', credentialsFile({ base }));
    return box;
  }

  /** A HOME with the SSO profile dev, its token in the vault, Identity Center at `ssoUrl` (both APIs). */
  async function ssoBox(ssoUrl: string, planted = true): Promise<Sandbox> {
    const box = makeSandbox({ AWS_ENDPOINT_URL_STS: moto.url, AWS_ENDPOINT_URL_SSO: ssoUrl, AWS_ENDPOINT_URL_SSO_OIDC: ssoUrl, ROLECALL_NO_BROWSER: '1' });
    boxes.push(box);
    box.write('.aws/config', SSO_CONFIG);
    if (planted) await plantVaultToken(box, ssoSession('corp'), identityCenter.state.issueToken());
    return box;
  }

  // First: the longest, so the others run beside it.
  test('a reply after 25 s does not keep exec past 30 s: it times out, naming the step', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const proxy = await proxyTo(moto.url);
    proxy.fault('AssumeRole', { kind: 'delay', ms: 25_000 });
    const { result, seconds } = await timed(() => runRolecall(stsBox(proxy.url), ['exec', 'admin', '--', 'true']));
    assert.match(oneLine(result, new RegExp(`profile "admin": AssumeRole ${ROLE_ARN}`)), /^timed out after 25 s; STS is at .+: is it up\?$/);
    // From the first request to the exit: the call's 25 s and the process's end; before it, Node's start on a busy machine.
    const sinceFirstCall = (Date.now() - (proxy.calls[0]?.at ?? 0)) / 1000;
    assert.ok(sinceFirstCall < 27, `ended ${sinceFirstCall} s after its first AssumeRole`);
    assert.ok(seconds < 35, `ended in ${seconds} s`);
    // 10 s per attempt: the third is cut short by the 25 s for the whole call.
    assert.equal(proxy.count('AssumeRole'), SDK_ATTEMPTS);
  });

  for (const c of STS_FAULTS) {
    test(`AssumeRole, ${c.name}: exit 125, one line naming the step and the profile, ${c.retried ? `tried ${SDK_ATTEMPTS} times` : 'tried once'}`, async (t) => {
      if (!requireCommands(t, 'moto_server')) return;
      const proxy = await proxyTo(moto.url);
      proxy.fault('AssumeRole', c.fault);
      const { result, seconds } = await timed(() => runRolecall(stsBox(proxy.url), ['exec', 'admin', '--', 'true']));
      assert.match(oneLine(result, new RegExp(`profile "admin": AssumeRole ${ROLE_ARN}`)), c.says);
      assert.equal(proxy.count('AssumeRole'), c.retried ? SDK_ATTEMPTS : 1, 'retried only when retryable, and bounded');
      assert.equal(proxy.count('/redirected'), 0, 'no redirect is followed');
      assert.ok(seconds < 30, `ended in ${seconds} s`);
    });
  }

  test('AssumeRole, a 503 on the first request only: retried, and the exec succeeds', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const proxy = await proxyTo(moto.url);
    proxy.fault('AssumeRole', { kind: 'status', status: 503 }, { times: 1 });
    const run = await runRolecall(stsBox(proxy.url), ['exec', 'admin', '--', 'aws', 'sts', 'get-caller-identity', '--query', 'Arn', '--output', 'text']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^arn:aws:sts::123456789012:assumed-role\/Admin\//);
    assert.equal(proxy.count('AssumeRole'), 2);
    assert.deepEqual(failureLines(run), [], 'a retry that worked says nothing');
  });

  test('AssumeRole, throttled twice: the third attempt succeeds', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const proxy = await proxyTo(moto.url);
    proxy.fault('AssumeRole', { kind: 'throttle' }, { times: SDK_ATTEMPTS - 1 });
    const run = await runRolecall(stsBox(proxy.url), ['exec', 'admin', '--', 'true']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(proxy.count('AssumeRole'), SDK_ATTEMPTS);
  });

  test('GetSessionToken with MFA, 503: exit 125, one line naming the MFA device, tried once (a retry would resend a code STS may have taken)', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const proxy = await proxyTo(moto.url);
    proxy.fault('GetSessionToken', { kind: 'status', status: 503 });
    const box = stsBox(proxy.url);
    box.write('.aws/credentials', credentialsFile({ mfa: base }));
    const run = await runRolecall(box, ['exec', '--mfa-token', '123456', 'mfa', '--', 'true']);
    const line = oneLine(run, new RegExp(`profile "mfa": GetSessionToken with MFA ${MFA}`));
    assert.match(line, /^HTTP 503 Service Unavailable/);
    assert.doesNotMatch(line, /tried \d+ times/);
    assert.equal(proxy.count('GetSessionToken'), 1);
  });

  test('STS on a closed port: exit 125, one line that says where STS was looked for', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const closed = `http://127.0.0.1:${await freePort()}`;
    const { result, seconds } = await timed(() => runRolecall(stsBox(closed), ['exec', 'admin', '--', 'true']));
    assert.match(oneLine(result, new RegExp(`profile "admin": AssumeRole ${ROLE_ARN}`)), new RegExp(`ECONNREFUSED.*; STS is at ${closed.replace(/\./g, '\\.')} \\(AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL\\): is it up\\?$`));
    assert.ok(seconds < 30, `ended in ${seconds} s`);
  });

  test('a cached session that is still valid keeps exec working while STS is down (its port closed)', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const proxy = await proxyTo(moto.url);
    const box = stsBox(proxy.url);
    const printKey = ['sh', '-c', 'printf %s "$AWS_ACCESS_KEY_ID"'];
    const cold = await runRolecall(box, ['exec', 'admin', '--', ...printKey]);
    assert.equal(cold.status, 0, cold.stderr);
    await proxy.stop();
    const warm = await runRolecall(box, ['exec', 'admin', '--', ...printKey]);
    assert.equal(warm.status, 0, warm.stderr);
    assert.equal(warm.stdout, cold.stdout, 'the cached session');
    assert.deepEqual(failureLines(warm), []);
    // And the closed port is really closed: a profile not in the cache fails.
    const uncached = await runRolecall(box, ['exec', 'admin', '--duration', '20m', '--', 'true']);
    assert.match(oneLine(uncached, new RegExp(`profile "admin": AssumeRole ${ROLE_ARN}`)), /ECONNREFUSED/);
  });

  for (const c of PORTAL_FAULTS) {
    test(`GetRoleCredentials, ${c.name}: exit 125, one line naming the step, ${c.retried ? `tried ${SDK_ATTEMPTS} times` : 'tried once'}`, async (t) => {
      if (!requireCommands(t, 'moto_server')) return;
      const proxy = await proxyTo(identityCenter.url);
      proxy.fault(PORTAL_PATH, c.fault);
      const { result, seconds } = await timed(async () => runRolecall(await ssoBox(proxy.url), ['exec', 'dev', '--', 'true']));
      assert.match(oneLine(result, /.*GetRoleCredentials 111122223333\/Developer/), c.says);
      assert.equal(proxy.count(PORTAL_PATH), c.retried ? SDK_ATTEMPTS : 1);
      assert.equal(proxy.count('/redirected'), 0, 'no redirect is followed');
      assert.ok(seconds < 30, `ended in ${seconds} s`);
    });
  }

  test('GetRoleCredentials, throttled on the first request only: retried, and the exec succeeds', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const proxy = await proxyTo(identityCenter.url);
    proxy.fault(PORTAL_PATH, { kind: 'throttle' }, { times: 1 });
    const run = await runRolecall(await ssoBox(proxy.url), ['exec', 'dev', '--', 'true']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(proxy.count(PORTAL_PATH), 2);
  });

  test('the portal on a closed port: exit 125, one line that says where the portal was looked for', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const closed = `http://127.0.0.1:${await freePort()}`;
    const run = await runRolecall(await ssoBox(closed), ['exec', 'dev', '--', 'true']);
    assert.match(oneLine(run, /.*GetRoleCredentials 111122223333\/Developer/), /ECONNREFUSED.*; the portal is at .+ \(AWS_ENDPOINT_URL_SSO or AWS_ENDPOINT_URL\): is it up\?$/);
  });

  describe('the OIDC refresh (CreateToken, refresh_token grant) of a token near its expiry', { concurrency: true }, () => {
    /** A token with ten minutes left (inside the 15-minute refresh window), a refresh token and the registration it was issued to. */
    async function refreshableBox(ssoUrl: string, seconds = 600): Promise<Sandbox> {
      const box = await ssoBox(ssoUrl, false);
      const registered = (await (
        await fetch(`${identityCenter.url}/client/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientName: 'rolecall-test', clientType: 'public', scopes: ['sso:account:access'] }) })
      ).json()) as { clientId: string; clientSecret: string; clientSecretExpiresAt: number };
      const token = identityCenter.state.issueToken({ seconds, refresh: true, clientId: registered.clientId });
      const vault = await openVault(box.env, { createsFileVault: true });
      const registration = { clientId: registered.clientId, clientSecret: registered.clientSecret, expiresAt: new Date(registered.clientSecretExpiresAt * 1000), scopes: ['sso:account:access'] };
      await saveToken(
        ssoSession('corp'),
        { accessToken: token.accessToken, expiresAt: new Date(token.expiresAt), refreshToken: token.refreshToken as string, registration },
        { env: box.env, processEnv: box.env, vault: async () => vault },
      );
      return box;
    }

    test('503 at every try: tried 3 times; the token, still valid, is used, and the line says so once', async (t) => {
      if (!requireCommands(t, 'moto_server')) return;
      const proxy = await proxyTo(identityCenter.url);
      proxy.fault(TOKEN_PATH, { kind: 'status', status: 503 });
      const run = await runRolecall(await refreshableBox(proxy.url), ['exec', 'dev', '--', 'true']);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(proxy.count(TOKEN_PATH), SDK_ATTEMPTS);
      assert.equal(proxy.count(PORTAL_PATH), 1, 'the role credentials came with the old token');
      const lines = failureLines(run);
      assert.equal(lines.length, 1, run.stderr);
      assert.match(
        lines[0] as string,
        new RegExp(`^rolecall: could not refresh the IAM Identity Center token of sso-session "corp" \\(CreateToken \\(refresh_token\\) failed: HTTP 503 Service Unavailable ${TRIED}; .+ did not answer as IAM Identity Center does: .+\\); it is used until it expires at \\S+Z$`),
      );
    });

    // Not a reset: the fake, as AWS may, spends the refresh token once it has answered, so a lost answer leaves nothing to retry with.
    test('a 503 on the first try only: retried, refreshed, no line', async (t) => {
      if (!requireCommands(t, 'moto_server')) return;
      const proxy = await proxyTo(identityCenter.url);
      proxy.fault(TOKEN_PATH, { kind: 'status', status: 503 }, { times: 1 });
      const run = await runRolecall(await refreshableBox(proxy.url), ['exec', 'dev', '--', 'true']);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(proxy.count(TOKEN_PATH), 2);
      assert.deepEqual(failureLines(run), []);
    });

    test('malformed JSON with a token that has expired: exit 125, one line naming the refresh', async (t) => {
      if (!requireCommands(t, 'moto_server')) return;
      const proxy = await proxyTo(identityCenter.url);
      proxy.fault(TOKEN_PATH, { kind: 'garbage' });
      const run = await runRolecall(await refreshableBox(proxy.url, -60), ['exec', 'dev', '--', 'true']);
      assert.match(oneLine(run, /CreateToken \(refresh_token\)/), /^an answer that does not parse as JSON; .+ did not answer as IAM Identity Center does: check AWS_ENDPOINT_URL_SSO_OIDC, AWS_ENDPOINT_URL and any proxy$/);
      assert.equal(proxy.count(TOKEN_PATH), 1);
      assert.equal(proxy.count(PORTAL_PATH), 0);
    });
  });
});
