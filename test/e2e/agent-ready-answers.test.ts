/**
 * The agent's ready answers (a plain `exec PROFILE -- CMD` or
 * `credential-process PROFILE` answered from what the last full path left
 * with the agent), against moto behind the recording proxy, with the file
 * vault and the keychain (gnome-keyring): served while nothing it was made
 * from changed, with the child's environment and the JSON the full path
 * gives; never served after an edit of the config (even one that keeps its
 * size and mtime), another environment, a clear, remove, add or rotate
 * (told to the agent or not: the signature recheck), keys that appear in
 * the vault, `rolecall lock` or its time; none kept after a note, from an
 * unsettled config, or for a relative or `$` path; exec's statuses, signals
 * and stdin as ever; the forms with an option always take the full path; a
 * credential-process whose reader left says so; no secret where it must not
 * be. Timed, at the end: a command resolving an answer that is stopped by
 * Ctrl-C or a kill holds no other for the rest of its flight, and a hung
 * agent costs a bounded wait.
 *
 * What "served" means here is the agent's own count (`agent --status`,
 * its `ready:` section); the full path's answer is what the same command
 * with `--debug` gives (an option: the full path, with the agent).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { eventually } from '../helpers/eventually.js';
import { startFakeAgent } from '../helpers/fake-agent.js';
import { motoIam } from '../helpers/moto-server.js';
import { requireCommands } from '../helpers/peers.js';
import { parseEnv, rolecallBin, runRolecall, trappingChild, type RunResult, type Sandbox } from '../helpers/sandbox.js';
import { filesHoldingAnyForm, secretsIn } from '../helpers/secret-scan.js';
import { randomKeys, stsWorldForSuite } from '../helpers/sts-world.js';
import { BACKENDS, backendEnv, requireBackend, uniqueName, type Backend } from './vault-harness.js';
import { AGENT_ON, agentPids, socketOf, waitForAgents } from './agent-harness.js';
import { ask } from '../../src/agent/agent-client.js';
import { agentPlace } from '../../src/agent/agent-dir.js';

/** A config file younger than this when read is not settled: no ready answer is written from it. */
const SETTLE_MS = 1_100;

interface ReadyAnswer {
  readonly words: string;
  readonly served: number;
  readonly until: string;
}

/**
 * The agent's ready answers, asked over its socket with rolecall's own client
 * (what `agent --status` prints them from, without a process of its own for
 * each look: the test asks often); `agent --status` itself is read once below.
 */
async function readyAnswers(box: Sandbox): Promise<ReadyAnswer[]> {
  const answer = await ask(agentPlace(box.env), { op: 'status' }, 5_000);
  assert.ok('reply' in answer && answer.reply.ok && answer.reply.status, `the agent's status: ${JSON.stringify(answer)}`);
  return (answer.reply.status.ready ?? []).map((ready) => ({ words: ready.words.join(' '), served: ready.served, until: ready.until }));
}

