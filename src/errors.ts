/**
 * Errors a user can act on. Each carries one line that says what is wrong and
 * how to fix it; the CLI prints that line and exits 125 (rolecall failed
 * before spawning). Anything that is not a RolecallError is a bug and keeps
 * its stack trace under --debug only.
 */
export class RolecallError extends Error {
  override readonly name: string = 'RolecallError';
}

/** A problem in ~/.aws/config or ~/.aws/credentials, named by file and profile. */
export class ConfigError extends RolecallError {
  override readonly name = 'ConfigError';
}

/** A call to AWS (STS, IMDS, a credential process) failed. */
export class CredentialError extends RolecallError {
  override readonly name = 'CredentialError';
}

/** The user pressed Ctrl-C (or Ctrl-D) at a prompt: stop, change nothing. Exit 130. */
export class CancelledError extends RolecallError {
  override readonly name = 'CancelledError';
}

/**
 * The vault cannot be opened as the user asked (a wrong passphrase, a locked
 * keyring). Never a cache miss: a miss would delete or bypass what is stored.
 */
export class VaultAccessError extends RolecallError {
  override readonly name = 'VaultAccessError';
}

/** The first line of an error's message: what a one-line report shows of it. */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? '';
}

/** Errors that must stop a command even where a failure is otherwise only a warning. */
export function mustStop(error: unknown): boolean {
  return error instanceof CancelledError || error instanceof VaultAccessError;
}

/** A mistake on the command line; the exec fast path cannot use clipanion's UsageError. */
export class ArgumentError extends RolecallError {
  override readonly name = 'ArgumentError';
}
