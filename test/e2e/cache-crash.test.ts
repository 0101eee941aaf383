/**
 * rolecall killed with SIGKILL (no cleanup runs) while it holds the lock of
 * a session, or while it is storing what STS answered, leaves the next run
 * working: the lock of a dead process is stale, and a half-written entry is
 * never seen (or is a miss).
 *
 * Every kill is known to land mid-refresh, not after a run that was quicker
 * than the test: the proxy holds STS's answer until rolecall waits for it
 * (and, in the first test, until rolecall is dead), and a kill after the
 * answer goes to a process first stopped (SIGSTOP) and seen to hold its lock,
 * which it takes before calling STS and releases once the session is stored.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall, type RunResult } from '../helpers/sandbox.js';
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
    // STS answers only after the kill: it lands while rolecall waits for STS, holding the lock.
    const release = suite.world.proxy.hold('AssumeRole');
    t.after(release);
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
    release();
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
    const credentials = readFileSync(join(suite.box.home, '.aws', 'credentials'), 'utf8');
    const landed: string[] = [];
    for (const afterAnswerMs of [0, 5, 15, 30, 60, 100, 150]) {
      assert.equal((await runRolecall(suite.box, ['clear'])).status, 0);
      suite.world.proxy.reset();
      const header = vaultHeader();
      const round = await killAfterAnswer(afterAnswerMs);
      const what = `killed ${afterAnswerMs}ms after the answer (${round.moment})`;
      if (round.moment === 'after the refresh') {
        // Quicker than the timer: the lock was gone when rolecall was stopped, so it was let go and ran to its end.
        assert.equal(round.run.status, 0, `${what}: ${round.run.stderr}`);
      } else {
        landed.push(`${afterAnswerMs}ms: ${round.moment}`);
        assert.equal(round.run.signal, 'SIGKILL', `${what}: it died of the signal, not of its own exit (${round.run.status})`);
        assert.deepEqual(lockOwners(), [round.pid], `${what}: SIGKILL left its lock behind`);
      }
      if (header !== undefined) assert.equal(vaultHeader(), header, `${what}: the vault's header is as it was`);
      assert.equal(readFileSync(join(suite.box.home, '.aws', 'credentials'), 'utf8'), credentials, `${what}: the keys are as they were`);

      suite.world.proxy.reset();
      const next = await runRolecall(suite.box, ['exec', 'app', '--debug', '--', 'sh', '-c', 'echo "$AWS_ACCESS_KEY_ID"']);
      assert.equal(next.status, 0, `${what}: ${next.stderr}`);
      assert.match(next.stdout, /^ASIA/);
      assert.doesNotMatch(next.stderr, /waiting for rolecall pid/, `${what}: the dead process's lock was broken at once`);
      assert.doesNotMatch(next.stderr, /a miss, removed/, `${what}: no half-written entry was seen`);
      assert.ok(suite.world.proxy.count('AssumeRole') <= 1);
      const warm = await runRolecall(suite.box, ['exec', 'app', '--', 'true']);
      assert.equal(warm.status, 0, warm.stderr);
      assert.ok(suite.world.proxy.count('AssumeRole') <= 1, 'and the one after it is warm');
      assert.deepEqual(lockFiles(), [], `${what}: the lock was released`);
    }
    t.diagnostic(`where the kills landed: ${landed.join('; ') || 'none'}`);
    // Storing a session takes longer than the first timers (the file vault's
    // scrypt alone is ~0.15s), so kills land before the entry is written.
    assert.ok(
      landed.some((moment) => moment.endsWith('nothing stored yet')),
      `a kill landed after STS answered and before the entry was stored (${landed.join('; ') || 'none landed'})`,
    );
  });

  /**
   * Runs an exec whose AssumeRole answer is held until the exec is waiting for
   * it (so it cannot end first), lets the answer go, and `afterAnswerMs`
   * after it went out stops the process (SIGSTOP) to see where it is. Its
   * lock file, taken before the call and released only once the session is
   * stored, says whether it is still refreshing: then it is killed (SIGKILL)
   * while stopped, so the kill lands exactly where it was seen; else it is
   * let go on.
   */
  async function killAfterAnswer(afterAnswerMs: number): Promise<{ run: RunResult; pid: number; moment: string }> {
    const proxy = suite.world.proxy;
    const release = proxy.hold('AssumeRole');
    const answered = new Promise<void>((resolve) => proxy.onAnswered('AssumeRole', resolve));
    let pid = 0;
    let ended = false;
    const running = runRolecall(suite.box, ['exec', 'app', '--', 'true'], {
      onSpawn: (spawned) => {
        pid = spawned;
      },
    });
    void running.then(() => (ended = true));
    try {
      while (proxy.count('AssumeRole') === 0 && !ended) await new Promise((r) => setTimeout(r, 10));
      assert.equal(ended, false, 'rolecall was still running when STS was asked');
      release();
      await answered;
      await new Promise((r) => setTimeout(r, afterAnswerMs));
      let moment = 'after the refresh';
      if (!ended && signalIfRunning(pid, 'SIGSTOP')) {
        if (lockOwners().includes(pid)) {
          moment = sessionItems().length > 0 ? 'entry stored, lock not yet released' : 'nothing stored yet';
          signalIfRunning(pid, 'SIGKILL');
        } else {
          signalIfRunning(pid, 'SIGCONT');
        }
      }
      return { run: await running, pid, moment };
    } finally {
      release();
    }
  }

  /** The pids in the lock files of the session cache. */
  function lockOwners(): number[] {
    const dir = join(suite.box.home, '.cache', 'rolecall', 'locks');
    return lockFiles().map((name) => (JSON.parse(readFileSync(join(dir, name), 'utf8')) as { pid: number }).pid);
  }

  function vaultDir(): string {
    return join(suite.box.home, '.local', 'share', 'rolecall', 'vault');
  }

  /** The file vault's vault.json (its salt and key check), once the first session created it. */
  function vaultHeader(): string | undefined {
    const path = join(vaultDir(), 'vault.json');
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  }

  /** The item files (whole entries) under the file vault. */
  function sessionItems(): string[] {
    if (!existsSync(vaultDir())) return [];
    return readdirSync(vaultDir(), { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.item'));
  }
});

/** Sends `signal` to a process that may already have ended on its own; false if it had. */
function signalIfRunning(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    return false;
  }
}
