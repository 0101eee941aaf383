/**
 * The only module that touches @aws-sdk/client-sts, and it loads the SDK on
 * first use: the cached path never pays for it.
 */
import type { Credentials } from '../credentials/credentials.js';
import { CredentialError } from '../errors.js';
import { registerSecret, redact } from '../log/redact.js';

export interface StsTarget {
  readonly region: string;
  readonly endpoint?: string;
}

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

type StsModule = typeof import('@aws-sdk/client-sts');
let sdk: Promise<StsModule> | undefined;

function loadSdk(): Promise<StsModule> {
  // The SDK warns on stderr about Node 20 at its first call; rolecall's output
  // must not carry it, and engines in package.json already says what we support.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  sdk ??= import('@aws-sdk/client-sts');
  return sdk;
}

async function client(target: StsTarget, credentials: Credentials) {
  const { STSClient } = await loadSdk();
  return new STSClient({
    region: target.region,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    },
    maxAttempts: 3,
  });
}

export async function assumeRole(target: StsTarget, caller: Credentials, input: AssumeRoleInput): Promise<Credentials> {
  const { AssumeRoleCommand } = await loadSdk();
  const sts = await client(target, caller);
  try {
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: input.roleArn,
        RoleSessionName: input.sessionName,
        DurationSeconds: input.durationSeconds,
        ...(input.externalId ? { ExternalId: input.externalId } : {}),
        ...(input.mfaSerial ? { SerialNumber: input.mfaSerial, TokenCode: input.mfaCode } : {}),
      }),
    );
    return sessionFrom(out.Credentials, `AssumeRole ${input.roleArn}`);
  } catch (error) {
    throw stsError(`AssumeRole ${input.roleArn}`, error);
  } finally {
    sts.destroy();
  }
}

export async function getSessionToken(target: StsTarget, caller: Credentials, input: SessionTokenInput): Promise<Credentials> {
  const { GetSessionTokenCommand } = await loadSdk();
  const sts = await client(target, caller);
  try {
    const out = await sts.send(
      new GetSessionTokenCommand({
        DurationSeconds: input.durationSeconds,
        ...(input.mfaSerial ? { SerialNumber: input.mfaSerial, TokenCode: input.mfaCode } : {}),
      }),
    );
    return sessionFrom(out.Credentials, 'GetSessionToken');
  } catch (error) {
    throw stsError('GetSessionToken', error);
  } finally {
    sts.destroy();
  }
}

export async function getCallerIdentity(target: StsTarget, caller: Credentials): Promise<string> {
  const { GetCallerIdentityCommand } = await loadSdk();
  const sts = await client(target, caller);
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    return out.Arn ?? '';
  } catch (error) {
    throw stsError('GetCallerIdentity', error);
  } finally {
    sts.destroy();
  }
}

function sessionFrom(
  raw: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: Date } | undefined,
  call: string,
): Credentials {
  if (!raw?.AccessKeyId || !raw.SecretAccessKey || !raw.SessionToken) {
    throw new CredentialError(`${call} returned no credentials`);
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

function stsError(call: string, error: unknown): CredentialError {
  const e = error as { name?: string; message?: string; code?: string };
  const name = e.name && e.name !== 'Error' ? `${e.name}: ` : '';
  const firstLine = (e.message ?? String(error)).split('\n')[0];
  return new CredentialError(redact(`${call} failed: ${name}${firstLine}`));
}
