/**
 * `rolecall rotate`: replaces a profile's long-term access key, stored in
 * the vault, with a new one: CreateAccessKey with the current key (through
 * the MFA session when the profile has mfa_serial, since policies that
 * protect IAM with MFA need it), the new pair stored, checked with STS
 * (retried while IAM spreads the new key, bounded), then the old key
 * deleted and the sessions made from it dropped.
 *
 * At every step one pair is stored and works: the new one from the moment it
 * is checked, the old one until then. A failure says which key exists where
 * (key ids are not secrets; they are what `aws iam` needs to clean up).
 */
import type { Env } from '../base/env.js';
import { CredentialError, RolecallError, errorLine } from '../base/errors.js';
import { EXIT_OK } from '../base/exit-status.js';
import { dropSessions, profilesBuiltOn } from '../cache/session-admin.js';
import { displayPath } from '../config/config-paths.js';
import type { Credentials } from '../config/credentials.js';
import { plaintextKeysFile } from '../config/key-pair.js';
import { loadConfig } from '../config/load-config.js';
import { partitionOf } from '../config/partition.js';
import type { StaticKeys } from '../config/plan.js';
import { checkProfileName } from '../config/profile-section.js';
import { answerMayBeLost } from '../config/sdk-client-options.js';
import { serviceEndpoint } from '../config/service-endpoint.js';
import { debug } from '../log/debug-log.js';
import { maskKeyId } from '../log/redact.js';
import type { IamTarget } from '../iam/iam-client.js';
import { commandContext } from '../pipeline/command-context.js';
import { namedProfile } from '../pipeline/named-profile.js';
import { openVault } from '../pipeline/open-vault.js';
import { planFor, sessionOfPlan } from '../pipeline/profile-session.js';
import type { StsTarget } from '../sts/sts-client.js';
import { stsEndpoint } from '../sts/sts-endpoint.js';
import { decodeKeys, encodeKeys } from '../vault/stored-keys.js';
import { KEYS_SERVICE, vaultPlace, type Vault } from '../vault/vault.js';
import { keysOwnerHint } from './keys-owner-hint.js';
import type { Print } from './report.js';

export interface RotateRequest {
  readonly profile: string;
  readonly backend?: string;
  readonly mfaToken?: string;
}

/** How long a new key may take to be accepted by STS: IAM is eventually consistent, usually within seconds. */
const CHECK_TRIES = 12;
const CHECK_PAUSE_MS = 2_500;

