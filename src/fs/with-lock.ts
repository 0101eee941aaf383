/**
 * A short piece of work done holding a lock file (fs/lock-file.ts), for
 * rolecall processes that must not interleave with each other: a config
 * file's read-modify-write (config/while-locked.ts), a keychain search and
 * the writes that would change what it finds (vault/keychain-vault.ts). A
 * live holder is waited for, a bounded time; stale locks of dead processes
 * are broken by tryLock. What happens without the lock (no directory to
 * take it in, or a holder still there at the deadline) is the caller's
 * call: go on without it, or throw.
 */
import { tryLock, type LockOwner } from './lock-file.js';

export interface LockPolicy {
  readonly waitMs: number;
  /**
   * Called when the lock cannot be had: `error` when it cannot be taken at
   * all (a read-only or full cache directory), else `holder` still holds it
   * at the deadline. Returns to do the work without the lock, or throws.
   */
  readonly without: (why: { readonly error?: unknown; readonly holder?: LockOwner }) => void;
}

export async function withLock<T>(lockPath: string, policy: LockPolicy, body: () => T | Promise<T>): Promise<T> {
  const deadline = Date.now() + policy.waitMs;
  for (;;) {
    let attempt: ReturnType<typeof tryLock>;
    try {
      attempt = tryLock(lockPath);
    } catch (error) {
      policy.without({ error });
      return body();
    }
    if (attempt.acquired) {
      try {
        return await body();
      } finally {
        attempt.acquired.release();
      }
    }
    if (Date.now() > deadline) {
      policy.without(attempt.holder ? { holder: attempt.holder } : {});
      return body();
    }
    await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20));
  }
}
