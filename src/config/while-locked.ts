/**
 * Runs a short read-modify-write of a shared file under a lock file, so two
 * rolecall processes changing it at once do not lose one's change (two
 * `rolecall add` at once each appended a section to what it had read, and
 * the second rename dropped the first's). A live holder is waited for, a
 * bounded time (fs/with-lock.ts); still there, the edit is refused.
 */
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../base/env.js';
import { errorLine, RolecallError } from '../base/errors.js';
import { debug } from '../log/debug-log.js';
import { hashedName } from '../fs/hashed-name.js';
import { locksDirectory } from '../fs/rolecall-dirs.js';
import { withLock } from '../fs/with-lock.js';

const WAIT_MS = 10_000;

/** One lock per file, however it is spelled (a symlinked ~/.aws/config). */
function realPathOf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

export async function whileLocked<T>(env: Env, file: string, body: () => T): Promise<T> {
  const lockPath = join(locksDirectory(env), `file-${hashedName([realPathOf(file)])}.lock`);
  return withLock(
    lockPath,
    {
      waitMs: WAIT_MS,
      without: ({ error, holder }) => {
        if (error === undefined) throw new RolecallError(`${file} is being changed by another rolecall (pid ${holder?.pid ?? 'unknown'}); try again when it has finished`);
        // No cache directory to lock in (read-only, full): the edit matters more than the rare race the lock prevents.
        debug(`no lock for ${file} (${errorLine(error)}); editing it without one`);
      },
    },
    body,
  );
}
