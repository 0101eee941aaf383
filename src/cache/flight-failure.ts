/**
 * How a failed attempt reaches the processes that were waiting for it. When
 * the holder of a lock fails (the MFA prompt cancelled, mfa_process failing,
 * STS refusing), the waiters would otherwise each take the lock in turn and
 * fail the same way: eight MFA prompts for one `make -j8`. So before letting
 * go of the lock the holder leaves a record of its failure, named by the
 * token of its holding; a waiter honours only the records of holdings it saw,
 * and only fresh ones, so a run started after the failure tries afresh.
 *
 * A record holds the holder's pid and a one-line reason that is never a
 * secret: the message of a RolecallError (which by rule names no secret,
 * scrubbed once more), else a generic line.
 */
import { readFileSync } from 'node:fs';
import { CancelledError, errorLine, RolecallError } from '../errors.js';
import { debug } from '../log/debug-log.js';
import { redact } from '../log/redact.js';
import { writePrivateFile } from '../vault/private-files.js';

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
  constructor(readonly record: FailureRecord) {
    // The reason names the profile and the step (the holder's own error line), so this line need not.
    super(`another rolecall (pid ${record.pid}) was getting the same session and failed: ${record.reason}`);
  }
}

export function failureRecordPath(lockPath: string, token: string): string {
  return `${lockPath}.${token}.failed`;
}

/** Best effort: without a record the waiters only fall back to trying themselves. */
export function recordFailure(lockPath: string, token: string, error: unknown): void {
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
  for (const token of tokens) {
    const record = readRecord(failureRecordPath(lockPath, token));
    if (record && now - record.at <= FAILURE_HONOURED_MS) return new HolderFailedError(record);
  }
  return undefined;
}

function reasonOf(error: unknown): string {
  // Its own line is a bare "cancelled": right for the person who pressed Ctrl-C, not for the others.
  if (error instanceof CancelledError) return 'its prompt was cancelled';
  if (!(error instanceof RolecallError)) return GENERIC_REASON;
  return oneLine(redact(errorLine(error))) || GENERIC_REASON;
}

function readRecord(path: string): FailureRecord | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<FailureRecord>;
    if (typeof value.pid !== 'number' || typeof value.reason !== 'string' || typeof value.at !== 'number') return undefined;
    return { pid: value.pid, reason: oneLine(value.reason) || GENERIC_REASON, at: value.at };
  } catch {
    return undefined; // none (the usual case), or not one of ours
  }
}

/** What is printed stays one short line, whatever the file says. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, REASON_MAX);
}