/** How many times the answers for `words` were served, all of them together, and how many there are. */
async function servedOf(box: Sandbox, words: string): Promise<{ served: number; answers: number }> {
  const mine = (await readyAnswers(box)).filter((answer) => answer.words === words);
  return { served: mine.reduce((sum, answer) => sum + answer.served, 0), answers: mine.length };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `rolecall ARGS` whose stdout's reader has gone before anything is written: its status and stderr. */
function readerGone(box: Sandbox, args: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [rolecallBin, ...args], { env: box.env, cwd: box.home, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

function config(base: string, role: string, region: string, roleLines = ''): string {
  return `[profile ${base}]\nregion = eu-west-1\n\n[profile ${role}]\nrole_arn = arn:aws:iam::123456789012:role/Ready\nsource_profile = ${base}\nregion = ${region}\n${roleLines}`;
}

/**
 * The commands that remove keychain items take turns across this file's
 * tests: `clear` searches the keychain, and libsecret kills the process
 * (secret_value_get_text: assertion 'value' failed) when an item it found is
 * removed by another process before it reads it.
 */
const REMOVES_FROM_KEYCHAIN: ReadonlySet<string> = new Set(['clear', 'remove']);
let keychainTurn: Promise<unknown> = Promise.resolve();
function inKeychainTurn<T>(body: () => Promise<T>): Promise<T> {
  const mine = keychainTurn.then(body, body);
  keychainTurn = mine.catch(() => undefined);
  return mine;
}

/** One moto and one recording proxy for the file: the timed tests at the end share them. */
const suite = stsWorldForSuite();

interface World {
  readonly box: Sandbox;
  readonly backend: Backend;
  readonly base: string;
  readonly role: string;
  keys: { accessKeyId: string; secretAccessKey: string };
  /** A command with the sandbox's environment and `env` over it. */
  run(args: readonly string[], env?: Record<string, string>, input?: string): Promise<RunResult>;
  /** `exec ROLE -- env` (plain, or with `options` before ROLE), its status checked; the child's environment. */
  envOf(options?: readonly string[], env?: Record<string, string>): Promise<Record<string, string>>;
  /** How many AssumeRole calls the proxy passed signed with a key of this world's. */
  assumed(withKey?: string): number;
  served(words?: string): Promise<{ served: number; answers: number }>;
}

/**
 * A sandbox with the agent on, base keys stored, a role over them, and one
 * plain exec of the role done (the full path: STS, the vault through the
 * agent) once the config has settled, which leaves the first ready answer.
 */
async function world(t: TestContext, backend: Backend, options: { roleLines?: string; env?: Record<string, string> } = {}): Promise<World | undefined> {
  if (!requireCommands(t, 'moto_server') || !(await requireBackend(t, backend))) return undefined;
  const box = suite.world.sandbox({ ...AGENT_ON, ...backendEnv(backend) });
  const base = uniqueName('base');
  const role = uniqueName('role');
  box.write('.aws/config', config(base, role, 'eu-west-1', options.roleLines));
  const written = Date.now();
  const keys = randomKeys();
  const run = (args: readonly string[], env: Record<string, string> = {}, input?: string) => {
    const started = () => runRolecall(box, args, { env: { ...options.env, ...env }, ...(input !== undefined ? { input } : {}) });
    return backend === 'keychain' && REMOVES_FROM_KEYCHAIN.has(args[0] as string) ? inKeychainTurn(started) : started();
  };
  if (backend === 'keychain') {
    t.after(async () => {
      const off = { ROLECALL_AGENT: 'off' };
      // This world's own items only: the keychain is shared by every test running at once, whose markers are their own.
      await run(['clear', role, '--backend', 'keychain'], off);
      await run(['remove', base, '--force', '--backend', 'keychain'], off);
    });
  }
  const added = await run(['add', base, '--env'], { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey });
  assert.equal(added.status, 0, added.stderr);
  await sleep(written + SETTLE_MS - Date.now());
  const first = await run(['exec', role, '--', 'true']);
  assert.equal(first.status, 0, first.stderr);
  await waitForAgents(box, 1);
  const w: World = {
    box,
    backend,
    base,
    role,
    keys,
    run,
    async envOf(execOptions = [], env = {}) {
      const result = await run(['exec', ...execOptions, role, '--', 'env'], env);
      assert.equal(result.status, 0, result.stderr);
      if (!execOptions.includes('--debug')) assert.equal(result.stderr, '', 'a plain exec says nothing');
      return parseEnv(result.stdout);
    },
    assumed: (withKey) => suite.world.proxy.calls.filter((call) => call.action === 'AssumeRole' && call.signedWith === (withKey ?? w.keys.accessKeyId)).length,
    served: (words = `exec ${role}`) => servedOf(box, words),
  };
  return w;
}

describe('ready answers', { concurrency: true }, () => {
  for (const backend of BACKENDS) {
    test(`${backend}: exec and credential-process served from the ready answer, as the full path would answer; no secret kept or shown`, async (t) => {
      const w = await world(t, backend);
      if (!w) return;
      assert.deepEqual(await w.served(), { served: 0, answers: 1 }, 'the full path left one answer, not yet served');
      assert.deepEqual(await w.served(`credential-process ${w.role}`), { served: 0, answers: 0 }, 'an answer for its own words only');
      const hit = await w.envOf();
      const again = await w.run(['exec', w.role, '--', 'sh', '-c', 'printf %s "$AWS_ACCESS_KEY_ID"']);
      assert.equal(again.status, 0, again.stderr);
      assert.equal(again.stderr, '');
      assert.deepEqual(await w.served(), { served: 2, answers: 1 }, 'the command after -- is not part of the key');
      const elsewhere = await runRolecall(w.box, ['exec', w.role, '--', 'true'], { cwd: '/', env: { TERM: 'dumb-other-terminal', PATH: `/usr/local/bin:${process.env.PATH ?? ''}` } });
      assert.equal(elsewhere.status, 0, elsewhere.stderr);
      assert.deepEqual(await w.served(), { served: 3, answers: 1 }, 'another directory, TERM or PATH is the same answer');
      const full = await w.envOf(['--debug']);
      assert.deepEqual(hit, full, 'the child of a served exec has the environment the full path gives it');
      assert.match(hit.AWS_ACCESS_KEY_ID ?? '', /^ASIA/);
      assert.equal(again.stdout, hit.AWS_ACCESS_KEY_ID);
      assert.equal(hit.AWS_REGION, 'eu-west-1');
      assert.equal(hit.ROLECALL_PROFILE, w.role);
      assert.equal(hit.ROLECALL_FILE_PASSPHRASE, undefined, 'the passphrase never reaches a child');
      assert.equal(w.assumed(), 1, 'one AssumeRole for them all');

      const cold = await w.run(['credential-process', w.role]);
      assert.equal(cold.status, 0, cold.stderr);
      const served = await Promise.all([w.run(['credential-process', w.role]), w.run(['credential-process', w.role])]);
      const fullJson = await w.run(['credential-process', '--debug', w.role]);
      assert.equal(fullJson.status, 0, fullJson.stderr);
      for (const result of served) {
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stderr, '');
        assert.equal(result.stdout, cold.stdout);
      }
      assert.deepEqual(JSON.parse(served[0]!.stdout), JSON.parse(fullJson.stdout));
      assert.equal(JSON.parse(cold.stdout).AccessKeyId, hit.AWS_ACCESS_KEY_ID);
      assert.deepEqual(await w.served(`credential-process ${w.role}`), { served: 2, answers: 1 });
      assert.equal(w.assumed(), 1);

      // A reader gone before the JSON is written (an SDK that gave up): status 1 and the full path's one line, served or not.
      const gone = await Promise.all([['credential-process', w.role], ['credential-process', '--debug', w.role]].map((args) => readerGone(w.box, args)));
      assert.deepEqual(gone[0], { status: 1, stderr: 'rolecall: the credentials could not be written to stdout (its reader is gone)\n' });
      assert.equal(gone[1]?.status, 1);
      assert.equal(gone[1]?.stderr.split('\n').filter((line) => line && !line.startsWith('rolecall: debug:')).join('\n') + '\n', gone[0]?.stderr);
      assert.deepEqual(await w.served(`credential-process ${w.role}`), { served: 3, answers: 1 });

      const secrets = [w.keys.secretAccessKey, hit.AWS_SECRET_ACCESS_KEY as string, hit.AWS_SESSION_TOKEN as string, ...(backend === 'file' ? [w.box.env.ROLECALL_FILE_PASSPHRASE as string] : [])];
      const [agent] = agentPids(w.box);
      const argv = readFileSync(`/proc/${agent}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${agent}/environ`, 'utf8');
      assert.deepEqual(secretsIn(argv, secrets, false), [], 'a secret in the agent\'s argv');
      assert.deepEqual(secretsIn(environ, secrets, false), [], 'a secret in the agent\'s environment');
      assert.deepEqual(filesHoldingAnyForm(w.box, secrets), {}, 'a secret in a file under HOME');
      const status = await w.run(['agent', '--status']);
      assert.deepEqual(secretsIn(status.stdout + status.stderr, secrets), [], 'a secret in agent --status');
      assert.match(status.stdout, new RegExp(`^ {2}exec ${w.role}, served 3 times, until \\S+$`, 'm'));
    });

    test(`${backend}: clear, through the agent or behind its back (ROLECALL_AGENT=off), is never answered from the old answer`, async (t) => {
      const w = await world(t, backend);
      if (!w) return;
      const old = await w.envOf();
      assert.equal((await w.served()).served, 1);

      const cleared = await w.run(['clear', w.role]);
      assert.equal(cleared.status, 0, cleared.stderr);
      const afterClear = await w.envOf();
      assert.notEqual(afterClear.AWS_ACCESS_KEY_ID, old.AWS_ACCESS_KEY_ID, 'a new session after clear');
      assert.equal(w.assumed(), 2);
      assert.equal((await w.served()).served, 0, 'the answer went with the session');
      assert.equal((await w.envOf()).AWS_ACCESS_KEY_ID, afterClear.AWS_ACCESS_KEY_ID, 'the new session\'s answer is served');
      assert.equal((await w.served()).served, 1);

      const offCleared = await w.run(['clear', w.role], { ROLECALL_AGENT: 'off' });
      assert.equal(offCleared.status, 0, offCleared.stderr);
      assert.match(offCleared.stdout, /cleared 1 cached session/, 'this world\'s session was still there to clear');
      const afterOff = await w.envOf();
      assert.notEqual(afterOff.AWS_ACCESS_KEY_ID, afterClear.AWS_ACCESS_KEY_ID, 'the session cleared with the agent off is not served');
      assert.equal(w.assumed(), 3);
      assert.deepEqual(afterOff, await w.envOf(['--debug']));
    });

    test(`${backend}: keys replaced behind the agent's back (ROLECALL_AGENT=off add), then removed through it, are never answered from the old answer`, async (t) => {
      const w = await world(t, backend);
      if (!w) return;
      const old = await w.envOf();
      assert.equal((await w.served()).served, 1);

      const replacement = randomKeys();
      const added = await w.run(['add', w.base, '--env', '--force'], { ROLECALL_AGENT: 'off', AWS_ACCESS_KEY_ID: replacement.accessKeyId, AWS_SECRET_ACCESS_KEY: replacement.secretAccessKey });
      assert.equal(added.status, 0, added.stderr);
      const afterAdd = await w.envOf();
      assert.notEqual(afterAdd.AWS_ACCESS_KEY_ID, old.AWS_ACCESS_KEY_ID);
      assert.equal(w.assumed(replacement.accessKeyId), 1, 'the session of the new keys, asked with them');
      assert.equal((await w.served()).served, 0, 'not served: the new answer replaced the old one of the same name');
      w.keys = replacement;
      assert.equal((await w.envOf()).AWS_ACCESS_KEY_ID, afterAdd.AWS_ACCESS_KEY_ID);

      const removed = await w.run(['remove', w.base, '--force']);
      assert.equal(removed.status, 0, removed.stderr);
      const [plain, full] = await Promise.all([w.run(['exec', w.role, '--', 'env']), w.run(['exec', '--debug', w.role, '--', 'env'])]);
      assert.equal(plain.status, 125, `the removed keys' session is not served: ${plain.stdout}`);
      assert.equal(full.status, 125);
      assert.equal(plain.stdout, '');
      assert.equal(plain.stderr, full.stderr.split('\n').filter((line) => line && !line.startsWith('rolecall: debug:')).join('\n') + '\n');
      assert.match(plain.stderr, /no keys/);
    });
  }

  test('an edit of the config, even one that keeps its size and mtime (touch -r back), is answered by the full path', async (t) => {
    const w = await world(t, 'file');
    if (!w) return;
    const path = join(w.box.home, '.aws', 'config');
    assert.equal((await w.envOf()).AWS_REGION, 'eu-west-1');
    assert.equal((await w.served()).served, 1);

    // Another region of another length: a plain edit.
    writeFileSync(path, config(w.base, w.role, 'ap-southeast-2'));
    await sleep(SETTLE_MS);
    assert.equal((await w.envOf()).AWS_REGION, 'ap-southeast-2');
    assert.deepEqual(await w.served(), { served: 0, answers: 1 }, 'the old config\'s answer not served, and replaced by one for the new config');
    assert.equal((await w.envOf()).AWS_REGION, 'ap-southeast-2');
    assert.equal((await w.served()).served, 1, 'the settled config\'s answer is served');

    // The same size, and the mtime put back to the nanosecond: only the ctime tells.
    const kept = join(w.box.home, 'mtime-of-config');
    writeFileSync(kept, '');
    assert.equal(spawnSync('touch', ['-r', path, kept]).status, 0);
    const before = statSync(path, { bigint: true });
    writeFileSync(path, config(w.base, w.role, 'ap-southeast-1'));
    assert.equal(spawnSync('touch', ['-r', kept, path]).status, 0);
    const after = statSync(path, { bigint: true });
    assert.deepEqual([after.ino, after.size, after.mtimeNs], [before.ino, before.size, before.mtimeNs], 'only the ctime differs');
    // Settled first, as above: whether the command after an unsettled edit keeps an answer depends on how long it takes.
    await sleep(SETTLE_MS);
    assert.equal((await w.envOf()).AWS_REGION, 'ap-southeast-1');
    assert.deepEqual(await w.served(), { served: 0, answers: 1 }, 'no answer of the config before the edit was served; it was replaced by the edited config\'s');
    assert.equal((await w.envOf()).AWS_REGION, 'ap-southeast-1');
    assert.equal((await w.served()).served, 1, 'the edited config\'s answer is served');
    assert.deepEqual(await w.envOf(), await w.envOf(['--debug']));
  });

  test('another AWS_REGION, AWS_DEFAULT_REGION, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, ROLECALL_MIN_TTL, AWS_PROFILE or shell hook is another answer, whose child is the full path\'s', async (t) => {
    const w = await world(t, 'file');
    if (!w) return;
    const alternative = w.box.write('.aws/other-config', config(w.base, w.role, 'sa-east-1'));
    // Settled by the time it is used: the world waited for its own config since.
    await sleep(SETTLE_MS);
    const old = await w.envOf();
    assert.equal((await w.served()).served, 1);
    const variants: Array<[Record<string, string>, string]> = [
      [{ AWS_REGION: 'eu-central-1' }, 'eu-central-1'],
      [{ AWS_DEFAULT_REGION: 'eu-north-1' }, 'eu-north-1'],
      [{ AWS_CONFIG_FILE: alternative }, 'sa-east-1'],
      [{ ROLECALL_MIN_TTL: '600' }, 'eu-west-1'],
      [{ AWS_SHARED_CREDENTIALS_FILE: join(w.box.home, 'no-such-credentials') }, 'eu-west-1'],
      // What a child must not inherit, on a hit as on the full path.
      [{ AWS_PROFILE: w.base, AWS_SECURITY_TOKEN: 'stale-token', AWS_CREDENTIAL_EXPIRATION: '2000-01-01T00:00:00Z' }, 'eu-west-1'],
      // Under the shell hook of another profile: its region is not the user's, and its marker does not reach the child.
      [{ ROLECALL_PROFILE: w.base, ROLECALL_SHELL_HOOK: w.base, ROLECALL_SHELL_HOOK_REGION: 'us-east-2', AWS_REGION: 'us-east-2', AWS_DEFAULT_REGION: 'us-east-2' }, 'eu-west-1'],
    ];
    for (const [env, region] of variants) {
      const label = Object.keys(env)[0];
      const before = await w.served();
      const plain = await w.envOf([], env);
      assert.equal(plain.AWS_REGION, region, label);
      assert.deepEqual(Object.keys(plain).filter((name) => /^(AWS_PROFILE|AWS_SECURITY_TOKEN|ROLECALL_SHELL_HOOK.*)$/.test(name)), [], `${label}: removed from the child`);
      assert.deepEqual(plain, await w.envOf(['--debug'], env), `${label}: what the full path gives`);
      const after = await w.served();
      assert.ok(after.served <= before.served, `${label}: the answer of another environment was served`);
      assert.deepEqual(await w.envOf([], env), plain, `${label}: its own answer`);
      assert.equal((await w.served()).served, after.served + 1, `${label}: its own answer is served to the next`);
    }
    assert.equal((await w.envOf()).AWS_ACCESS_KEY_ID, old.AWS_ACCESS_KEY_ID);

    // A credentials file that appears (with nothing for this profile) is a change of the files too.
    w.box.write('.aws/credentials', '[someone-else]\naws_access_key_id = AKIAEXAMPLEEXAMPLE12\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n');
    await sleep(SETTLE_MS);
    const before = await w.served();
    assert.equal((await w.envOf()).AWS_ACCESS_KEY_ID, old.AWS_ACCESS_KEY_ID);
    assert.ok((await w.served()).served <= before.served, 'served across a new credentials file');
  });

  test('a relative AWS_CONFIG_FILE is read from the command\'s directory, served or not', async (t) => {
    const w = await world(t, 'file');
    if (!w) return;
    const dirs = { one: 'eu-south-1', two: 'me-south-1' } as const;
    for (const [dir, region] of Object.entries(dirs)) w.box.write(`${dir}/aws-config`, config(w.base, w.role, region));
    await sleep(SETTLE_MS);
    for (const dir of ['one', 'two', 'one', 'two', 'one'] as const) {
      const result = await runRolecall(w.box, ['exec', w.role, '--', 'sh', '-c', 'printf %s "$AWS_REGION"'], { cwd: join(w.box.home, dir), env: { AWS_CONFIG_FILE: 'aws-config' } });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, dirs[dir], `from ${dir}`);
    }
    assert.deepEqual(await w.served(), { served: 0, answers: 1 }, 'none kept for a relative path: the world\'s own answer alone');
  });

  test('keys taken from the credentials file: keys added to the vault later (agent off) win over the answer made without them', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const box = suite.world.sandbox(AGENT_ON);
    const plain = randomKeys();
    box.write('.aws/config', config('base', 'role', 'eu-west-1'));
    box.write('.aws/credentials', `[base]\naws_access_key_id = ${plain.accessKeyId}\naws_secret_access_key = ${plain.secretAccessKey}\n`);
    await sleep(SETTLE_MS);
    const keyOf = async () => {
      const result = await runRolecall(box, ['exec', 'role', '--', 'sh', '-c', 'printf %s "$AWS_ACCESS_KEY_ID"']);
      assert.equal(result.status, 0, result.stderr);
      return result;
    };
    const noticed = await keyOf();
    assert.match(noticed.stderr, /in plain text/, 'the plain-text notice, said once');
    assert.deepEqual(await servedOf(box, 'exec role'), { served: 0, answers: 0 }, 'not kept: the command said something');
    const old = (await keyOf()).stdout;
    assert.equal((await keyOf()).stdout, old);
    assert.equal((await servedOf(box, 'exec role')).served, 1);

    const vaulted = randomKeys();
    const added = await runRolecall(box, ['add', 'base', '--env'], { env: { ROLECALL_AGENT: 'off', AWS_ACCESS_KEY_ID: vaulted.accessKeyId, AWS_SECRET_ACCESS_KEY: vaulted.secretAccessKey } });
    assert.equal(added.status, 0, added.stderr);
    const next = await keyOf();
    assert.notEqual(next.stdout, old, 'the vault\'s keys come first, as on the full path');
    assert.equal(suite.world.proxy.calls.filter((call) => call.action === 'AssumeRole' && call.signedWith === vaulted.accessKeyId).length, 1);
  });

  test('rotate (moto\'s IAM): the next exec has a session of the new key', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const { world: sts } = suite;
    const user = uniqueName('ready');
    await motoIam(sts.moto.url, 'CreateUser', { UserName: user });
    const created = await motoIam(sts.moto.url, 'CreateAccessKey', { UserName: user });
    const oldId = /<AccessKeyId>([^<]+)</.exec(created)?.[1] as string;
    const oldSecret = /<SecretAccessKey>([^<]+)</.exec(created)?.[1] as string;
    const box = sts.sandbox({ ...AGENT_ON, AWS_ENDPOINT_URL_IAM: sts.proxy.url });
    const role = `${user}-role`;
    box.write('.aws/config', config(user, role, 'eu-west-1'));
    const written = Date.now();
    const added = await runRolecall(box, ['add', user, '--env'], { env: { AWS_ACCESS_KEY_ID: oldId, AWS_SECRET_ACCESS_KEY: oldSecret } });
    assert.equal(added.status, 0, added.stderr);
    await sleep(written + SETTLE_MS - Date.now());
    const keyOf = async () => {
      const result = await runRolecall(box, ['exec', role, '--', 'sh', '-c', 'printf %s "$AWS_ACCESS_KEY_ID"']);
      assert.equal(result.status, 0, result.stderr);
      return result.stdout;
    };
    const old = await keyOf();
    assert.equal(await keyOf(), old);
    assert.equal((await servedOf(box, `exec ${role}`)).served, 1);
    const rotated = await runRolecall(box, ['rotate', user]);
    assert.equal(rotated.status, 0, rotated.stderr);
    const fresh = /<AccessKeyId>([^<]+)</.exec(await motoIam(sts.moto.url, 'ListAccessKeys', { UserName: user }))?.[1];
    assert.notEqual(fresh, oldId);
    const next = await keyOf();
    assert.notEqual(next, old, 'the old key\'s session is not served');
    const assumed = sts.proxy.calls.filter((call) => call.action === 'AssumeRole' && call.signedWith === fresh);
    assert.equal(assumed.length, 1, 'its session, asked with the new key');
  });

  test('an answer past its time (the session\'s expiry less ROLECALL_MIN_TTL) is not served', async (t) => {
    // A 900 s session with 890 s of it required: the answer has 10 s to live (room for a loaded machine to serve it once).
    const minTtl = 890;
    const w = await world(t, 'file', { roleLines: 'duration_seconds = 900\n', env: { ROLECALL_MIN_TTL: String(minTtl) } });
    if (!w) return;
    const old = await w.envOf();
    const [answer] = (await readyAnswers(w.box)).filter((a) => a.words === `exec ${w.role}`);
    assert.equal(answer?.served, 1, 'served while it has time');
    const until = Date.parse(answer!.until);
    const expiry = Date.parse(old.AWS_CREDENTIAL_EXPIRATION as string);
    assert.ok(Math.abs(until - (expiry - minTtl * 1000)) < 1_000, `until ${answer!.until}, for a session to ${old.AWS_CREDENTIAL_EXPIRATION}`);
    await sleep(until - Date.now() + 200);
    const late = await w.envOf();
    assert.notEqual(late.AWS_ACCESS_KEY_ID, old.AWS_ACCESS_KEY_ID, 'a new session, as the full path gets');
    assert.equal(w.assumed(), 2);
    assert.ok((await w.served()).served <= 1);
  });

  test('a served exec: the nested exec refused (125), command not found (127), the child\'s status, its death by a signal and a signal to rolecall, stdin and stdout, all as ever; rolecall lock forgets the answers', async (t) => {
    const w = await world(t, 'file');
    if (!w) return;
    const exec = (args: readonly string[], env?: Record<string, string>, input?: string) => w.run(['exec', w.role, '--', ...args], env, input);
    let served = 0;
    const assertServed = async (what: string) => assert.equal((await w.served()).served, ++served, `${what}: served`);

    const nested = await exec([process.execPath, rolecallBin, 'exec', w.role, '--', 'true']);
    assert.equal(nested.status, 125);
    assert.match(nested.stderr, new RegExp(`^rolecall: already inside \`rolecall exec\` for profile "${w.role}"`));
    assert.equal(nested.stderr.trim().split('\n').length, 1);
    await assertServed('the outer exec');
    const inside = await exec(['true'], { ROLECALL_PROFILE: w.role });
    assert.equal(inside.status, 125);
    assert.equal(inside.stderr, nested.stderr);

    const empty = await exec(['']);
    assert.equal(empty.status, 127, 'an empty command name is not found, as for GNU env');
    assert.equal(empty.stderr, (await w.run(['exec', w.role, '--', ''], { ROLECALL_AGENT: 'off' })).stderr);
    await assertServed('an empty command name');
    const missing = await exec(['no-such-command-rolecall']);
    const missingFull = await w.run(['exec', w.role, '--', 'no-such-command-rolecall'], { ROLECALL_AGENT: 'off' });
    assert.equal(missing.status, 127);
    assert.equal(missing.stderr, missingFull.stderr);
    assert.match(missing.stderr, /command not found/);
    await assertServed('command not found');

    assert.equal((await exec(['sh', '-c', 'exit 7'])).status, 7);
    await assertServed('exit 7');
    assert.equal((await exec(['sh', '-c', 'kill -TERM $$'])).status, 143);
    await assertServed('a child killed by SIGTERM');

    const input = 'line one\nline two\n';
    const piped = await exec(['sh', '-c', 'cat; echo "$ROLECALL_PROFILE" >&2'], {}, input);
    assert.equal(piped.status, 0, piped.stderr);
    assert.equal(piped.stdout, input);
    assert.equal(piped.stderr, `${w.role}\n`);
    await assertServed('stdin and stdout');
    const optionLike = await exec(['echo', '--debug', '--region', 'x']);
    assert.equal(optionLike.stdout, '--debug --region x\n', 'words after -- are the command\'s');
    assert.equal(optionLike.stderr, '');
    await assertServed('options after --');

    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const child = trappingChild(w.box.home, signal);
      const outcome = await runRolecall(w.box, ['exec', w.role, '--', ...child.command], { onSpawn: child.onSpawn });
      assert.equal(outcome.status, 42, `${signal}: ${outcome.stderr}`);
      assert.equal(outcome.stdout.trim(), `got-${signal}`);
      await assertServed(signal);
    }

    // rolecall lock: the answers go with the agent; the next exec takes the full path (the session cached on disk) and leaves a new one.
    const old = await w.envOf();
    const locked = await w.run(['lock']);
    assert.equal(locked.status, 0, locked.stderr);
    await waitForAgents(w.box, 0);
    assert.equal((await w.envOf()).AWS_ACCESS_KEY_ID, old.AWS_ACCESS_KEY_ID);
    await waitForAgents(w.box, 1);
    assert.deepEqual(await w.served(), { served: 0, answers: 1 }, 'a new agent, with the new answer only');
  });

  test('the forms with an option, or with no command, take the full path and serve nothing', async (t) => {
    const w = await world(t, 'file');
    if (!w) return;
    const start = await w.served();
    const region = await w.envOf(['--region', 'us-west-2']);
    assert.equal(region.AWS_REGION, 'us-west-2');
    for (const options of [['--debug'], ['--force'], ['--duration', '1h'], ['--no-session']]) {
      const result = await w.run(['exec', ...options, w.role, '--', 'true']);
      assert.equal(result.status, 0, `${options.join(' ')}: ${result.stderr}`);
    }
    for (const noCommand of [[], ['--']]) {
      const shell = await w.run(['exec', w.role, ...noCommand], { SHELL: 'sh' }, 'echo "in $ROLECALL_PROFILE"\n');
      assert.equal(shell.status, 0, shell.stderr);
      assert.equal(shell.stdout, `in ${w.role}\n`, `exec ROLE ${noCommand.join(' ')} runs the shell`);
    }
    const json = await w.run(['credential-process', '--debug', w.role]);
    assert.equal(json.status, 0, json.stderr);
    assert.deepEqual(await w.served(), start, 'none of them served or left an answer');
    assert.deepEqual(await w.served(`credential-process ${w.role}`), { served: 0, answers: 0 });
  });

  test('no answer is left by a command that printed a note, or with a $ in AWS_CONFIG_FILE', async (t) => {
    // A misspelt key is noted at every command: a served answer would drop the note.
    const w = await world(t, 'file', { roleLines: 'duraton_seconds = 900\n' });
    if (!w) return;
    assert.deepEqual(await w.served(), { served: 0, answers: 0 });
    for (let i = 0; i < 2; i++) {
      const noted = await w.run(['exec', w.role, '--', 'true']);
      assert.equal(noted.status, 0, noted.stderr);
      assert.match(noted.stderr, /duraton_seconds/, 'the note at every command');
    }
    assert.deepEqual(await w.served(), { served: 0, answers: 0 });
    assert.match((await w.run(['agent', '--status'])).stdout, /^ready: +none$/m);

    const dollar = w.box.write('.aws/con$fig', config(w.base, w.role, 'eu-west-1'));
    await sleep(SETTLE_MS);
    for (let i = 0; i < 2; i++) assert.equal((await w.envOf([], { AWS_CONFIG_FILE: dollar })).AWS_REGION, 'eu-west-1');
    assert.deepEqual(await w.served(), { served: 0, answers: 0 });
  });
});

