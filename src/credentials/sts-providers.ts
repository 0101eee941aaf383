/**
 * The two STS steps. Each wraps the provider of the credentials it calls
 * with, and loads the STS client only when it actually runs.
 */
import type { AssumeRoleStep, SessionTokenStep } from '../config/plan.js';
import { CredentialError } from '../base/errors.js';
import { debug } from '../log/debug-log.js';
import type { StsTarget } from '../sts/sts-client.js';
import type { CredentialProvider, Credentials } from '../config/credentials.js';
import { maskKeyId } from '../log/redact.js';
import { mfaCode, type MfaCodeSource } from './mfa-code.js';

export class SessionTokenProvider implements CredentialProvider {
  readonly description: string;

  constructor(
    private readonly step: SessionTokenStep,
    private readonly caller: CredentialProvider,
    private readonly target: StsTarget,
    private readonly mfa: MfaCodeSource,
  ) {
    this.description = `GetSessionToken for profile "${step.profile}"${step.mfa ? ` with MFA ${step.mfa.serial}` : ''}`;
  }

  async retrieve(): Promise<Credentials> {
    const caller = await this.caller.retrieve();
    const code = this.step.mfa ? await mfaCode(this.step.mfa, this.mfa) : undefined;
    debug(`${this.description} with key ${maskKeyId(caller.accessKeyId)}, ${this.step.durationSeconds}s, in ${this.target.region}${this.target.endpoint ? ` at ${this.target.endpoint}` : ''}`);
    const { getSessionToken } = await import('../sts/sts-client.js');
    const session = await withProfile(this.step.profile, codeGiven(this.step, this.mfa), () => getSessionToken(this.target, caller, {
      durationSeconds: this.step.durationSeconds,
      ...(this.step.mfa ? { mfaSerial: this.step.mfa.serial, mfaCode: code } : {}),
    }));
    debug(`GetSessionToken gave key ${maskKeyId(session.accessKeyId)}, expires ${session.expiration?.toISOString() ?? 'never'}`);
    return session;
  }
}

export class AssumeRoleProvider implements CredentialProvider {
  readonly description: string;

  constructor(
    private readonly step: AssumeRoleStep,
    private readonly caller: CredentialProvider,
    private readonly target: StsTarget,
    private readonly mfa: MfaCodeSource,
  ) {
    this.description = `AssumeRole ${step.roleArn} for profile "${step.profile}"`;
  }

  async retrieve(): Promise<Credentials> {
    const caller = await this.caller.retrieve();
    const code = this.step.mfa ? await mfaCode(this.step.mfa, this.mfa) : undefined;
    debug(
      `${this.description} with key ${maskKeyId(caller.accessKeyId)}, session name ${this.step.sessionName}, ${this.step.durationSeconds}s` +
        `${this.step.externalId ? ', with external id' : ''}${this.step.mfa ? `, with MFA ${this.step.mfa.serial}` : ''}, in ${this.target.region}` +
        `${this.target.endpoint ? ` at ${this.target.endpoint}` : ''}`,
    );
    const { assumeRole } = await import('../sts/sts-client.js');
    const session = await withProfile(this.step.profile, codeGiven(this.step, this.mfa), () => assumeRole(this.target, caller, {
      roleArn: this.step.roleArn,
      sessionName: this.step.sessionName,
      durationSeconds: this.step.durationSeconds,
      ...(this.step.externalId ? { externalId: this.step.externalId } : {}),
      ...(this.step.mfa ? { mfaSerial: this.step.mfa.serial, mfaCode: code } : {}),
    }));
    debug(`AssumeRole gave key ${maskKeyId(session.accessKeyId)}, expires ${session.expiration?.toISOString() ?? 'never'}`);
    return session;
  }
}

function codeGiven(step: SessionTokenStep | AssumeRoleStep, mfa: MfaCodeSource): boolean {
  return Boolean(step.mfa && mfa.given);
}

/** An STS failure names the profile it was for: "profile "x": AssumeRole … failed: …". */
async function withProfile<T>(profile: string, codeGiven: boolean, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof CredentialError)) throw error;
    const failure = new CredentialError(`profile "${profile}": ${error.message}`);
    // A code given with --mfa-token is this process's own (base/errors.ts): a process
    // waiting on this one calls STS itself, with its own code or prompt.
    if (codeGiven) failure.sharedWithWaiters = false;
    throw failure;
  }
}
