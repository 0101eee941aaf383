import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { lockState, tryLock } from '../../src/cache/lock-file.js';
import { isProcessAlive, processStartTime } from '../../src/cache/process-liveness.js';
import { singleFlight } from '../../src/cache/single-flight.js';

function lockPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'rolecall-lock-')), 'locks', 'session.lock');
}

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  return spawnSync('true').pid as number;
}

function writeOwner(path: string, owner: object): void {
  tryLock(path)?.release(); // creates the directory
  writeFileSync(path, JSON.stringify({ host: hostname(), token: 'theirs', ...owner }), { mode: 0o600 });
}

test('a lock is a 0600 file in a 0700 directory naming this process, and only its owner removes it', () => {
  const path = lockPath();
  const lock = tryLock(path);
  assert.ok(lock);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(join(path, '..')).mode & 0o777, 0o700);
  const owner = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(owner.pid, process.pid);
  assert.equal(owner.start, processStartTime(process.pid));
  assert.equal(tryLock(path), undefined, 'held by a live process');
  lock.release();
  assert.equal(existsSync(path), false);

  const again = tryLock(path);
  assert.ok(again);
  writeOwner(path, { pid: process.pid, start: processStartTime(process.pid) });
  again.release();
  assert.equal(existsSync(path), true, 'a lock that is no longer ours stays');
});

test('the lock of a dead process is stale and taken over at once', () => {
  const path = lockPath();
  writeOwner(path, { pid: deadPid() });
  const state = lockState(path);
  assert.ok(state.held && state.stale);
  const lock = tryLock(path);
  assert.ok(lock);
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid);
  lock.release();
});

test('a live pid with another start time is a reused pid: stale', () => {
  const path = lockPath();
  writeOwner(path, { pid: process.pid, start: '1' });
  const state = lockState(path);
  assert.ok(state.held && state.stale);
  assert.equal(isProcessAlive(process.pid, processStartTime(process.pid)), true);
});

test('an unreadable lock is held while young, stale when old; a foreign host is trusted for a while', () => {
  const path = lockPath();
  writeOwner(path, {});
  writeFileSync(path, '');
  assert.deepEqual(lockState(path), { held: true, stale: false, ino: statSync(path).ino });
  const old = new Date(Date.now() - 60_000);
  utimesSync(path, old, old);
  assert.ok((lockState(path) as { stale: boolean }).stale);
  writeOwner(path, { pid: deadPid(), host: 'elsewhere' });
  assert.equal((lockState(path) as { stale: boolean }).stale, false);
});

test('single flight in one process: ten callers, one producer, the others read its result', async () => {
  const path = lockPath();
  let cached: string | undefined;
  let produced = 0;
  const flights = Array.from({ length: 10 }, () =>
    singleFlight({
      lockPath: path,
      timeoutMs: 5_000,
      what: 'the session of profile "p"',
      pollMs: 10,
      check: async () => cached,
      produce: async () => {
        produced++;
        await new Promise((r) => setTimeout(r, 100));
        cached = 'session';
        return cached;
      },
    }),
  );
  assert.deepEqual(await Promise.all(flights), Array(10).fill('session'));
  assert.equal(produced, 1);
  assert.equal(existsSync(path), false);
});

test('a holder that ends without a result hands over to a waiter', async () => {
  const path = lockPath();
  let produced = 0;
  const failing = singleFlight({
    lockPath: path,
    timeoutMs: 5_000,
    what: 'x',
    check: async () => undefined,
    produce: async () => {
      await new Promise((r) => setTimeout(r, 100));
      throw new Error('STS said no');
    },
  });
  const waiting = singleFlight({ lockPath: path, timeoutMs: 5_000, what: 'x', pollMs: 10, check: async () => undefined, produce: async () => `made ${++produced}` });
  await assert.rejects(failing, /STS said no/);
  assert.equal(await waiting, 'made 1');
});

test('waiting for a live holder is bounded, with an error that says what to do', async () => {
  const path = lockPath();
  const holder = spawn('sleep', ['30']);
  try {
    await new Promise((r) => setTimeout(r, 50));
    writeOwner(path, { pid: holder.pid, start: processStartTime(holder.pid as number) });
    const started = Date.now();
    await assert.rejects(
      singleFlight({ lockPath: path, timeoutMs: 300, what: 'the session of profile "p"', pollMs: 20, check: async () => undefined, produce: async () => 'never' }),
      (error: Error) => {
        assert.equal(error.name, 'RolecallError');
        assert.match(error.message, new RegExp(`^gave up after waiting 0s for rolecall pid ${holder.pid} to get the session of profile "p" \\(it may be waiting for an MFA code\\); try again, raise ROLECALL_LOCK_TIMEOUT, or if no rolecall is running delete .*session\\.lock$`));
        return true;
      },
    );
    assert.ok(Date.now() - started < 2_000);
  } finally {
    holder.kill('SIGKILL');
  }
});
