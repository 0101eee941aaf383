/**
 * A lock file: of N rolecall processes taking the same lock at once, one
 * holds it. The session cache takes one per session (cache/single-flight.ts),
 * so that only one calls STS and asks for the MFA code; config edits take one
 * per file (config/while-locked.ts).
 *
 * The file is created whole or not at all: the owner (pid, start time, host,
 * a random token) is written to a temporary file that is then hard-linked to
 * the lock's name, which fails if the lock exists. A lock whose owner is dead
 * (even by SIGKILL, which runs no cleanup) is stale and is broken by renaming
 * it aside first, so that two processes breaking it at once cannot remove a
 * fresh lock taken in between.
 *
 * Next to a lock live its leftovers: the temporary file of a process killed
 * between writing and linking it, a stale lock renamed aside by one killed
 * while breaking it, and the failure records of cache/single-flight.ts. They
 * all start with the lock's name, so cache/lock-leftovers.ts can tell what it sweeps.
 */
import { nodeCrypto } from '../base/node-crypto.js';
import { closeSync, fstatSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { isProcessAlive, processStartTime } from './process-liveness.js';

export interface LockOwner {
  readonly pid: number;
  readonly start?: string;
  readonly host: string;
  readonly token: string;
}

export type LockState = { readonly held: false } | { readonly held: true; readonly owner?: LockOwner; readonly stale: boolean; readonly ino: number };

export interface HeldLock {
  /** Names this holding (a new one for each lock taken), e.g. for a record of how it ended. */
  readonly token: string;
  release(): void;
}

/** The lock, or who holds it (when the lock could be read) so a waiter knows which attempt it waits on. */
export type LockAttempt = { readonly acquired: HeldLock } | { readonly acquired?: undefined; readonly holder: LockOwner | undefined };

/** What tryLock names a holding with: 8 random bytes in hex. Nothing else read from a file goes into a path. */
const LOCK_TOKEN = /^[0-9a-f]{16}$/;

export function isLockToken(token: unknown): token is string {
  return typeof token === 'string' && LOCK_TOKEN.test(token);
}

/** A lock file nobody can read an owner from (a crash of the non-link fallback) is stale after this. */
const UNREADABLE_LOCK_STALE_MS = 5_000;
/** An owner on another host (a shared HOME) cannot be checked; its lock is stale after this. */
const FOREIGN_LOCK_STALE_MS = 10 * 60_000;

export function tryLock(path: string): LockAttempt {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const owner: LockOwner = { pid: process.pid, ...optionalStart(), host: hostname(), token: nodeCrypto().randomBytes(8).toString('hex') };
  // A few rounds: each lost round is a stale lock broken or a lock released just now.
  let holder: LockOwner | undefined;
  for (let round = 0; round < 3; round++) {
    if (createWhole(path, JSON.stringify(owner), owner.token)) return { acquired: holding(path, owner.token) };
    const state = lockState(path);
    if (!state.held) continue;
    holder = state.owner;
    if (!state.stale) return { holder };
    breakStale(path, state.ino, state.owner?.token);
  }
  return { holder };
}

/** Breaks the lock at `path` if its owner is gone; true if it was stale. */
export function breakIfStale(path: string): boolean {
  const state = lockState(path);
  if (!state.held || !state.stale) return false;
  breakStale(path, state.ino, state.owner?.token);
  return true;
}

export function lockState(path: string): LockState {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { held: false };
  }
  try {
    const stat = fstatSync(fd);
    const owner = parseOwner(readFileSync(fd, 'utf8'));
    const age = Date.now() - stat.mtimeMs;
    let stale: boolean;
    if (!owner) stale = age > UNREADABLE_LOCK_STALE_MS;
    else if (owner.host !== hostname()) stale = age > FOREIGN_LOCK_STALE_MS;
    else stale = !isProcessAlive(owner.pid, owner.start);
    return { held: true, ...(owner ? { owner } : {}), stale, ino: stat.ino };
  } finally {
    closeSync(fd);
  }
}

function createWhole(path: string, content: string, token: string): boolean {
  const temporary = `${path}.${token}.tmp`;
  try {
    // Inside the try: a write that fails half way (a full disk) must not leave the file behind.
    writeFileSync(temporary, content, { mode: 0o600, flag: 'wx' });
    return linkAsLock(temporary, path, content);
  } finally {
    try {
      unlinkSync(temporary);
    } catch {
      // already gone
    }
  }
}

function linkAsLock(temporary: string, path: string, content: string): boolean {
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP') return createExclusive(path, content);
    throw error;
  }
}

/** For file systems without hard links: O_EXCL, then the owner; briefly an empty lock. */
function createExclusive(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeFileSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

function breakStale(path: string, staleIno: number, staleToken: string | undefined): void {
  const aside = `${path}.stale.${nodeCrypto().randomBytes(8).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // somebody else broke or released it
  }
  try {
    // Between our look and our rename another process may have broken the
    // stale lock and taken a fresh one: that one goes back where it was.
    if (statSync(aside).ino !== staleIno || tokenIn(aside) !== staleToken) linkSync(aside, path);
  } catch {
    // a third process holds the name now; nothing more to put back
  } finally {
    try {
      unlinkSync(aside);
    } catch {
      // already gone
    }
  }
}

function holding(path: string, token: string): HeldLock {
  const release = () => {
    process.off('exit', release);
    try {
      // Only our own lock: a lock broken as stale and taken by another is theirs.
      if (parseOwner(readFileSync(path, 'utf8'))?.token === token) unlinkSync(path);
    } catch {
      // already gone
    }
  };
  // An ordinary exit (an error, Ctrl-C handled by node) does not leave the lock behind.
  process.on('exit', release);
  return { token, release };
}

function tokenIn(path: string): string | undefined {
  try {
    return parseOwner(readFileSync(path, 'utf8'))?.token;
  } catch {
    return undefined;
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string' || !isLockToken(value.token)) return undefined;
    if (value.start !== undefined && typeof value.start !== 'string') return undefined;
    return value as LockOwner;
  } catch {
    return undefined;
  }
}

function optionalStart(): { start?: string } {
  const start = processStartTime(process.pid);
  return start === undefined ? {} : { start };
}
