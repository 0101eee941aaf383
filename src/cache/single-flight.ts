/**
 * One process produces a session while the others with the same need wait
 * for it and then read what it cached. Waiting is bounded: a holder that
 * hangs (or a person who never types the MFA code) ends in a clear error.
 * A holder that fails takes its waiters down with it (flight-failure.ts):
 * one failed MFA code is one failure, not one per waiting process. A holder
 * that fails for a reason of its own (no terminal to ask on, say), or is
 * killed outright, leaves no record, and the next waiter takes over.
 */
import { dirname } from 'node:path';
import { RolecallError, errorLine } from '../base/errors.js';
import { debug } from '../log/debug-log.js';
import { failureOf, recordFailure } from './flight-failure.js';
import { lockState, tryLock, type LockAttempt } from '../fs/lock-file.js';
import { sweepLeftoversOnce } from './lock-leftovers.js';

export interface SingleFlight<T> {
  readonly lockPath: string;
  readonly timeoutMs: number;
  /** For messages: `the session of profile "x"`. */
  readonly what: string;
  /** Looks in the cache again (after the wait, and once the lock is ours). */
  readonly check: () => Promise<T | undefined>;
  /** Calls STS; runs only while holding the lock. */
  readonly produce: () => Promise<T>;
  readonly pollMs?: number;
}

export async function singleFlight<T>(flight: SingleFlight<T>): Promise<T> {
  const deadline = Date.now() + flight.timeoutMs;
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
      try {
        // Another process may have cached it between our first look and now.
        const cached = await flight.check();
        if (cached !== undefined) return cached;
        return await flight.produce();
      } catch (error) {
        recordFailure(flight.lockPath, lock.token, error);
        throw error;
      } finally {
        lock.release();
      }
    }
    if (attempt.holder) waitedOn.add(attempt.holder.token);
    await waitForHolding(flight, deadline, waitedOn, attempt.holder?.token);
    const cached = await flight.check();
    if (cached !== undefined) return cached;
    const failed = failureOf(flight.lockPath, waitedOn);
    if (failed) throw failed;
    // The holder ended without caching or a failure to share (killed, a failure its own, the cache not written): our turn.
  }
}

/** Waits until the holding seen last ends: the lock released, its owner dead, or another holding in its place. */
async function waitForHolding<T>(flight: SingleFlight<T>, deadline: number, waitedOn: Set<string>, seen: string | undefined): Promise<void> {
  let said = false;
  for (;;) {
    const state = lockState(flight.lockPath);
    if (!state.held) return;
    if (state.stale && Date.now() < deadline) {
      // Its owner is dead: the next tryLock breaks it (after a pause, so a
      // lock that cannot be broken is not retried in a busy loop).
      await pause(flight.pollMs);
      return;
    }
    const token = state.owner?.token;
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
    if (Date.now() >= deadline) {
      const waited = Math.round((Date.now() - deadline + flight.timeoutMs) / 1000);
      throw new RolecallError(
        `gave up after waiting ${waited}s for rolecall pid ${state.owner?.pid ?? '?'} to get ${flight.what} ` +
          `(it may be waiting for an MFA code); try again, raise ROLECALL_LOCK_TIMEOUT, or if no rolecall is running delete ${flight.lockPath}`,
      );
    }
    await pause(flight.pollMs);
  }
}

/** Jittered, so that the waiters do not all wake at once. */
function pause(pollMs = 50): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, pollMs / 2 + Math.random() * pollMs));
}
