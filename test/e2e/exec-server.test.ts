/**
 * `rolecall exec --server`: the child gets no keys but rolecall's credential
 * server (the ECS container endpoint the AWS CLI and SDKs know), which hands
 * out the pipeline's session at each request, so a run outlives its first
 * session. Peers: moto's STS behind the recording proxy, the AWS CLI in the
 * child, and a probe of ours (node:http) for what the CLI never sends.
 */
import assert from 'node:assert/strict';
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openVault } from '../../src/pipeline/open-vault.js';
import { SESSIONS_SERVICE } from '../../src/vault/vault.js';
import { requireCommands } from '../helpers/peers.js';
import { parseEnv, runRolecall } from '../helpers/sandbox.js';
import { CALLER_ARN, credentialsFile, randomKeys, rolesOverBase, stsWorldPerTest } from '../helpers/sts-world.js';

const ROLE_ARN = /^arn:aws:sts::123456789012:assumed-role\/App\/rolecall-/;
const KEYS_IN_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_PROFILE'];

/**
 * The probe the child runs: `node probe.mjs fetch` prints what the server
 * answers the right token; `node probe.mjs refusals` what it answers
 * everything else. Raw node:http, so it can send what no SDK would.
 */
const PROBE = `
import { request } from 'node:http';
const url = new URL(process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI);
const token = process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
function call(method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const wrong = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
const path = url.pathname;
const out = process.argv[2] === 'fetch'
  ? await call('GET', path, { authorization: token })
  : {
      url: url.href,
      noToken: await call('GET', path, {}),
      wrongToken: await call('GET', path, { authorization: 'not-the-token' }),
      wrongByOneCharacter: await call('GET', path, { authorization: wrong }),
      wrongTokenOtherPath: await call('GET', '/', { authorization: wrong }),
      right: await call('GET', path, { authorization: token }),
      post: await call('POST', path, { authorization: token }),
      otherPath: await call('GET', '/latest/meta-data/', { authorization: token }),
      withBody: await call('GET', path, { authorization: token, 'content-type': 'text/plain', 'content-length': '100' }, 'x'.repeat(100)),
      hugeHeader: await call('GET', path, { authorization: token, 'x-pad': 'x'.repeat(20000) }).catch((e) => ({ status: e.code })),
    };
console.log(JSON.stringify(out));
`;

interface Answer {
  readonly status: number | string;
  readonly body: string;
}

interface ServedCredentials {
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  readonly Token: string;
  readonly Expiration: string;
}

