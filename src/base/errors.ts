/**
 * Errors a user can act on. Each carries one line that says what is wrong and
 * how to fix it; the CLI prints that line and exits 125 (rolecall failed
 * before spawning). Anything that is not a RolecallError is a bug and keeps
 * its stack trace under --debug only.
 */
export class RolecallError extends Error {
  override readonly name: string = 'RolecallError';
  /**
   * Whether the rolecalls waiting for this one to get the same session
   * (cache/single-flight.ts) fail with it. Only for a cause that would hit
   * each of them the same way: STS refusing or out of reach, mfa_process
   * failing, Ctrl-C at the prompt (the person said stop). Not for what is this
   * process's own (no terminal to ask on, its vault passphrase, a code it was
   * given with --mfa-token): a waiter may have a terminal, the right
   * passphrase, its own code, so it takes the lock and tries itself. Off
   * unless a class or the place that raises the error says otherwise.
   */
  sharedWithWaiters = false;
}

/** A problem in ~/.aws/config or ~/.aws/credentials, named by file and profile. */
export class ConfigError extends RolecallError {
  override readonly name = 'ConfigError';
}

/** A call to AWS (STS, IMDS, a credential process) failed. */
export class CredentialError extends RolecallError {
  override readonly name = 'CredentialError';
  // Another process calling the same AWS endpoint or helper with the same config meets the same answer.
  override sharedWithWaiters = true;
}

/** The user pressed Ctrl-C (or Ctrl-D) at a prompt: stop, change nothing. Exit 130. */
export class CancelledError extends RolecallError {
  override readonly name = 'CancelledError';
  // Stop means stop: not one prompt more from the processes waiting on this one.
  override sharedWithWaiters = true;
  /**
   * `forWaiters`: what the processes waiting on this one say was cancelled,
   * when it was more than a prompt (a sign-in), and what to do; the person
   * who pressed Ctrl-C needs no more than `message`.
   */
  constructor(
    message: string,
    readonly forWaiters?: string,
  ) {
    super(message);
  }
}

/**
 * The vault cannot be opened as the user asked (a wrong passphrase, a locked
 * keyring). Never a cache miss: a miss would delete or bypass what is stored.
 * Not shared with waiters: the passphrase is this process's environment.
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

/**
 * A profile's credential_process runs `rolecall credential-process` back
 * into a profile being resolved. `saidBelow`: the rolecall that refused it
 * (further down the loop) has said so already, so this one says nothing.
 */
/**
 * What a rolecall run as a credential_process prints on stdout, beside status
 * 86, when it met a loop: the rolecall that ran it then knows the status is
 * the loop's, already said on stderr, and not a foreign program's own 86.
 */
export const CREDENTIAL_LOOP_MARKER = '{"RolecallCredentialLoop":true}';

export class CredentialLoopError extends RolecallError {
  override readonly name = 'CredentialLoopError';
  // Every process of the same loop meets it.
  override sharedWithWaiters = true;
  constructor(message: string, readonly saidBelow: boolean) {
    super(message);
  }
}
