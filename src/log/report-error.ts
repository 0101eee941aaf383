/**
 * How a command ends on a failure: one line on stderr, never a stack trace
 * for the user's mistakes (or --debug for our own), never a secret. Kept free
 * of clipanion so the exec fast path does not load it.
 */
import { ArgumentError, CancelledError, CredentialLoopError, errorLine, RolecallError } from '../base/errors.js';
import { EXIT_INTERRUPTED, EXIT_USAGE } from '../base/exit-status.js';
import { isDebug } from './debug-log.js';
import { redact } from './redact.js';

export function reportError(error: unknown): void {
  if (error instanceof CredentialLoopError && error.saidBelow) return;
  if (error instanceof RolecallError || (error instanceof Error && error.name === 'UsageError')) {
    process.stderr.write(`rolecall: ${redact(error.message)}\n`);
    return;
  }
  process.stderr.write(`rolecall: unexpected error: ${redact(errorLine(error))}\n`);
  if (isDebug() && error instanceof Error && error.stack) process.stderr.write(`${redact(error.stack)}\n`);
}

/** A command's failure, reported; the status it ends with: `failureStatus`, or 130 after a Ctrl-C at a prompt (as an interrupt would give). */
export function failureStatus(error: unknown, status: number): number {
  reportError(error);
  return error instanceof CancelledError ? EXIT_INTERRUPTED : status;
}

/**
 * Runs a command body; a failure is reported and becomes `status`, or
 * EXIT_USAGE for an argument the command refuses (`--duration 5x`), as for
 * one clipanion cannot parse: the same mistake ends every command alike.
 */
export async function guarded(status: number, body: () => Promise<number | void>): Promise<number> {
  try {
    return (await body()) ?? 0;
  } catch (error) {
    return failureStatus(error, error instanceof ArgumentError ? EXIT_USAGE : status);
  }
}

/** What `body` returns; undefined after reporting its failure (a command line that does not parse). */
export function reportedOr<T>(body: () => T): T | undefined {
  try {
    return body();
  } catch (error) {
    reportError(error);
    return undefined;
  }
}
