/**
 * What the holder of a lock says it is waiting for when that is a person
 * (a browser sign-in, a device code), so that its waiters wait as long as
 * the person may take and, if they give up, say what they waited for.
 *
 * A waiter only sees the lock it waits on, which may be the role session's
 * while the holder signs in under the token's lock further down: so the
 * holder leaves a note beside every lock it holds at that moment (this
 * process's holdings, kept by single-flight.ts), named by the token of each
 * holding as a failure record is (flight-failure.ts), and removes them when
 * the wait ends. A note is honoured only for the holding that wrote it and
 * only from a directory no one else can write to; a note of a killed holder
 * names a holding that no longer exists, and is swept (lock-leftovers.ts).
 */
import { readFileSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { errorLine } from '../base/errors.js';
import { debug } from '../log/debug-log.js';
import { oneLine } from '../log/terminal-text.js';
import { writePrivateFile } from '../fs/private-files.js';
import { isLockToken } from '../fs/lock-file.js';
import { trustedDirectory } from './flight-failure.js';

/** What a holder waits for, for its waiters' lines: `the IAM Identity Center sign-in of sso-session "corp" in the browser`. */
export interface PersonWait {
  readonly what: string;
  /** What a waiter that gives up should tell its user: `finish signing in there, then run the command again`. */
  readonly advice: string;
  /** Epoch ms: the holder gives up by then itself (and says so to its waiters). */
  readonly until: number;
}

const TEXT_MAX = 200;

export function holderWaitPath(lockPath: string, token: string): string {
  if (!isLockToken(token)) throw new Error(`not a lock token: ${JSON.stringify(token)}`);
  return `${lockPath}.${token}.waiting`;
}

/** Best effort: without a note the waiters only wait as for an MFA prompt. */
export function writeHolderWait(lockPath: string, token: string, wait: PersonWait): void {
  try {
    writePrivateFile(holderWaitPath(lockPath, token), JSON.stringify({ pid: process.pid, ...wait }));
  } catch (error) {
    debug(`cannot tell the processes waiting on ${lockPath} what this one waits for: ${errorLine(error)}`);
  }
}

export function removeHolderWait(lockPath: string, token: string): void {
  try {
    unlinkSync(holderWaitPath(lockPath, token));
  } catch {
    // never written, or swept
  }
}

/** The note of the holding `token` of `lockPath`, if it left one. */
export function holderWaitOf(lockPath: string, token: string): PersonWait | undefined {
  if (!isLockToken(token) || !trustedDirectory(dirname(lockPath))) return undefined;
  try {
    const value = JSON.parse(readFileSync(holderWaitPath(lockPath, token), 'utf8')) as Partial<PersonWait>;
    if (typeof value.what !== 'string' || typeof value.advice !== 'string' || typeof value.until !== 'number' || !Number.isFinite(value.until)) return undefined;
    return { what: oneLine(value.what.trim(), TEXT_MAX), advice: oneLine(value.advice.trim(), TEXT_MAX), until: value.until };
  } catch {
    return undefined; // none: the holder waits for nobody, or for an MFA code
  }
}
