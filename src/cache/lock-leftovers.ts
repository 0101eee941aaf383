/**
 * Keeps the locks directory from growing forever. A process killed at the
 * wrong moment leaves a temporary file (between writing and linking or
 * renaming it), a stale lock renamed aside, or a lock nobody will need again
 * (its session's profile was never used since); failure records and the
 * notes of a holder killed while signing in (holder-wait.ts) outlive their use by design. All are named after their lock (lock-file.ts), so
 * anything old that fits one of those shapes is swept.
 */
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { debug } from '../log/debug-log.js';
import { breakIfStale } from '../fs/lock-file.js';

/** Temporary files live for microseconds and failure records are honoured for seconds: a minute is plenty. */
export const LEFTOVER_AGE_MS = 60_000;

/** `<hash>.lock.<token>.tmp`, `.<hash>.lock.<token>.failed.<pid>.<hex>.tmp`, `<hash>.lock.stale.<hex>`, `<hash>.lock.<token>.failed`. */
const LEFTOVER = /\.lock\.(?:.*\.tmp|stale\.[0-9a-f]+|[0-9a-f]+\.failed)$/;
/** `<hash>.lock.<token>.waiting` (holder-wait.ts): a sign-in's, live for up to its 10 minutes, so swept only when far older. */
const WAIT_NOTE = /\.lock\.[0-9a-f]+\.waiting$/;
export const WAIT_NOTE_AGE_MS = 60 * 60_000;
const LOCK = /^[0-9a-f]+\.lock$/;

const swept = new Set<string>();

/** Once per process and directory: the cold path pays a readdir, the warm path nothing. */
export function sweepLeftoversOnce(directory: string): void {
  if (swept.has(directory)) return;
  swept.add(directory);
  sweepLeftovers(directory);
}

export function sweepLeftovers(directory: string, now = Date.now()): void {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return; // no directory yet
  }
  for (const name of names) {
    const note = WAIT_NOTE.test(name);
    const leftover = note || LEFTOVER.test(name);
    if (!leftover && !LOCK.test(name)) continue;
    const path = join(directory, name);
    try {
      // ctime too: renaming a lock aside keeps its (old) mtime but is a change of its own.
      const stat = statSync(path);
      if (now - Math.max(stat.mtimeMs, stat.ctimeMs) < (note ? WAIT_NOTE_AGE_MS : LEFTOVER_AGE_MS)) continue;
      if (leftover) unlinkSync(path);
      else if (!breakIfStale(path)) continue;
      debug(`swept ${name} from ${directory}`);
    } catch {
      // gone already (another process swept it), or not ours to remove
    }
  }
}
