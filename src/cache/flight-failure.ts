/**
 * How a failed attempt reaches the processes that were waiting for it. When
 * the holder of a lock fails (the MFA prompt cancelled, mfa_process failing,
 * STS refusing), the waiters would otherwise each take the lock in turn and
 * fail the same way: eight MFA prompts for one `make -j8`. So before letting
 * go of the lock the holder leaves a record of its failure, named by the
 * token of its holding; a waiter honours only the records of holdings it saw,
 * and only fresh ones, so a run started after the failure tries afresh.
 *
 * Only a failure that would meet every waiter the same way is recorded
 * (sharedWithWaiters, base/errors.ts); one of the holder's own (no terminal, its
 * passphrase, its --mfa-token code) leaves no record, and a waiter tries itself.
 *
 * A record holds the holder's pid and a one-line reason that is never a
 * secret: the message of a RolecallError (which by rule names no secret,
 * scrubbed once more). What is read back is trusted no more than the
 * directory it is in: only the user's own, writable by nobody else.
 */
import { lstatSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { oneLine } from '../log/terminal-text.js';
import { CancelledError, errorLine, RolecallError } from '../base/errors.js';
import { debug } from '../log/debug-log.js';
import { redact } from '../log/redact.js';
import { writePrivateFile } from '../fs/private-files.js';
import { isLockToken } from '../fs/lock-file.js';

/** Older than this a record is history, not the attempt a waiter just saw end (a suspended laptop, say). */
export const FAILURE_HONOURED_MS = 10_000;
const REASON_MAX = 300;
const GENERIC_REASON = 'an unexpected error';

interface FailureRecord {
  readonly pid: number;
  readonly reason: string;
  readonly at: number;
}

/** The attempt this process waited for failed: this one fails too (exit 125, not 130: it was not cancelled). */
export class HolderFailedError extends RolecallError {
  override readonly name = 'HolderFailedError';
  // The first cause was shared (or there would be no record): so is passing it on.
  override sharedWithWaiters = true;
  constructor(readonly record: FailureRecord) {
    // The reason names the profile and the step (the holder's own error line), so this line need not.
    super(`another rolecall (pid ${record.pid}) was getting the same session and failed: ${record.reason}`);
  }
}

export function failureRecordPath(lockPath: string, token: string): string {
  // A token read from a file names a path only when it is what tryLock makes.
  if (!isLockToken(token)) throw new Error(`not a lock token: ${JSON.stringify(token)}`);
  return `${lockPath}.${token}.failed`;
}

/** Best effort: without a record the waiters only fall back to trying themselves. */
export function recordFailure(lockPath: string, token: string, error: unknown): void {
  if (!(error instanceof RolecallError && error.sharedWithWaiters)) {
    debug(`the failure is this process's own: the processes waiting on ${lockPath} will try themselves`);
    return;
  }
  // A holder that itself failed on a lower link's holder passes that one on: the first cause, its pid.
  const record: FailureRecord =
    error instanceof HolderFailedError ? { ...error.record, at: Date.now() } : { pid: process.pid, reason: reasonOf(error), at: Date.now() };
  try {
    writePrivateFile(failureRecordPath(lockPath, token), JSON.stringify(record));
  } catch (failure) {
    debug(`cannot record the failure for the processes waiting on ${lockPath}: ${errorLine(failure)}`);
  }
}

/** The failure of one of the holdings this process waited on, if one failed just now. */
export function failureOf(lockPath: string, tokens: Iterable<string>, now = Date.now()): HolderFailedError | undefined {
  if (!trustedDirectory(dirname(lockPath))) return undefined;
  for (const token of tokens) {
    if (!isLockToken(token)) continue;
    const record = readRecord(failureRecordPath(lockPath, token));
    // One from the future was not written by the attempt that just ended.
    if (record && record.at <= now && now - record.at <= FAILURE_HONOURED_MS) return new HolderFailedError(record);
  }
  return undefined;
}

/**
 * Records are honoured only from a real directory of this user's that no one
 * else can write to: anyone else could otherwise make our commands fail with
 * a line of their choosing.
 */
export function trustedDirectory(directory: string): boolean {
  let why: string | undefined;
  try {
    const stat = lstatSync(directory);
    if (stat.isSymbolicLink()) why = 'is a symbolic link';
    else if (!stat.isDirectory()) why = 'is not a directory';
    else if (process.getuid && stat.uid !== process.getuid()) why = `belongs to uid ${stat.uid}`;
    else if (stat.mode & 0o022) why = `is writable by others (mode ${(stat.mode & 0o777).toString(8)})`;
  } catch (error) {
    why = `cannot be read (${errorLine(error)})`;
  }
  if (why) debug(`not reading failure records from ${directory}: it ${why}`);
  return why === undefined;
}

function reasonOf(error: RolecallError): string {
  // Its own line is a bare "cancelled": right for the person who pressed Ctrl-C, not for the others.
  if (error instanceof CancelledError) return error.forWaiters ?? 'its prompt was cancelled';
  return reasonLine(redact(errorLine(error)));
}

function readRecord(path: string): FailureRecord | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<FailureRecord>;
    if (typeof value.pid !== 'number' || typeof value.reason !== 'string' || typeof value.at !== 'number') return undefined;
    return { pid: value.pid, reason: reasonLine(value.reason), at: value.at };
  } catch {
    return undefined; // none (the usual case), or not one of ours
  }
}

/** What is printed stays one short line of plain text, whatever the file says. */
function reasonLine(text: string): string {
  return oneLine(text.trim(), REASON_MAX) || GENERIC_REASON;
}