/** Timed, so alone: after the tests above, which run at once. */
describe('ready answers, the automatic choice of backend', () => {
  test('a command whose vault came out otherwise than the agent remembered (the keychain unreachable from here) keeps no answer: the next is the full path\'s', async (t) => {
    if (!requireCommands(t, 'moto_server') || !(await requireBackend(t, 'keychain'))) return;
    // No backend chosen: the keychain where D-Bus reaches it, else the file vault (which exists, with a passphrase).
    const box = suite.world.sandbox({ ...AGENT_ON, ROLECALL_BACKEND: '' });
    const base = uniqueName('base');
    const role = uniqueName('role');
    box.write('.aws/config', config(base, role, 'eu-west-1'));
    const off = { ROLECALL_AGENT: 'off' };
    const noBus = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
    const keys = randomKeys();
    t.after(async () => {
      await inKeychainTurn(() => runRolecall(box, ['clear', role, '--backend', 'keychain'], { env: off }));
      await inKeychainTurn(() => runRolecall(box, ['remove', base, '--force', '--backend', 'keychain'], { env: off }));
    });
    assert.equal((await runRolecall(box, ['add', base, '--env'], { env: { ...off, AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey } })).status, 0);
    const other = randomKeys();
    assert.equal((await runRolecall(box, ['add', uniqueName('dummy'), '--env', '--backend', 'file'], { env: { ...off, AWS_ACCESS_KEY_ID: other.accessKeyId, AWS_SECRET_ACCESS_KEY: other.secretAccessKey } })).status, 0);
    // The fallback's note is said once per user: said here, so the commands below say nothing.
    await runRolecall(box, ['exec', role, '--', 'true'], { env: { ...off, ...noBus } });
    await sleep(SETTLE_MS);
    // With D-Bus: the agent learns the keychain is the choice, and holds the keys.
    const desktop = await runRolecall(box, ['exec', role, '--', 'true']);
    assert.equal(desktop.status, 0, desktop.stderr);
    assert.equal((await inKeychainTurn(() => runRolecall(box, ['clear', role])))?.status, 0);
    // Without D-Bus: the keys from the agent's keychain copy, the session fetched and written to the file vault.
    const mixed = await runRolecall(box, ['exec', role, '--', 'true'], { env: noBus });
    const next = await runRolecall(box, ['exec', role, '--', 'sh', '-c', 'printf %s "$AWS_ACCESS_KEY_ID"'], { env: noBus });
    const full = await runRolecall(box, ['exec', '--region', 'eu-west-1', role, '--', 'sh', '-c', 'printf %s "$AWS_ACCESS_KEY_ID"'], { env: noBus });
    t.diagnostic(`mixed ${mixed.status}, next ${next.status}, full ${full.status}`);
    assert.equal(next.status, full.status, `${next.stderr}\n--\n${full.stderr}`);
    assert.equal((await servedOf(box, `exec ${role}`)).served, 0, 'no answer of the command that read one backend and wrote the other');
  });
});

