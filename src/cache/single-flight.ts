/**
 * One process produces a session while the others with the same need wait
 * for it and then read what it cached. Waiting is bounded: a holder that
 * hangs (or a person who never types the MFA code) ends in a clear error.
 */
import { RolecallError, errorLine } from '../errors.js';
import { debug } from '../log/debug-log.js';
import { lockState, tryLock } from './lock-file.js';

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
  for (;;) {
    let lock;
    try {
      lock = tryLock(flight.lockPath);
    } catch (error) {
      // No lock directory (read-only, full disk): work alone rather than fail.
      debug(`cannot lock ${flight.lockPath} (${errorLine(error)}): going on without the lock`);
      return flight.produce();
    }
    if (lock) {
      try {
        // Another process may have cached it between our first look and now.
        const cached = await flight.check();
        if (cached !== undefined) return cached;
        return await flight.produce();
      } finally {
        lock.release();
      }
    }
    await waitWhileHeld(flight, deadline);
    const cached = await flight.check();
    if (cached !== undefined) return cached;
    // The holder ended without caching (it failed, or was killed): our turn.
  }
}

async function waitWhileHeld<T>(flight: SingleFlight<T>, deadline: number): Promise<void> {
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
