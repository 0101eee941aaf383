/**
 * Every exit status rolecall gives, in one place. `exec` follows GNU env, so
 * a script can tell rolecall's own failure from the command's: the command's
 * own status when it ran, 128+N when it died of signal N, 125 when rolecall
 * failed before starting it, 126 when it cannot be run, 127 when it is not
 * found. The other commands: 0, 1 on failure, 2 for a command line that does
 * not parse or an argument refused (`--duration 5x`), 130 after a Ctrl-C at
 * a prompt (as an interrupt would give),
 * 86 for a credential_process loop refused.
 */
import { constants } from 'node:os';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_ROLECALL_FAILED = 125;
export const EXIT_NOT_EXECUTABLE = 126;
export const EXIT_NOT_FOUND = 127;
export const EXIT_INTERRUPTED = signalled('SIGINT');
/**
 * A `rolecall credential-process` that refused a credential_process loop,
 * and said so on stderr: the rolecall that ran it (the loop's previous turn)
 * ends with the same status and adds no line of its own, so the user sees one.
 */
export const EXIT_CREDENTIAL_LOOP = 86;

/** 128+N for a command that died of signal N, as shells report it. */
export function signalled(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/**
 * Ends the process as soon as the command has: left to wind down by itself,
 * a process that used the keychain (libsecret's threads) takes about 18 ms
 * longer to exit. Everything the command does is awaited before this. Where
 * pipes are asynchronous (macOS) stderr is flushed first; on Linux, where
 * Node writes to stderr synchronously, it is not touched: making the stream
 * of a pipe or a terminal only to flush it cost a command 3 to 6 ms.
 */
export function exitNow(status: number): void {
  process.exitCode = status;
  if (process.platform === 'linux') process.exit(status);
  else process.stderr.write('', () => process.exit(status));
}