export async function rotateKeys(processEnv: Env, request: RotateRequest, print: Print): Promise<number> {
  const { profile, env } = namedProfile(processEnv, request.profile);
  checkProfileName(profile);
  const vault = await openVault(env, { createsFileVault: false, ...(request.backend ? { backend: request.backend } : {}) });
  const where = vaultPlace(vault);
  const old = await storedKeys(env, vault, profile);
  const context = commandContext(env, { processEnv, openVault: () => Promise.resolve(vault), ...(request.mfaToken ? { mfaToken: request.mfaToken } : {}) });
  const plan = planFor({ profile }, env);
  const sts: StsTarget = { region: plan.stsRegion, ...endpointOf(stsEndpoint(env)) };
  const iam: IamTarget = { region: partitionOf(plan.region ?? plan.stsRegion).iamRegion, ...endpointOf(serviceEndpoint(env, 'IAM')) };
  const { createAccessKey, deleteAccessKey } = await import('../iam/iam-client.js');
  const { getCallerIdentity } = await import('../sts/sts-client.js');

  const arn = await getCallerIdentity(sts, old);
  const userName = userNameOf(arn, profile);
  // An MFA session of the old key when the profile names a device: it is cached as exec's would be.
  const caller: Credentials = plan.steps.some((step) => step.mfa) ? (await sessionOfPlan(plan, context)).credentials : old;
  debug(`rotating the key ${maskKeyId(old.accessKeyId)} of IAM user ${userName}${caller === old ? '' : ' with the MFA session'}`);

  const fresh = await createAccessKey(iam, caller, userName).catch((error: unknown) => {
    const line = errorLine(error);
    // An answer that never came may still have made the key: IAM only says so when asked.
    const lost = answerMayBeLost(line);
    throw new RolecallError(
      `${line}; ${lost ? `IAM may have made a new key all the same, which nothing stored (see \`aws iam list-access-keys --user-name ${userName}\`; delete it before the next rotate)` : 'nothing changed'}: ${old.accessKeyId} is still stored in ${where} and in use`,
    );
  });
  try {
    await vault.set(KEYS_SERVICE, profile, encodeKeys(fresh));
  } catch (error) {
    const undone = await deleteQuietly(() => deleteAccessKey(iam, caller, userName, fresh.accessKeyId));
    throw new RolecallError(
      `could not store the new key ${fresh.accessKeyId} in ${where} (${errorLine(error)}); ${undone ? 'deleted it again' : `it exists in IAM but is stored nowhere: delete it with \`aws iam delete-access-key --user-name ${userName} --access-key-id ${fresh.accessKeyId}\``}; ${old.accessKeyId} is still stored and in use`,
    );
  }
  print(`created the key ${fresh.accessKeyId} for IAM user ${userName} and stored it in ${where}`);

  try {
    await checkNewKey(sts, fresh, arn);
  } catch (error) {
    // The old pair works: it goes back, and the unchecked one away if IAM lets us.
    await vault.set(KEYS_SERVICE, profile, encodeKeys(old));
    const undone = await deleteQuietly(() => deleteAccessKey(iam, caller, userName, fresh.accessKeyId));
    throw new RolecallError(
      `the new key ${fresh.accessKeyId} did not work (${errorLine(error)}); ${old.accessKeyId} is stored again in ${where} and in use; ${undone ? `${fresh.accessKeyId} was deleted` : `${fresh.accessKeyId} still exists in IAM, stored nowhere: delete it with \`aws iam delete-access-key --user-name ${userName} --access-key-id ${fresh.accessKeyId}\``}`,
    );
  }

  try {
    await deleteAccessKey(iam, caller, userName, old.accessKeyId);
  } catch (error) {
    throw new RolecallError(
      `${errorLine(error)}; the new key ${fresh.accessKeyId} is stored in ${where} and works, but the old key ${old.accessKeyId} still exists in IAM: delete it with \`aws iam delete-access-key --user-name ${userName} --access-key-id ${old.accessKeyId}\``,
    );
  }
  const dropped = await dropSessions(vault, profilesBuiltOn(env, profile));
  print(`deleted the old key ${old.accessKeyId}${dropped > 0 ? `; dropped ${dropped} cached session${dropped === 1 ? '' : 's'} made from it` : ''}`);
  return EXIT_OK;
}

/** The keys rotate may replace: the vault's only; keys in a file are the user's to move first. */
async function storedKeys(env: Env, vault: Vault, profile: string): Promise<StaticKeys> {
  await vault.assertUnlocked();
  const text = await vault.get(KEYS_SERVICE, profile);
  if (text !== undefined) {
    const keys = decodeKeys(text, profile, vault.backend);
    if (keys.sessionToken) throw new RolecallError(`profile "${profile}" holds a temporary key in ${vaultPlace(vault)}; only long-term keys (AKIA…) can be rotated`);
    return keys;
  }
  const config = loadConfig(env);
  const plaintext = plaintextKeysFile(config, profile);
  if (plaintext) {
    throw new RolecallError(
      `the keys of profile "${profile}" are in ${displayPath(plaintext, env)}, not in rolecall's vault: move them with \`rolecall import ${profile} --remove-plaintext\`, then run \`rolecall rotate ${profile}\` (rotate never rewrites that file)`,
    );
  }
  throw new RolecallError(`profile "${profile}" has no keys in ${vaultPlace(vault)}${keysOwnerHint(env, config, profile, 'rotate') || `; store them with \`rolecall add ${profile}\``}`);
}

function userNameOf(arn: string, profile: string): string {
  const user = /^arn:[\w-]+:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
  if (!user) throw new RolecallError(`the keys of profile "${profile}" belong to ${arn || 'an unknown caller'}, not an IAM user: only an IAM user's keys can be rotated`);
  return user;
}

/** GetCallerIdentity with the new key until STS knows it (InvalidClientTokenId meanwhile), and it is the same user. */
async function checkNewKey(sts: StsTarget, fresh: StaticKeys, arn: string): Promise<void> {
  const { getCallerIdentity } = await import('../sts/sts-client.js');
  for (let attempt = 1; ; attempt++) {
    try {
      const seen = await getCallerIdentity(sts, fresh);
      if (seen !== arn) throw new CredentialError(`it belongs to ${seen}, not ${arn}`);
      debug(`the new key ${maskKeyId(fresh.accessKeyId)} works (try ${attempt})`);
      return;
    } catch (error) {
      if (attempt >= CHECK_TRIES || !/InvalidClientTokenId/.test(errorLine(error))) throw error;
      debug(`STS does not know the new key yet (try ${attempt} of ${CHECK_TRIES})`);
      await new Promise((resolve) => setTimeout(resolve, CHECK_PAUSE_MS));
    }
  }
}

async function deleteQuietly(remove: () => Promise<void>): Promise<boolean> {
  try {
    await remove();
    return true;
  } catch (error) {
    debug(`could not delete the unused key: ${errorLine(error)}`);
    return false;
  }
}

function endpointOf(endpoint: string | undefined): { endpoint?: string } {
  return endpoint ? { endpoint } : {};
}
