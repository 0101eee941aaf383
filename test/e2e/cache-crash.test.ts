/**
 * rolecall killed with SIGKILL (no cleanup runs) while it holds the lock of
 * a session, or while it is storing what STS answered, leaves the next run
 * working: the lock of a dead process is stale, and a half-written entry is
 * never seen (or is a miss).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startCountingWorld, type CountingWorld } from '../helpers/counting-proxy.js';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall, type Sandbox } from '../helpers/sandbox.js';
import { credentialsFile, randomKeys } from '../helpers/sts-world.js';

const CONFIG = `
[profile base]
region = eu-west-1

[profile app]
role_arn = arn:aws:iam::123456789012:role/App
source_profile = base
region = eu-west-1
`;

describe('session cache: SIGKILL', { concurrency: false }, () => {
  let world: CountingWorld;
  let box: Sandbox;
  before(async () => {
    world = await startCountingWorld();
  });
  after(async () => world?.stop());
  beforeEach(() => {
    world?.proxy.reset();
    box = world.sandbox({ ROLECALL_LOCK_TIMEOUT: '20' });
    box.write('.aws/config', CONFIG);
    box.write('.aws/credentials', credentialsFile({ base: randomKeys() }));
  });

  function lockFiles(): string[] {
    const dir = join(box.home, '.cache', 'rolecall', 'locks');
    return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.lock')) : [];
  }

  test('killed while holding the lock: the next run breaks the stale lock at once', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    world.proxy.delay('AssumeRole', 30_000);
    let victim = 0;
    const killed = runRolecall(box, ['exec', 'app', '--', 'true'], {
      onSpawn: (pid) => {
        victim = pid;
      },
    });
    // The AssumeRole reaching the proxy means the lock is held.
    let ended = false;
    void killed.then(() => (ended = true));
    while (world.proxy.count('AssumeRole') === 0 && !ended) await new Promise((r) => setTimeout(r, 20));
    assert.equal(ended, false, 'rolecall was still running when STS was asked');
    const [lock] = lockFiles();
    assert.ok(lock, 'the lock file exists while STS is being asked');
    assert.equal(JSON.parse(readFileSync(join(box.home, '.cache', 'rolecall', 'locks', lock), 'utf8')).pid, victim);
    process.kill(victim, 'SIGKILL');
    assert.equal((await killed).signal, 'SIGKILL');
    assert.deepEqual(lockFiles(), [lock], 'SIGKILL left the lock behind');

    world.proxy.reset();
    const started = Date.now();
    const next = await runRolecall(box, ['exec', 'app', '--debug', '--', 'true']);
    assert.equal(next.status, 0, next.stderr);
    assert.ok(Date.now() - started < 10_000, 'it did not wait for the lock timeout');
    assert.doesNotMatch(next.stderr, /waiting for rolecall pid/);
    assert.equal(world.proxy.count('AssumeRole'), 1);
    assert.deepEqual(lockFiles(), [], 'the lock was released');
  });

  test('killed at several moments after STS answered (parsing, encrypting, writing the entry): the next run works', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    for (const delayMs of [0, 5, 15, 30, 60, 100, 150]) {
      assert.equal((await runRolecall(box, ['clear'])).status, 0);
      world.proxy.reset();
      let victim = 0;
      world.proxy.onAnswered('AssumeRole', () => setTimeout(() => victim && process.kill(victim, 'SIGKILL'), delayMs));
      const killed = await runRolecall(box, ['exec', 'app', '--', 'true'], {
        onSpawn: (pid) => {
          victim = pid;
        },
      });
      world.proxy.reset();
      const next = await runRolecall(box, ['exec', 'app', '--', 'sh', '-c', 'echo "$AWS_ACCESS_KEY_ID"']);
      assert.equal(next.status, 0, `killed ${delayMs}ms after the answer (${killed.signal ?? killed.status}): ${next.stderr}`);
      assert.match(next.stdout, /^ASIA/);
      assert.ok(world.proxy.count('AssumeRole') <= 1);
      const warm = await runRolecall(box, ['exec', 'app', '--', 'true']);
      assert.equal(warm.status, 0, warm.stderr);
      assert.ok(world.proxy.count('AssumeRole') <= 1, 'and the one after it is warm');
    }
  });
});
