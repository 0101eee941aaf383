/**
 * What tells a file changed without reading it: device, inode, size, and
 * mtime and ctime in nanoseconds. ctime cannot be set back by the user
 * (touch -d sets mtime, and moves ctime to now), so an edit that keeps the
 * size and restores the mtime still changes the stamp. Taken before a read,
 * a stamp can only be older than the bytes read, never newer: a change after
 * it moves ctime.
 *
 * A stamp is only as good as the clock tick that set it: ctime comes from a
 * clock that ticks every few milliseconds, so an edit within the tick the
 * stamp was taken in could leave the same stamp (git's "racy clean"), never
 * one a second later. What is remembered by a stamp is remembered only once
 * it has settled.
 */
import { statSync, type BigIntStats } from 'node:fs';

export interface FileStamp {
  readonly signature: string;
  /** The ctime in milliseconds, to tell whether the stamp has settled. */
  readonly ctimeMs: number;
}

/** How old a stamp's ctime must be before something is remembered by it. */
export const STAMP_SETTLED_MS = 1000;

export function stampOf(stats: BigIntStats): FileStamp {
  return { signature: `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`, ctimeMs: Number(stats.ctimeNs / 1_000_000n) };
}

export function isSettled(stamp: FileStamp, nowMs = Date.now()): boolean {
  return nowMs - stamp.ctimeMs >= STAMP_SETTLED_MS;
}

/**
 * The stamp of whatever is at `path` now, following symlinks as a read does:
 * 'none' when nothing is there; 'unstampable' (never settled) when it cannot
 * be stat-ed for another reason.
 */
export function stampOfPath(path: string): FileStamp {
  try {
    return stampOf(statSync(path, { bigint: true }));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { signature: 'none', ctimeMs: 0 };
    return { signature: `unstampable:${code ?? 'unknown'}`, ctimeMs: Number.MAX_SAFE_INTEGER };
  }
}
