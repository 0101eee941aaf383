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

/** A mistake on the command line; the exec fast path cannot use clipanion's UsageError. */
export class ArgumentError extends RolecallError {
  override readonly name = 'ArgumentError';
}
