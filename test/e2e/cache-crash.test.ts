/**
 * rolecall killed with SIGKILL (no cleanup runs) while it holds the lock of
 * a session, or while it is storing what STS answered, leaves the next run
 * working: the lock of a dead process is stale, and a half-written entry is
 * never seen (or is a miss).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall } from '../helpers/sandbox.js';
import { credentialsFile, randomKeys, rolesOverBase, stsWorldPerTest } from '../helpers/sts-world.js';

const CONFIG = rolesOverBase({ app: 'App' });

describe('session cache: SIGKILL', { concurrency: false }, () => {
  const suite = stsWorldPerTest((box) => {
    box.write('.aws/config', CONFIG);
    box.write('.aws/credentials', credentialsFile({ base: randomKeys() }));
  }, { ROLECALL_LOCK_TIMEOUT: '20' });

  function lockFiles(): string[] {
    const dir = join(suite.box.home, '.cache', 'rolecall', 'locks');
    return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.lock')) : [];
  }

  test('killed while holding the lock: the next run breaks the stale lock at once', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    suite.world.proxy.delay('AssumeRole', 30_000);
    let victim = 0;
    const killed = runRolecall(suite.box, ['exec', 'app', '--', 'true'], {
      onSpawn: (pid) => {
        victim = pid;
      },
    });
    // The AssumeRole reaching the proxy means the lock is held.
    let ended = false;
    void killed.then(() => (ended = true));
    while (suite.world.proxy.count('AssumeRole') === 0 && !ended) await new Promise((r) => setTimeout(r, 20));
    assert.equal(ended, false, 'rolecall was still running when STS was asked');
    const [lock] = lockFiles();
    assert.ok(lock, 'the lock file exists while STS is being asked');
    assert.equal(JSON.parse(readFileSync(join(suite.box.home, '.cache', 'rolecall', 'locks', lock), 'utf8')).pid, victim);
    process.kill(victim, 'SIGKILL');
    assert.equal((await killed).signal, 'SIGKILL');
    assert.deepEqual(lockFiles(), [lock], 'SIGKILL left the lock behind');

    suite.world.proxy.reset();
    const started = Date.now();
    const next = await runRolecall(suite.box, ['exec', 'app', '--debug', '--', 'true']);
    assert.equal(next.status, 0, next.stderr);
    assert.ok(Date.now() - started < 10_000, 'it did not wait for the lock timeout');
    assert.doesNotMatch(next.stderr, /waiting for rolecall pid/);
    assert.equal(suite.world.proxy.count('AssumeRole'), 1);
    assert.deepEqual(lockFiles(), [], 'the lock was released');
  });

  test('killed at several moments after STS answered (parsing, encrypting, writing the entry): the next run works', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    for (const delayMs of [0, 5, 15, 30, 60, 100, 150]) {
      assert.equal((await runRolecall(suite.box, ['clear'])).status, 0);
      suite.world.proxy.reset();
      let victim = 0;
      suite.world.proxy.onAnswered('AssumeRole', () => setTimeout(() => killIfRunning(victim), delayMs));
      const killed = await runRolecall(suite.box, ['exec', 'app', '--', 'true'], {
        onSpawn: (pid) => {
          victim = pid;
        },
      });
      // It may have finished before the timer (exec is quick): never signal a pid that may be reused.
      victim = 0;
      suite.world.proxy.reset();
      const next = await runRolecall(suite.box, ['exec', 'app', '--', 'sh', '-c', 'echo "$AWS_ACCESS_KEY_ID"']);
      assert.equal(next.status, 0, `killed ${delayMs}ms after the answer (${killed.signal ?? killed.status}): ${next.stderr}`);
      assert.match(next.stdout, /^ASIA/);
      assert.ok(suite.world.proxy.count('AssumeRole') <= 1);
      const warm = await runRolecall(suite.box, ['exec', 'app', '--', 'true']);
      assert.equal(warm.status, 0, warm.stderr);
      assert.ok(suite.world.proxy.count('AssumeRole') <= 1, 'and the one after it is warm');
    }
  });
});

/** SIGKILL to a process that may already have ended on its own. */
function killIfRunning(pid: number): void {
  if (!pid) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
