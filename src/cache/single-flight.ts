/**
 * One process produces a session while the others with the same need wait
 * for it and then read what it cached. Waiting is bounded: a holder that
 * hangs (or a person who never types the MFA code) ends in a clear error.
 * A holder that fails takes its waiters down with it (flight-failure.ts):
 * one failed MFA code is one failure, not one per waiting process. A holder
 * that fails for a reason of its own (no terminal to ask on, say), or is
 * killed outright, leaves no record, and the next waiter takes over.
 *
 * A holder waiting for a person's sign-in says so (whileWaitingForPerson,
 * holder-wait.ts): its waiters then wait as long as the sign-in may take,
 * not ROLECALL_LOCK_TIMEOUT's 2 minutes for an MFA code, unless the user set
 * that variable (a cap they chose, for a script that must not hang), and a
 * waiter that gives up says what the holder is waiting for.
 */
import { dirname } from 'node:path';
import { RolecallError, errorLine } from '../base/errors.js';
import { debug } from '../log/debug-log.js';
import { failureOf, recordFailure } from './flight-failure.js';
import { lockState, tryLock, type LockAttempt } from '../fs/lock-file.js';
import { sweepLeftoversOnce } from './lock-leftovers.js';
import { holderWaitOf, removeHolderWait, writeHolderWait, type PersonWait } from './holder-wait.js';

/** Past the end of the holder's announced wait: time for it to give up and record why, and for a waiter to read it. */
const PERSON_WAIT_GRACE_MS = 15_000;

export interface SingleFlight<T> {
  readonly lockPath: string;
  readonly timeoutMs: number;
  /**
   * The user chose timeoutMs (ROLECALL_LOCK_TIMEOUT): it holds even while the
   * holder waits for a person's sign-in. Otherwise a waiter waits as long as
   * the holder says the person may take.
   */
  readonly timeoutChosen?: boolean;
  /** For messages: `the session of profile "x"`. */
  readonly what: string;
  /** Looks in the cache again (after the wait, and once the lock is ours). */
  readonly check: () => Promise<T | undefined>;
  /** Calls STS; runs only while holding the lock. */
  readonly produce: () => Promise<T>;
  readonly pollMs?: number;
}

/** This process's holdings (lock path → token): where whileWaitingForPerson leaves its notes. */
const holdings = new Map<string, string>();

/**
 * Runs `work`, a wait for a person (a browser sign-in), with a note beside
 * each lock this process holds, so the processes waiting on any of them
 * wait as long and can say why; the notes go when the work ends.
 */
export async function whileWaitingForPerson<T>(wait: PersonWait, work: () => Promise<T>): Promise<T> {
  const noted = [...holdings];
  for (const [lockPath, token] of noted) writeHolderWait(lockPath, token, wait);
  try {
    return await work();
  } finally {
    for (const [lockPath, token] of noted) removeHolderWait(lockPath, token);
  }
}

export async function singleFlight<T>(flight: SingleFlight<T>): Promise<T> {
  const started = Date.now();
  // The holdings waited on: only their failures are this process's to share.
  const waitedOn = new Set<string>();
  sweepLeftoversOnce(dirname(flight.lockPath));
  for (;;) {
    let attempt: LockAttempt;
    try {
      attempt = tryLock(flight.lockPath);
    } catch (error) {
      // No lock directory (read-only, full disk): work alone rather than fail.
      debug(`cannot lock ${flight.lockPath} (${errorLine(error)}): going on without the lock`);
      return flight.produce();
    }
    const lock = attempt.acquired;
    if (lock) {
      holdings.set(flight.lockPath, lock.token);
      try {
        // Another process may have cached it between our first look and now.
        const cached = await flight.check();
        if (cached !== undefined) return cached;
        return await flight.produce();
      } catch (error) {
        recordFailure(flight.lockPath, lock.token, error);
        throw error;
      } finally {
        holdings.delete(flight.lockPath);
        lock.release();
      }
    }
    if (attempt.holder) waitedOn.add(attempt.holder.token);
    await waitForHolding(flight, started, waitedOn, attempt.holder?.token);
    const cached = await flight.check();
    if (cached !== undefined) return cached;
    const failed = failureOf(flight.lockPath, waitedOn);
    if (failed) throw failed;
    // The holder ended without caching or a failure to share (killed, a failure its own, the cache not written): our turn.
  }
}

/** Waits until the holding seen last ends: the lock released, its owner dead, or another holding in its place. */
async function waitForHolding<T>(flight: SingleFlight<T>, started: number, waitedOn: Set<string>, seen: string | undefined): Promise<void> {
  let said = false;
  for (;;) {
    const state = lockState(flight.lockPath);
    if (!state.held) return;
    const token = state.owner?.token;
    const personWait = token !== undefined ? holderWaitOf(flight.lockPath, token) : undefined;
    const deadline = personWait && !flight.timeoutChosen ? Math.max(started + flight.timeoutMs, personWait.until + PERSON_WAIT_GRACE_MS) : started + flight.timeoutMs;
    if (state.stale && Date.now() < deadline) {
      // Its owner is dead: the next tryLock breaks it (after a pause, so a
      // lock that cannot be broken is not retried in a busy loop).
      await pause(flight.pollMs);
      return;
    }
    if (token !== undefined) {
      // A holding that replaced the one we waited on: first see whether that one failed.
      if (seen !== undefined && token !== seen) return;
      seen = token;
      waitedOn.add(token);
    }
    if (!said) {
      debug(`waiting for rolecall pid ${state.owner?.pid ?? '?'}, which is getting ${flight.what}`);
      said = true;
    }
    if (Date.now() >= deadline) throw gaveUp(flight, Math.round((Date.now() - started) / 1000), state.owner?.pid, personWait);
    await pause(flight.pollMs);
  }
}

function gaveUp<T>(flight: SingleFlight<T>, waited: number, pid: number | undefined, personWait: PersonWait | undefined): RolecallError {
  const holder = `rolecall pid ${pid ?? '?'}`;
  if (personWait) {
    return new RolecallError(
      `gave up after waiting ${waited}s for ${holder} to get ${flight.what}: it is still waiting for ${personWait.what}; ${personWait.advice}` +
        (flight.timeoutChosen ? ' (or unset ROLECALL_LOCK_TIMEOUT, so a command waits as long as the sign-in may take)' : ''),
    );
  }
  return new RolecallError(
    `gave up after waiting ${waited}s for ${holder} to get ${flight.what} ` +
      `(it may be waiting for an MFA code); try again, raise ROLECALL_LOCK_TIMEOUT, or if no rolecall is running delete ${flight.lockPath}`,
  );
}

/** Jittered, so that the waiters do not all wake at once. */
function pause(pollMs = 50): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, pollMs / 2 + Math.random() * pollMs));
}
