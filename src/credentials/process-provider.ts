/**
 * credential_process: a command whose stdout is JSON with Version 1 and the
 * keys. Split like a shell word list and run without a shell, as botocore does.
 */
import type { Env } from '../base/env.js';
import { shlexSplit } from '../config/python-strings.js';
import { CREDENTIAL_LOOP_MARKER, CredentialError, CredentialLoopError } from '../base/errors.js';
import { EXIT_CREDENTIAL_LOOP } from '../base/exit-status.js';
import { registerSecret } from '../log/redact.js';
import { oneLine } from '../log/terminal-text.js';
import { runHelper } from './helper-process.js';
import type { CredentialProvider, Credentials } from '../config/credentials.js';

export class ProcessProvider implements CredentialProvider {
  readonly description: string;

  constructor(
    private readonly profile: string,
    private readonly command: string,
    /** The environment rolecall was started with, which the process inherits (less rolecall's own secrets). */
    private readonly env: Env,
  ) {
    this.description = `credential_process of profile "${profile}"`;
  }

  async retrieve(): Promise<Credentials> {
    const argv = shlexSplit(this.command);
    if (!argv || argv.length === 0) throw new CredentialError(`${this.description} cannot be split into a command; check its quotes`);
    const [file, ...args] = argv as [string, ...string[]];
    const result = await runHelper(this.description, file, args, this.env);
    if (result.exitCode === EXIT_CREDENTIAL_LOOP && result.stdout.trim() === CREDENTIAL_LOOP_MARKER) throw new CredentialLoopError(`${this.description} is a loop`, true);
    if (result.exitCode !== 0) throw new CredentialError(`${this.description} exited with status ${result.exitCode}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(result.stdout);
    } catch {
      throw new CredentialError(`${this.description} printed something that is not JSON`);
    }
    // null, a list or a number is JSON too, but not the object botocore reads.
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new CredentialError(`${this.description} printed JSON that is not an object with Version, AccessKeyId and SecretAccessKey`);
    }
    const { Version, AccessKeyId, SecretAccessKey, SessionToken, Expiration } = parsed as Record<string, unknown>;
    registerSecret(typeof SecretAccessKey === 'string' ? SecretAccessKey : undefined);
    registerSecret(typeof SessionToken === 'string' ? SessionToken : undefined);
    if (Version !== 1) throw new CredentialError(`${this.description} printed Version ${oneLine(JSON.stringify(Version) ?? 'none', 20)}; only Version 1 is defined`);
    if (typeof AccessKeyId !== 'string' || typeof SecretAccessKey !== 'string') {
      throw new CredentialError(`${this.description} printed no AccessKeyId and SecretAccessKey`);
    }
    const expiration = typeof Expiration === 'string' ? new Date(Expiration) : undefined;
    if (expiration && Number.isNaN(expiration.getTime())) throw new CredentialError(`${this.description} printed an Expiration that is not a date`);
    return {
      accessKeyId: AccessKeyId,
      secretAccessKey: SecretAccessKey,
      ...(typeof SessionToken === 'string' && SessionToken ? { sessionToken: SessionToken } : {}),
      ...(expiration ? { expiration } : {}),
    };
  }
}