describe('ready answers, timed', () => {
  test('a config changed less than a second before it is read is not made an answer', async (t) => {
    const w = await world(t, 'file');
    if (!w) return;
    const path = join(w.box.home, '.aws', 'config');
    writeFileSync(path, config(w.base, w.role, 'ap-northeast-1'));
    const edited = Date.now();
    const first = await w.envOf();
    const firstMs = Date.now() - edited;
    assert.equal(first.AWS_REGION, 'ap-northeast-1');
    assert.equal((await w.envOf()).AWS_REGION, 'ap-northeast-1');
    if (firstMs < SETTLE_MS - 300) assert.equal((await w.served()).served, 0, 'the exec right after the edit left no answer for the next one to serve');
    else t.diagnostic(`the first exec after the edit took ${firstMs} ms: whether it could leave an answer is not tested`);
    await sleep(SETTLE_MS);
    await w.envOf();
    assert.equal((await w.envOf()).AWS_REGION, 'ap-northeast-1');
    assert.equal((await w.served()).served, 1, 'once settled, it is');
  });

  test('a command resolving the answer that ends by Ctrl-C or a kill before it keeps one does not hold the next one for the rest of the flight', async (t) => {
    const w = await world(t, 'file');
    if (!w) return;
    const { proxy } = suite.world;
    for (const signal of ['SIGINT', 'SIGKILL'] as const) {
      assert.equal((await w.run(['clear', w.role])).status, 0);
      const release = proxy.hold('AssumeRole');
      t.after(release);
      // It misses (the session was cleared), is taken to resolve the answer, and waits on STS: then Ctrl-C, or a kill.
      const before = w.assumed();
      let pid = 0;
      const resolver = runRolecall(w.box, ['exec', w.role, '--', 'true'], { onSpawn: (spawned) => (pid = spawned) });
      await eventually(() => w.assumed() > before, 'the resolver to call STS');
      process.kill(pid, signal);
      assert.notEqual((await resolver).status, 0);
      release();
      const started = Date.now();
      const next = await w.run(['exec', w.role, '--', 'true']);
      const ms = Date.now() - started;
      assert.equal(next.status, 0, next.stderr);
      assert.ok(ms < 5_000, `${signal}: the next exec took ${ms} ms: it waited out the flight of a command that had ended`);
      t.diagnostic(`${signal}: the next exec took ${ms} ms`);
    }
  });

  test('a hung agent costs a plain exec a bounded wait (under 1.5 s), and it works', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const box = suite.world.sandbox(AGENT_ON);
    const keys = randomKeys();
    box.write('.aws/config', config('base', 'role', 'eu-west-1'));
    const off = { ROLECALL_AGENT: 'off' };
    const added = await runRolecall(box, ['add', 'base', '--env'], { env: { ...off, AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey } });
    assert.equal(added.status, 0, added.stderr);
    const fake = await startFakeAgent(socketOf(box), 'hang');
    t.after(() => fake.stop());
    const timed = async (env: Record<string, string>) => {
      const started = Date.now();
      const result = await runRolecall(box, ['exec', 'role', '--', 'sh', '-c', 'printf %s "$AWS_ACCESS_KEY_ID"'], { env });
      assert.equal(result.status, 0, result.stderr);
      return { result, ms: Date.now() - started };
    };
    const warm = await timed(off);
    const baseline = Math.min(warm.ms, (await timed(off)).ms);
    const { result, ms } = await timed({});
    assert.equal(result.stdout, warm.result.stdout, 'the cached session');
    assert.ok(ms - baseline < 1_500, `took ${ms} ms, against ${baseline} ms without the agent`);
    const lines = result.stderr.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0] as string, new RegExp(`^rolecall: the agent at ${socketOf(box)} is not answering as it should \\(no answer within \\d+ ms\\)`));
    assert.equal(fake.connections(), 1, 'asked once for the whole command, ready answer or not');
    t.diagnostic(`${ms} ms with the hung agent, ${baseline} ms without; ${fake.connections()} connection(s) to it`);
  });
});