/** Resolves with the error code of a GET to `url` (ECONNREFUSED once the server is gone), or its status. */
function connect(url: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request(url, (res) => {
      res.resume();
      resolve(String(res.statusCode));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

function served(answer: Answer): ServedCredentials {
  assert.equal(answer.status, 200, answer.body);
  return JSON.parse(answer.body) as ServedCredentials;
}

describe('rolecall exec --server', { concurrency: false }, () => {
  const base = randomKeys();
  const suite = stsWorldPerTest((box) => {
    box.write('.aws/config', rolesOverBase({ app: 'App' }, 'duration_seconds = 900\n'));
    box.write('.aws/credentials', credentialsFile({ base }));
    box.write('probe.mjs', PROBE);
  });
  const probe = (mode: 'fetch' | 'refusals') => `"${process.execPath}" "$HOME/probe.mjs" ${mode}`;

  test('the child has no keys in its environment, and the AWS CLI in it gets the role through the server; the status is the child’s', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const envFile = join(suite.box.home, 'child-env');
    const script = `env > "${envFile}"; ${CALLER_ARN.join(' ')}; exit 7`;
    const run = await runRolecall(suite.box, ['exec', '--server', 'app', '--', 'sh', '-c', script], { env: { AWS_ACCESS_KEY_ID: 'AKIASTALE', AWS_PROFILE: 'base' } });
    assert.equal(run.status, 7, run.stderr);
    assert.match(run.stdout.trim(), ROLE_ARN);
    assert.doesNotMatch(run.stderr, /credential server/, 'no fetch failed');
    const env = parseEnv(readFileSync(envFile, 'utf8'));
    for (const name of KEYS_IN_ENV) assert.equal(env[name], undefined, `${name} is not in the child's environment`);
    assert.match(env.AWS_CONTAINER_CREDENTIALS_FULL_URI ?? '', /^http:\/\/127\.0\.0\.1:\d+\/rolecall\/credentials$/);
    assert.ok((env.AWS_CONTAINER_AUTHORIZATION_TOKEN ?? '').length >= 43, 'at least 256 bits, base64url');
    assert.equal(env.ROLECALL_PROFILE, 'app');
    assert.equal(env.AWS_REGION, 'eu-west-1');
    assert.equal(env.AWS_DEFAULT_REGION, 'eu-west-1');
    const keysInChildEnv = Object.values(env).filter((value) => /^ASIA|^AKIA/.test(value));
    assert.deepEqual(keysInChildEnv, []);
  });

  test('without the token or with a wrong one: 401 or 403 and an empty body; the right token gets the ECS JSON; nothing else is answered', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const run = await runRolecall(suite.box, ['exec', '--server', 'app', '--', 'sh', '-c', probe('refusals')]);
    assert.equal(run.status, 0, run.stderr);
    const answers = JSON.parse(run.stdout) as Record<string, Answer> & { url: string };
    assert.deepEqual(answers.noToken, { status: 401, body: '' });
    assert.deepEqual(answers.wrongToken, { status: 403, body: '' });
    assert.deepEqual(answers.wrongByOneCharacter, { status: 403, body: '' });
    assert.deepEqual(answers.wrongTokenOtherPath, { status: 403, body: '' }, 'the token is checked first: no hint of which paths exist');
    const credentials = served(answers.right as Answer);
    assert.deepEqual(Object.keys(credentials).sort(), ['AccessKeyId', 'Expiration', 'SecretAccessKey', 'Token']);
    assert.match(credentials.AccessKeyId, /^ASIA/);
    assert.ok(credentials.SecretAccessKey && credentials.Token);
    assert.match(credentials.Expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Date.parse(credentials.Expiration) > Date.now() + 10 * 60_000, 'a 900 s session, fresh');
    assert.equal((answers.post as Answer).status, 405);
    assert.equal((answers.otherPath as Answer).status, 404);
    assert.equal((answers.withBody as Answer).status, 413);
    assert.equal((answers.hugeHeader as Answer).status, 431, 'oversized headers are refused by Node itself');
    for (const name of ['noToken', 'wrongToken', 'wrongByOneCharacter', 'post', 'otherPath', 'withBody', 'hugeHeader']) {
      const body = (answers[name] as Answer).body ?? '';
      assert.ok(!body.includes(credentials.AccessKeyId) && !body.includes(credentials.SecretAccessKey), `${name}: no key in the answer`);
    }
    assert.equal(await connect(answers.url), 'ECONNREFUSED', 'the server is gone once the child has exited');
  });

  test('with ROLECALL_MIN_TTL above the session’s length every fetch gets a new, valid session, and the AWS CLI keeps working', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const script = `${probe('fetch')}; ${CALLER_ARN.join(' ')}; ${probe('fetch')}; ${CALLER_ARN.join(' ')}`;
    const run = await runRolecall(suite.box, ['exec', '--server', 'app', '--', 'sh', '-c', script], { env: { ROLECALL_MIN_TTL: '901' } });
    assert.equal(run.status, 0, run.stderr);
    const [first, arn1, second, arn2] = run.stdout.trim().split('\n') as [string, string, string, string];
    const one = served(JSON.parse(first) as Answer);
    const two = served(JSON.parse(second) as Answer);
    assert.notEqual(one.AccessKeyId, two.AccessKeyId, 'a new session at the second fetch');
    assert.notEqual(one.Token, two.Token);
    assert.ok(Date.parse(two.Expiration) >= Date.parse(one.Expiration));
    assert.match(arn1, ROLE_ARN);
    assert.match(arn2, ROLE_ARN);
    // The first session before the child, then one per fetch: two probes and
    // two AWS CLI runs (each fetches at least once; botocore asks again at once
    // when a session has less than its 15 minutes of advisory refresh left).
    assert.ok(suite.world.proxy.count('AssumeRole') >= 5, `${suite.world.proxy.count('AssumeRole')} AssumeRole calls`);
  });

  test('a run whose session has ended gets a new one at its next fetch, and the AWS CLI works after', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const ready = join(suite.box.home, 'ready');
    const go = join(suite.box.home, 'go');
    const script = `${probe('fetch')}; : > "${ready}"; while [ ! -e "${go}" ]; do sleep 0.05; done; ${probe('fetch')}; ${CALLER_ARN.join(' ')}`;
    const expireCachedSession = async () => {
      // The session ends while the command runs: its cached copy says it expired a minute ago.
      const vault = await openVault(suite.box.env);
      const [account] = await vault.list(SESSIONS_SERVICE);
      assert.ok(account);
      const stored = JSON.parse((await vault.get(SESSIONS_SERVICE, account)) as string) as Record<string, unknown>;
      await vault.set(SESSIONS_SERVICE, account, JSON.stringify({ ...stored, expiration: new Date(Date.now() - 60_000).toISOString() }));
      writeFileSync(go, '');
    };
    let expired: Promise<void> | undefined;
    const run = await runRolecall(suite.box, ['exec', '--server', 'app', '--', 'sh', '-c', script], {
      onSpawn: () => {
        const poll = setInterval(() => {
          if (!existsSync(ready)) return;
          clearInterval(poll);
          expired = expireCachedSession();
        }, 25);
      },
    });
    await expired;
    assert.equal(run.status, 0, run.stderr);
    const [first, second, arn] = run.stdout.trim().split('\n') as [string, string, string];
    const before = served(JSON.parse(first) as Answer);
    const after = served(JSON.parse(second) as Answer);
    assert.notEqual(before.AccessKeyId, after.AccessKeyId);
    assert.ok(Date.parse(after.Expiration) > Date.now() + 10 * 60_000, 'the new session has its whole life ahead');
    assert.match(arn, ROLE_ARN);
    assert.equal(suite.world.proxy.count('AssumeRole'), 2, 'the first session, and the one after it ended: the AWS CLI got that from the cache');
  });

  test('a signal to rolecall reaches the child, whose status rolecall gives; the server is gone after', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const ready = join(suite.box.home, 'ready-term');
    const script = `trap 'echo "$AWS_CONTAINER_CREDENTIALS_FULL_URI"; exit 42' TERM; : > "${ready}"; while :; do sleep 0.05; done`;
    const run = await runRolecall(suite.box, ['exec', '--server', 'app', '--', 'sh', '-c', script], {
      onSpawn: (pid) => {
        const poll = setInterval(() => {
          if (!existsSync(ready)) return;
          clearInterval(poll);
          process.kill(pid, 'SIGTERM');
        }, 25);
      },
    });
    assert.equal(run.status, 42, run.stderr);
    const url = run.stdout.trim();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\//);
    assert.equal(await connect(url), 'ECONNREFUSED');
  });

  test('no secret in any argv, on stderr or in --debug: not the token, not a key', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const envFile = join(suite.box.home, 'child-env');
    const argvFile = join(suite.box.home, 'argv');
    // While the server runs: every process's argv, read from /proc as ps does.
    const script = `env > "${envFile}"; ${probe('fetch')}; ${CALLER_ARN.join(' ')} >/dev/null; cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' ' > "${argvFile}"`;
    const run = await runRolecall(suite.box, ['exec', '--debug', '--server', 'app', '--', 'sh', '-c', script], { env: { ROLECALL_MIN_TTL: '901' } });
    assert.equal(run.status, 0, run.stderr);
    const token = parseEnv(readFileSync(envFile, 'utf8')).AWS_CONTAINER_AUTHORIZATION_TOKEN ?? '';
    assert.ok(token.length >= 43);
    const credentials = served(JSON.parse(run.stdout.trim()) as Answer);
    assert.match(run.stderr, /credential server for "app" listening on 127\.0\.0\.1:\d+/);
    assert.match(run.stderr, /credential server: session ASIA…\w{4} handed out/);
    assert.match(run.stderr, /credential server closed/);
    const argv = readFileSync(argvFile, 'utf8');
    assert.match(argv, /probe\.mjs|get-caller-identity|cat/, 'the argv of the processes was read');
    for (const secret of [token, credentials.SecretAccessKey, credentials.Token, credentials.AccessKeyId, base.secretAccessKey, base.accessKeyId]) {
      assert.ok(!run.stderr.includes(secret), 'a secret reached stderr');
      assert.ok(!argv.includes(secret), 'a secret reached an argv');
    }
  });

  test('a refresh that needs a new MFA code cannot prompt: the fetch fails with no key, and stderr says why', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    suite.box.write('.aws/config', rolesOverBase({ app: 'App' }, 'mfa_serial = arn:aws:iam::123456789012:mfa/alice\n'));
    // Longer than the 8-hour MFA session: every session is stale at once, and a new one needs a new code.
    const run = await runRolecall(suite.box, ['exec', '--mfa-token', '135790', '--server', 'app', '--', 'sh', '-c', probe('fetch')], { env: { ROLECALL_MIN_TTL: '30000' } });
    assert.equal(run.status, 0, run.stderr);
    const answer = JSON.parse(run.stdout) as Answer;
    assert.equal(answer.status, 500);
    assert.doesNotMatch(answer.body, /AccessKeyId|ASIA/);
    assert.match(run.stderr, /rolecall: credential server: no session for "app": profile "app" needs a new MFA code for arn:aws:iam::123456789012:mfa\/alice, and rolecall cannot ask for it: the command owns the terminal \(exec --server\)/);
    assert.equal(suite.world.proxy.count('GetSessionToken'), 1, 'the code given on the command line was used once, before the command');
  });

  test('refused before any STS call: a [default] with credentials of its own, which the SDKs would take first; long-term keys', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    suite.box.write('.aws/credentials', credentialsFile({ base, default: randomKeys() }));
    const shadowed = await runRolecall(suite.box, ['exec', '--server', 'app', '--', 'true']);
    assert.equal(shadowed.status, 125);
    assert.match(shadowed.stderr, /^rolecall: profile "default" has credentials of its own \(aws_access_key_id in ~\/\.aws\/credentials\), which the AWS CLI and SDKs in the command take before rolecall's credential server, so it would not run as "app"/);
    assert.equal(shadowed.stderr.trim().split('\n').length, 1);
    assert.equal(suite.world.proxy.calls.length, 0);
    suite.box.write('.aws/credentials', credentialsFile({ base }));
    const longTerm = await runRolecall(suite.box, ['exec', '--server', '--no-session', 'base', '--', 'true']);
    assert.equal(longTerm.status, 125);
    assert.match(longTerm.stderr, /--server hands out sessions, and profile "base" gives long-term keys; drop --no-session/);
  });
});
