/**
 * `rolecall credential-process` free of clipanion: tools run it as often as
 * exec (each AWS CLI call, each SDK start), so the entry point calls it
 * directly. stdout gets the JSON and nothing else; any failure is one line
 * on stderr and status 1 (86 for a loop, which the rolecall that ran this
 * one relays without a line of its own, told by a marker on stdout that the
 * 86 is the loop's).
 */
import { ArgumentError, CREDENTIAL_LOOP_MARKER, CredentialLoopError } from '../base/errors.js';
import { EXIT_CREDENTIAL_LOOP, EXIT_FAILED } from '../base/exit-status.js';
import { credentialProcess, type CredentialProcessRequest } from '../export/credential-process.js';
import { enableDebug } from '../log/debug-log.js';
import { RESOLVING_VARIABLE } from '../pipeline/credential-loop.js';
import { failureStatus, reportedOr } from '../log/report-error.js';
import { parseExecArguments } from './exec-arguments.js';
import { printCredentials } from './print-credentials.js';

export interface CredentialProcessArguments extends CredentialProcessRequest {
  readonly debug: boolean;
  readonly help: boolean;
}

/** exec's options, less what a credential_process line cannot use: a command, --force, --server, --mfa-token (a code in a config file is spent in 30 s). */
export function parseCredentialProcessArguments(args: readonly string[]): CredentialProcessArguments {
  const parsed = parseExecArguments(args, 'credential-process');
  if (parsed.help) return { profile: '', debug: false, help: true };
  const execOnly = parsed.force ? '--force' : parsed.server ? '--server' : parsed.mfaToken ? '--mfa-token' : undefined;
  if (execOnly) throw new ArgumentError(`${execOnly} is not an option of credential-process; see rolecall credential-process --help`);
  if (parsed.command.length > 0) throw new ArgumentError(`credential-process takes one PROFILE, not "${parsed.command[0]}" after it; see rolecall credential-process --help`);
  if (parsed.profile === undefined) throw new ArgumentError('missing PROFILE (usage: rolecall credential-process PROFILE)');
  return {
    profile: parsed.profile,
    ...(parsed.region ? { region: parsed.region } : {}),
    ...(parsed.durationSeconds !== undefined ? { durationSeconds: parsed.durationSeconds } : {}),
    ...(parsed.noSession ? { noSession: true } : {}),
    ...(parsed.backend ? { backend: parsed.backend } : {}),
    debug: parsed.debug,
    help: false,
  };
}

/** Parses credential-process's arguments; undefined after reporting a mistake (status 2). */
export function parseOrReport(args: readonly string[]): CredentialProcessArguments | undefined {
  return reportedOr(() => parseCredentialProcessArguments(args));
}

export async function runCredentialProcess(parsed: CredentialProcessArguments): Promise<number> {
  enableDebug(parsed.debug);
  try {
    const json = await credentialProcess({ ...process.env }, parsed);
    return await printCredentials(json);
  } catch (error) {
    const status = failureStatus(error, EXIT_FAILED);
    if (!(error instanceof CredentialLoopError)) return status;
    // Run by a rolecall (which names what it resolves): tell it this 86 is the loop's.
    if (process.env[RESOLVING_VARIABLE]) await new Promise<void>((resolve) => process.stdout.write(CREDENTIAL_LOOP_MARKER, () => resolve()));
    return EXIT_CREDENTIAL_LOOP;
  }
}
