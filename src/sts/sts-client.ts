/**
 * The only module that touches @aws-sdk/client-sts, and it loads the SDK on
 * first use: the cached path never pays for it.
 */
import type { Credentials } from '../config/credentials.js';
import { CredentialError } from '../base/errors.js';
import { registerSecret, redact } from '../log/redact.js';
import { notTheService, sdkClientOptions, sdkErrorLine, unreachable, withinDeadline, type ServiceTarget } from '../config/sdk-client-options.js';

export type StsTarget = ServiceTarget;

export interface AssumeRoleInput {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly durationSeconds: number;
  readonly externalId?: string;
  readonly mfaSerial?: string;
  readonly mfaCode?: string;
}

export interface SessionTokenInput {
  readonly durationSeconds: number;
  readonly mfaSerial?: string;
  readonly mfaCode?: string;
}

export interface FederationTokenInput {
  /** 2 to 32 of [\w+=,.@-]: the federated user's name (config/session-name.ts). */
  readonly name: string;
  readonly durationSeconds: number;
  /** A session policy: without one, a federated session may do nothing at all. */
  readonly policy: string;
}

const NO_CREDENTIALS = 'the answer held no credentials';

type StsModule = typeof import('@aws-sdk/client-sts');
let sdk: Promise<StsModule> | undefined;

function loadSdk(): Promise<StsModule> {
  sdk ??= import('@aws-sdk/client-sts');
  return sdk;
}

/**
 * `withMfaCode`: a call carrying a one-time code is made once. Its retry
 * would send a code STS may have taken already and be refused as a wrong
 * code, hiding what really failed (a slow or lost answer).
 */
async function client(target: StsTarget, credentials: Credentials, withMfaCode = false) {
  const { STSClient } = await loadSdk();
  return new STSClient(withMfaCode ? sdkClientOptions(target, credentials, 1) : sdkClientOptions(target, credentials));
}

export async function assumeRole(target: StsTarget, caller: Credentials, input: AssumeRoleInput): Promise<Credentials> {
  const { AssumeRoleCommand } = await loadSdk();
  const sts = await client(target, caller, input.mfaSerial !== undefined);
  try {
    const out = await withinDeadline((abortSignal) => sts.send(
      new AssumeRoleCommand({
        RoleArn: input.roleArn,
        RoleSessionName: input.sessionName,
        DurationSeconds: input.durationSeconds,
        ...(input.externalId ? { ExternalId: input.externalId } : {}),
        ...(input.mfaSerial ? { SerialNumber: input.mfaSerial, TokenCode: input.mfaCode } : {}),
      }),
      { abortSignal },
    ));
    return sessionFrom(out.Credentials);
  } catch (error) {
    throw stsError(`AssumeRole ${input.roleArn}`, error, target);
  } finally {
    sts.destroy();
  }
}

export async function getSessionToken(target: StsTarget, caller: Credentials, input: SessionTokenInput): Promise<Credentials> {
  const { GetSessionTokenCommand } = await loadSdk();
  const sts = await client(target, caller, input.mfaSerial !== undefined);
  try {
    const out = await withinDeadline((abortSignal) => sts.send(
      new GetSessionTokenCommand({
        DurationSeconds: input.durationSeconds,
        ...(input.mfaSerial ? { SerialNumber: input.mfaSerial, TokenCode: input.mfaCode } : {}),
      }),
      { abortSignal },
    ));
    return sessionFrom(out.Credentials);
  } catch (error) {
    throw stsError(`GetSessionToken${input.mfaSerial ? ` with MFA ${input.mfaSerial}` : ''}`, error, target);
  } finally {
    sts.destroy();
  }
}

/** Long-term keys of an IAM user → a federated user's session (the console accepts no GetSessionToken session). */
export async function getFederationToken(target: StsTarget, caller: Credentials, input: FederationTokenInput): Promise<Credentials> {
  const { GetFederationTokenCommand } = await loadSdk();
  const sts = await client(target, caller);
  try {
    const out = await withinDeadline((abortSignal) =>
      sts.send(new GetFederationTokenCommand({ Name: input.name, DurationSeconds: input.durationSeconds, Policy: input.policy }), { abortSignal }),
    );
    return sessionFrom(out.Credentials);
  } catch (error) {
    throw stsError('GetFederationToken', error, target);
  } finally {
    sts.destroy();
  }
}

export async function getCallerIdentity(target: StsTarget, caller: Credentials): Promise<string> {
  const { GetCallerIdentityCommand } = await loadSdk();
  const sts = await client(target, caller);
  try {
    const out = await withinDeadline((abortSignal) => sts.send(new GetCallerIdentityCommand({}), { abortSignal }));
    return out.Arn ?? '';
  } catch (error) {
    throw stsError('GetCallerIdentity', error, target);
  } finally {
    sts.destroy();
  }
}

/** The session of an answer; none in it (an HTML page parses as XML with nothing in it) is a failure, worded as STS's answer that was not. */
function sessionFrom(raw: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: Date } | undefined): Credentials {
  if (!raw?.AccessKeyId || !raw.SecretAccessKey || !raw.SessionToken) {
    throw new CredentialError(NO_CREDENTIALS);
  }
  registerSecret(raw.SecretAccessKey);
  registerSecret(raw.SessionToken);
  return {
    accessKeyId: raw.AccessKeyId,
    secretAccessKey: raw.SecretAccessKey,
    sessionToken: raw.SessionToken,
    ...(raw.Expiration ? { expiration: new Date(raw.Expiration) } : {}),
  };
}

function stsError(call: string, error: unknown, target: StsTarget): CredentialError {
  const text = sdkErrorLine(error);
  return new CredentialError(redact(`${call} failed: ${text}${hintFor(text, target)}`));
}

/** What to do about the failures people actually meet. */
export function hintFor(text: string, target: StsTarget): string {
  // STS's host name is made from the region: a name that does not resolve is
  // far more often a mistyped region than a broken network.
  if (!target.endpoint && /ENOTFOUND/.test(text)) {
    return `; is "${target.region}" a region? (from --region, AWS_REGION or the profile's region); if it is, check the network`;
  }
  if (unreachable(text)) {
    return target.endpoint
      ? `; STS is at ${target.endpoint} (AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL): is it up?`
      : `; check the network (STS in ${target.region})`;
  }
  // An HTML page or anything else that is not STS's XML (a proxy, a captive portal, a wrong endpoint).
  if (notTheService(text)) {
    return `; ${target.endpoint ?? `STS in ${target.region}`} did not answer as STS does: check AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL and any proxy`;
  }
  if (/InvalidClientTokenId|SignatureDoesNotMatch/.test(text)) return '; the access keys are wrong or deactivated: check them with `rolecall list`, or store new ones with `rolecall add`';
  if (/Region not accepted|Invalid region/i.test(text)) return `; "${target.region}" is not a region name: check --region, AWS_REGION or the profile's region`;
  if (/MultiFactorAuthentication|MFA/i.test(text) && /AccessDenied/.test(text)) return '; the MFA code may be wrong or already used: wait for the next one';
  return '';
}
