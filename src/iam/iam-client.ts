/**
 * The only module that touches @aws-sdk/client-iam, loaded at the first call:
 * only `rotate` uses IAM. One attempt per call, no SDK retries: a
 * CreateAccessKey retried after a lost answer would make a second key whose
 * secret nobody ever sees.
 */
import { CredentialError } from '../base/errors.js';
import type { Credentials } from '../config/credentials.js';
import type { StaticKeys } from '../config/plan.js';
import { registerSecret, redact } from '../log/redact.js';
import { sdkClientOptions, sdkErrorLine, unreachable, withinDeadline, type ServiceTarget } from '../config/sdk-client-options.js';

/** IAM is global: `region` is the one it is signed for (config/partition.ts iamRegion); `endpoint` from AWS_ENDPOINT_URL_IAM or AWS_ENDPOINT_URL. */
export type IamTarget = ServiceTarget;

type IamModule = typeof import('@aws-sdk/client-iam');
let sdk: Promise<IamModule> | undefined;

function loadSdk(): Promise<IamModule> {
  sdk ??= import('@aws-sdk/client-iam');
  return sdk;
}

async function client(target: IamTarget, caller: Credentials) {
  const { IAMClient } = await loadSdk();
  return new IAMClient(sdkClientOptions(target, caller, 1));
}

/** A new long-term key pair for `userName`. */
export async function createAccessKey(target: IamTarget, caller: Credentials, userName: string): Promise<StaticKeys> {
  const { CreateAccessKeyCommand } = await loadSdk();
  const iam = await client(target, caller);
  try {
    const out = await withinDeadline((abortSignal) => iam.send(new CreateAccessKeyCommand({ UserName: userName }), { abortSignal }));
    const key = out.AccessKey;
    if (!key?.AccessKeyId || !key.SecretAccessKey) throw new CredentialError('CreateAccessKey returned no key');
    registerSecret(key.SecretAccessKey);
    return { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
  } catch (error) {
    throw iamError(`CreateAccessKey for ${userName}`, error, target);
  } finally {
    iam.destroy();
  }
}

export async function deleteAccessKey(target: IamTarget, caller: Credentials, userName: string, accessKeyId: string): Promise<void> {
  const { DeleteAccessKeyCommand } = await loadSdk();
  const iam = await client(target, caller);
  try {
    await withinDeadline((abortSignal) => iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId }), { abortSignal }));
  } catch (error) {
    throw iamError(`DeleteAccessKey ${accessKeyId}`, error, target);
  } finally {
    iam.destroy();
  }
}

function iamError(call: string, error: unknown, target: IamTarget): CredentialError {
  if (error instanceof CredentialError) return error;
  const text = sdkErrorLine(error);
  return new CredentialError(redact(`${call} failed: ${text}${hintFor(text, target)}`));
}

function hintFor(text: string, target: IamTarget): string {
  if (/LimitExceeded/.test(text)) return '; the user already has two access keys: delete the one not in use (aws iam delete-access-key) and run rotate again';
  if (unreachable(text)) {
    return target.endpoint ? `; IAM is at ${target.endpoint} (AWS_ENDPOINT_URL_IAM or AWS_ENDPOINT_URL): is it up?` : '; check the network';
  }
  if (/AccessDenied/.test(text)) return "; the user's policy must allow it on its own keys (with MFA when the policy asks for it: set mfa_serial in the profile)";
  return '';
}
