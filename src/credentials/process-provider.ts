/**
 * credential_process: a command whose stdout is JSON with Version 1 and the
 * keys. Split like a shell word list and run without a shell, as botocore does.
 */
// execa is loaded only when a helper process actually runs: the cached path never needs it here.
import type { Env } from '../base/env.js';
import { shlexSplit } from '../config/python-strings.js';
import { CREDENTIAL_LOOP_MARKER, CredentialError, CredentialLoopError } from '../base/errors.js';
import { EXIT_CREDENTIAL_LOOP } from '../base/exit-status.js';
import { registerSecret } from '../log/redact.js';
import { helperEnv } from './helper-env.js';
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
    const { default: execa } = await import('execa');
    const result = await execa(file, args, { reject: false, stdin: 'inherit', stderr: 'inherit', env: helperEnv(this.env), extendEnv: false });
    if (result.exitCode === EXIT_CREDENTIAL_LOOP && String(result.stdout).trim() === CREDENTIAL_LOOP_MARKER) throw new CredentialLoopError(`${this.description} is a loop`, true);
    if (result.failed) {
      const why = result.exitCode !== undefined ? `exited with status ${result.exitCode}` : `could not run (${(result as { code?: string }).code ?? result.signal ?? 'error'})`;
      throw new CredentialError(`${this.description} ${why}`);
    }
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(String(result.stdout)) as Record<string, unknown>;
    } catch {
      throw new CredentialError(`${this.description} printed something that is not JSON`);
    }
    const { Version, AccessKeyId, SecretAccessKey, SessionToken, Expiration } = parsed;
    registerSecret(typeof SecretAccessKey === 'string' ? SecretAccessKey : undefined);
    registerSecret(typeof SessionToken === 'string' ? SessionToken : undefined);
    if (Version !== 1) throw new CredentialError(`${this.description} printed Version ${String(Version)}; only Version 1 is defined`);
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
