/**
 * The name of a cached session: a hash of everything that decides what STS
 * would return for the step. The caller is named by the identity of the
 * credentials below the step (the source's access key id, or the key of the
 * cached session below), so editing any link of the chain or rotating the
 * base keys never serves a session made for something else.
 *
 * The account the entry is stored under is "PROFILE@HASH": the profile lets
 * `clear PROFILE` find a profile's sessions without decrypting anything, and
 * it is no secret (the keychain already names base keys by profile).
 */
import { sha256Hex } from '../base/sha256.js';
import type { SessionStep, SourceStep } from '../config/plan.js';
import type { ServiceTarget } from '../config/sdk-client-options.js';
import type { StsTarget } from '../sts/sts-client.js';

const KEY_VERSION = 'rolecall-session-v1';

/** An account before its hash: the profile, and the text whose SHA-256 names the session. */
interface AccountPreimage {
  readonly profile: string;
  readonly text: string;
}

function accountName(preimage: AccountPreimage): string {
  return `${preimage.profile}@${sha256Hex(preimage.text).slice(0, 40)}`;
}

export function sessionAccount(callerIdentity: string, step: SessionStep, target: StsTarget): string {
  return accountName(sessionPreimage(callerIdentity, step, target));
}

function sessionPreimage(callerIdentity: string, step: SessionStep, target: StsTarget): AccountPreimage {
  const decides = [
    KEY_VERSION,
    callerIdentity,
    step.kind,
    step.profile,
    step.kind === 'assumeRole' ? step.roleArn : '',
    step.kind === 'assumeRole' ? step.sessionName : '',
    step.kind === 'assumeRole' ? (step.externalId ?? '') : '',
    step.mfa?.serial ?? '',
    String(step.durationSeconds),
    step.kind === 'sessionToken' ? partitionOf(target.region) : target.region,
    target.endpoint ?? '',
  ];
  return { profile: step.profile, text: JSON.stringify(decides) };
}

/**
 * An MFA session is not tied to the region it was asked in: tokens from a
 * regional STS endpoint work in every region of the partition. Keying it by
 * region made roles of one source and serial in two regions ask for two
 * codes; only the partition (another STS altogether) tells them apart.
 */
function partitionOf(region: string): string {
  const prefixes: ReadonlyArray<readonly [string, string]> = [
    ['cn-', 'aws-cn'],
    ['us-gov-', 'aws-us-gov'],
    ['us-isob-', 'aws-iso-b'],
    ['us-isof-', 'aws-iso-f'],
    ['us-iso-', 'aws-iso'],
    ['eu-isoe-', 'aws-iso-e'],
  ];
  return prefixes.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'aws';
}

/**
 * What a credential_process prints is decided by its command (and whoever
 * it runs as): the key of a cached process session, and the identity of
 * the steps above it, without running it.
 */
export function processAccount(profile: string, command: string): string {
  return accountName(processPreimage(profile, command));
}

function processPreimage(profile: string, command: string): AccountPreimage {
  return { profile, text: JSON.stringify([KEY_VERSION, 'process', profile, command]) };
}

/**
 * Role credentials from IAM Identity Center are decided by the instance
 * (start URL, sso_region, the portal's endpoint), the account and the role:
 * botocore's cache key, with the instance named in full so an edited
 * sso-session section never serves the old instance's session. The token
 * is no part of it: a new sign-in gives the same role.
 */
export function ssoRoleAccount(source: Extract<SourceStep, { kind: 'ssoRole' }>, portal: ServiceTarget): string {
  return accountName(ssoRolePreimage(source, portal));
}

function ssoRolePreimage(source: Extract<SourceStep, { kind: 'ssoRole' }>, portal: ServiceTarget): AccountPreimage {
  const { session, accountId, roleName } = source;
  return { profile: source.profile, text: JSON.stringify([KEY_VERSION, 'ssoRole', session.name ?? '', session.startUrl, portal.region, portal.endpoint ?? '', accountId, roleName]) };
}

/** The profile an account was stored for; undefined for names rolecall did not write. */
export function profileOfAccount(account: string): string | undefined {
  const at = account.lastIndexOf('@');
  if (at <= 0 || !/^[0-9a-f]{40}$/.test(account.slice(at + 1))) return undefined;
  return account.slice(0, at);
}
