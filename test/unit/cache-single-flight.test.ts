import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { failureOf, failureRecordPath, FAILURE_HONOURED_MS, recordFailure } from '../../src/cache/flight-failure.js';
import { lockState, tryLock } from '../../src/fs/lock-file.js';
import { LEFTOVER_AGE_MS, sweepLeftovers, WAIT_NOTE_AGE_MS } from '../../src/cache/lock-leftovers.js';
import { isProcessAlive, processStartTime } from '../../src/fs/process-liveness.js';
import { singleFlight, whileWaitingForPerson } from '../../src/cache/single-flight.js';
import { holderWaitPath } from '../../src/cache/holder-wait.js';

import { CancelledError, CredentialError, RolecallError, VaultAccessError } from '../../src/base/errors.js';
import { registerSecret } from '../../src/log/redact.js';

function lockPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'rolecall-lock-')), 'locks', 'session.lock');
}

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  return spawnSync('true').pid as number;
}

const THEIRS = '0123456789abcdef';

function writeOwner(path: string, owner: object): void {
  tryLock(path).acquired?.release(); // creates the directory
  writeFileSync(path, JSON.stringify({ host: hostname(), token: THEIRS, ...owner }), { mode: 0o600 });
}

test('a lock is a 0600 file in a 0700 directory naming this process, and only its owner removes it', () => {
  const path = lockPath();
  const lock = tryLock(path).acquired;
  assert.ok(lock);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(join(path, '..')).mode & 0o777, 0o700);
  const owner = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(owner.pid, process.pid);
  assert.equal(owner.start, processStartTime(process.pid));
  const busy = tryLock(path);
  assert.equal(busy.acquired, undefined, 'held by a live process');
  assert.equal(busy.holder?.token, lock.token, 'and says which holding it met');
  lock.release();
  assert.equal(existsSync(path), false);

  const again = tryLock(path).acquired;
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
  const lock = tryLock(path).acquired;
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

function flightOf(path: string, produce: () => Promise<string>, cached: () => string | undefined = () => undefined) {
  return singleFlight({ lockPath: path, timeoutMs: 5_000, what: 'the session of profile "p"', pollMs: 10, check: async () => cached(), produce });
}

test('a holder that fails takes its waiters down with one line naming it and why; a later flight tries afresh', async () => {
  const path = lockPath();
  let produced = 0;
  const failing = flightOf(path, async () => {
    produced++;
    await new Promise((r) => setTimeout(r, 150));
    throw new CredentialError('mfa_process of profile "base" exited with status 1');
  });
  const waiters = Array.from({ length: 4 }, () => flightOf(path, async () => `made ${++produced}`));
  const [holder, ...waited] = await Promise.allSettled([failing, ...waiters]);
  assert.match(String((holder as PromiseRejectedResult).reason), /exited with status 1/);
  for (const waiter of waited) {
    assert.equal(waiter.status, 'rejected');
    const error = (waiter as PromiseRejectedResult).reason as Error;
    assert.ok(error instanceof RolecallError && !(error instanceof CancelledError));
    assert.equal(error.message, `another rolecall (pid ${process.pid}) was getting the same session and failed: mfa_process of profile "base" exited with status 1`);
  }
  assert.equal(produced, 1, 'no waiter tried again');
  assert.equal(await flightOf(path, async () => `made ${++produced}`), 'made 2', 'a flight started after the failure is not blocked by it');
});

test('the record of a failure holds no secret and is 0600; an error that is not ours (a bug) is not shared', async () => {
  const path = lockPath();
  registerSecret('987654');
  const holder = flightOf(path, async () => {
    await new Promise((r) => setTimeout(r, 100));
    throw new CredentialError('GetSessionToken failed with code 987654');
  });
  const waiter = flightOf(path, async () => 'never');
  await Promise.allSettled([holder, waiter]);
  await assert.rejects(holder);
  await assert.rejects(waiter, /was getting the same session and failed: GetSessionToken failed with code \*\*\*\*$/);
  const records = readdirSync(join(path, '..')).filter((name) => name.endsWith('.failed'));
  assert.equal(records.length, 1);
  const record = join(path, '..', records[0] as string);
  assert.equal(statSync(record).mode & 0o777, 0o600);
  assert.doesNotMatch(readFileSync(record, 'utf8'), /987654/);

  const bug = flightOf(path, async () => {
    await new Promise((r) => setTimeout(r, 100));
    throw new TypeError('secret-looking internals at line 3');
  });
  const second = flightOf(path, async () => 'made by the waiter');
  await Promise.allSettled([bug, second]);
  await assert.rejects(bug, TypeError);
  assert.equal(await second, 'made by the waiter');
});

test('a failure of the holder\'s own (no terminal, its vault passphrase, its --mfa-token code refused) leaves no record: the waiter tries itself', async () => {
  const refusedGivenCode = new CredentialError('profile "base": GetSessionToken failed: AccessDenied: MultiFactorAuthentication failed');
  refusedGivenCode.sharedWithWaiters = false; // as sts-providers.ts marks it
  const own = [
    new RolecallError('profile "base" needs an MFA code for arn:aws:iam::123456789012:mfa/alice and there is no terminal to ask on; pass --mfa-token CODE or set mfa_process'),
    new VaultAccessError('ROLECALL_FILE_PASSPHRASE is not the passphrase of the file vault ~/.local/share/rolecall/vault; nothing was changed'),
    refusedGivenCode,
  ];
  for (const error of own) {
    const path = lockPath();
    let produced = 0;
    const holder = flightOf(path, async () => {
      produced++;
      await new Promise((r) => setTimeout(r, 150));
      throw error;
    });
    const waiter = flightOf(path, async () => `made ${++produced}`);
    await assert.rejects(holder, error);
    assert.equal(await waiter, 'made 2', error.message);
    assert.deepEqual(readdirSync(join(path, '..')).filter((name) => name.endsWith('.failed')), []);
  }
});

test('a holder failing on a lower holder passes on the first cause, not a chain of them', async () => {
  const path = lockPath();
  const mfa = join(path, '..', 'mfa.lock');
  const mfaFlight = (produce: () => Promise<string>) =>
    singleFlight({ lockPath: mfa, timeoutMs: 5_000, what: 'the session of profile "base"', pollMs: 10, check: async () => undefined, produce });
  const below = mfaFlight(async () => {
    await new Promise((r) => setTimeout(r, 150));
    throw new CancelledError('cancelled');
  });
  // This one holds the role's lock while it waits on the MFA session; the third waits on it.
  const holder = flightOf(path, () => mfaFlight(async () => 'never'));
  await new Promise((r) => setTimeout(r, 30));
  const third = flightOf(path, async () => 'never');
  await Promise.allSettled([below, holder, third]);
  await assert.rejects(below, CancelledError);
  const cause = `another rolecall (pid ${process.pid}) was getting the same session and failed: its prompt was cancelled`;
  await assert.rejects(holder, { name: 'HolderFailedError', message: cause });
  await assert.rejects(third, { name: 'HolderFailedError', message: cause });
});

const TOKEN = 'abc1230000000000';

test('an old failure record is not honoured, nor one from the future', () => {
  const path = lockPath();
  tryLock(path).acquired?.release();
  recordFailure(path, TOKEN, new CredentialError('no'));
  assert.match(failureOf(path, [TOKEN])?.message ?? '', /and failed: no$/);
  assert.equal(failureOf(path, ['def4560000000000']), undefined, 'only the holdings waited on');
  assert.equal(failureOf(path, [TOKEN], Date.now() + FAILURE_HONOURED_MS + 1), undefined);
  assert.equal(failureOf(path, [TOKEN], Date.now() - 60_000), undefined, 'written after the time it is read at');
});

test('only a token as tryLock makes it names a record or a lock owner', () => {
  const path = lockPath();
  tryLock(path).acquired?.release();
  const directory = join(path, '..');
  // A file a crafted token would reach: <dir>/x.failed through "session.lock./../x".
  writeFileSync(join(directory, 'x.failed'), JSON.stringify({ pid: 1, reason: 'planted', at: Date.now() }), { mode: 0o600 });
  assert.equal(failureOf(path, ['/../x', '../x', 'ABC1230000000000', 'abc123']), undefined);
  assert.throws(() => failureRecordPath(path, '/../x'));
  writeOwner(path, { pid: process.pid, token: '../x' });
  assert.deepEqual(Object.keys(lockState(path)).sort(), ['held', 'ino', 'stale'], 'an owner with such a token is no owner');
});

test('the reason read from a record is one line: C0, C1 and Unicode line separators are escaped', () => {
  const path = lockPath();
  tryLock(path).acquired?.release();
  const reason = 'a\u001b[2Jb\u009b2Jc\u0085d\u2028e\u2029f\u007fg';
  writeFileSync(failureRecordPath(path, TOKEN), JSON.stringify({ pid: 7, reason, at: Date.now() }), { mode: 0o600 });
  const message = failureOf(path, [TOKEN])?.message ?? '';
  assert.ok(message.endsWith('and failed: a\\u001b[2Jb\\u009b2Jc\\u0085d\\u2028e\\u2029f\\u007fg'), message);
  assert.doesNotMatch(message, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
});

test('failure records are not honoured from a locks directory others can write to, or that is a symbolic link', () => {
  const path = lockPath();
  tryLock(path).acquired?.release();
  const directory = join(path, '..');
  recordFailure(path, TOKEN, new CredentialError('no'));
  assert.ok(failureOf(path, [TOKEN]), 'honoured from a private directory');
  chmodSync(directory, 0o720);
  assert.equal(failureOf(path, [TOKEN]), undefined, 'group-writable');
  chmodSync(directory, 0o702);
  assert.equal(failureOf(path, [TOKEN]), undefined, 'writable by others');
  chmodSync(directory, 0o700);
  const real = join(directory, '..', 'real-locks');
  renameSync(directory, real);
  symlinkSync(real, directory);
  assert.ok(existsSync(failureRecordPath(path, TOKEN)));
  assert.equal(failureOf(path, [TOKEN]), undefined, 'a symbolic link');
});

test('failure records are not honoured from a locks directory of another user', { skip: process.getuid?.() !== 0 && 'needs root to give the directory away' }, () => {
  const path = lockPath();
  tryLock(path).acquired?.release();
  const directory = join(path, '..');
  recordFailure(path, TOKEN, new CredentialError('no'));
  assert.ok(failureOf(path, [TOKEN]));
  chownSync(directory, 4242, 4242);
  assert.equal(failureOf(path, [TOKEN]), undefined);
});

test('a holder killed outright (no record) hands over to a waiter', async () => {
  const path = lockPath();
  const holder = spawn('sleep', ['30']);
  await new Promise((r) => setTimeout(r, 50));
  writeOwner(path, { pid: holder.pid, start: processStartTime(holder.pid as number) });
  const waiting = flightOf(path, async () => 'made by the waiter');
  await new Promise((r) => setTimeout(r, 100));
  holder.kill('SIGKILL');
  assert.equal(await waiting, 'made by the waiter');
});

test('leftovers of killed processes are swept when old; fresh ones, live locks and other files stay', () => {
  const path = lockPath();
  const directory = join(path, '..');
  const held = tryLock(path).acquired;
  assert.ok(held);
  const names = ['a1.lock.0123abcd.tmp', '.a1.lock.0123abcd.failed.77.beef.tmp', 'a1.lock.stale.0123abcd', 'a1.lock.0123abcd.failed', 'a1.lock.0123abcd.waiting', 'notes.txt'];
  for (const name of names) writeFileSync(join(directory, name), '{}', { mode: 0o600 });
  writeFileSync(join(directory, 'b2.lock'), JSON.stringify({ pid: deadPid(), host: hostname(), token: 'fedcba9876543210' }), { mode: 0o600 });
  sweepLeftovers(directory);
  assert.deepEqual(readdirSync(directory).sort(), [...names, 'b2.lock', 'session.lock'].sort(), 'nothing is old yet');
  sweepLeftovers(directory, Date.now() + LEFTOVER_AGE_MS + 1_000);
  assert.deepEqual(readdirSync(directory).sort(), ['a1.lock.0123abcd.waiting', 'notes.txt', 'session.lock'], "the live lock stays, and a sign-in's note, which may be minutes old");
  sweepLeftovers(directory, Date.now() + WAIT_NOTE_AGE_MS + 1_000);
  assert.deepEqual(readdirSync(directory).sort(), ['notes.txt', 'session.lock'], 'a note far older than any sign-in goes');
  held.release();
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

/** A holder that signs in for `ms` under the lock, having said so as a sign-in does; the waiters' view of it. */
function signingInHolder(path: string, ms: number, waitTimeout: { timeoutMs: number; timeoutChosen: boolean }) {
  let cached: string | undefined;
  const wait = { what: 'the IAM Identity Center sign-in of sso-session "corp" in the browser', advice: 'finish signing in there, then run this command again', until: Date.now() + ms };
  let notePath: string | undefined;
  const holder = singleFlight({
    lockPath: path,
    timeoutMs: 5_000,
    what: 'the session of profile "p"',
    pollMs: 10,
    check: async () => cached,
    produce: () =>
      whileWaitingForPerson(wait, async () => {
        notePath = holderWaitPath(path, JSON.parse(readFileSync(path, 'utf8')).token);
        await new Promise((r) => setTimeout(r, ms));
        cached = 'signed in';
        return cached;
      }),
  });
  const waiter = (async () => {
    await new Promise((r) => setTimeout(r, 50));
    return singleFlight({ lockPath: path, ...waitTimeout, what: 'the session of profile "p"', pollMs: 10, check: async () => cached, produce: async () => 'the waiter signed in too' });
  })();
  return { holder, waiter, notePath: () => notePath };
}

test("a waiter of a holder that is signing in waits as long as the sign-in may take, past the lock's timeout", async () => {
  const path = lockPath();
  const started = Date.now();
  const { holder, waiter, notePath } = signingInHolder(path, 900, { timeoutMs: 200, timeoutChosen: false });
  assert.equal(await waiter, 'signed in', "the holder's token, not a sign-in of its own");
  assert.ok(Date.now() - started >= 900, 'it waited past its 200 ms');
  assert.equal(await holder, 'signed in');
  assert.equal(existsSync(notePath() as string), false, 'the note went with the wait');
});

test('a waiter whose user chose ROLECALL_LOCK_TIMEOUT gives up then, saying what the holder is still waiting for', async () => {
  const path = lockPath();
  const { holder, waiter } = signingInHolder(path, 1_000, { timeoutMs: 200, timeoutChosen: true });
  await assert.rejects(waiter, (error: Error) => {
    assert.equal(error.name, 'RolecallError');
    assert.match(
      error.message,
      new RegExp(
        `^gave up after waiting 0s for rolecall pid ${process.pid} to get the session of profile "p": it is still waiting for the IAM Identity Center sign-in of sso-session "corp" in the browser; ` +
          'finish signing in there, then run this command again \\(or unset ROLECALL_LOCK_TIMEOUT, so a command waits as long as the sign-in may take\\)$',
      ),
    );
    return true;
  });
  assert.equal(await holder, 'signed in');
});

test("a holder's note is read only for the holding that wrote it, and from a directory of the user's alone", async () => {
  const path = lockPath();
  const { holder, waiter, notePath } = signingInHolder(path, 600, { timeoutMs: 100, timeoutChosen: false });
  // The directory opened to others while the holder signs in: its note is not trusted, so the waiter keeps its own 100 ms.
  await new Promise((r) => setTimeout(r, 20));
  chmodSync(join(path, '..'), 0o722);
  try {
    await assert.rejects(waiter, /it may be waiting for an MFA code/);
  } finally {
    chmodSync(join(path, '..'), 0o700);
  }
  assert.ok(notePath());
  await holder;
});

test("a cancelled sign-in reaches the waiters as the sign-in's own line, not a prompt's", () => {
  const path = lockPath();
  const lock = tryLock(path).acquired;
  assert.ok(lock);
  recordFailure(path, lock.token, new CancelledError('cancelled', 'its sign-in to IAM Identity Center (sso-session "corp") was cancelled (Ctrl-C); run the command again to sign in'));
  assert.equal(failureOf(path, [lock.token])?.message, `another rolecall (pid ${process.pid}) was getting the same session and failed: its sign-in to IAM Identity Center (sso-session "corp") was cancelled (Ctrl-C); run the command again to sign in`);
  const prompt = tryLock(`${path}2`).acquired;
  assert.ok(prompt);
  recordFailure(`${path}2`, prompt.token, new CancelledError('cancelled'));
  assert.match(failureOf(`${path}2`, [prompt.token])?.message ?? '', /failed: its prompt was cancelled$/);
  lock.release();
  prompt.release();
});
