/**
 * `rolecall add`: stores a profile's long-term keys in the vault (typed at
 * the terminal, or from the environment), optionally checked with STS first,
 * and appends `[profile NAME]` to the config file when it has none.
 */
import type { Env } from '../base/env.js';
import { RolecallError } from '../base/errors.js';
import { EXIT_OK } from '../base/exit-status.js';
import { displayPath } from '../config/config-paths.js';
import { plaintextKeysFile } from '../config/key-pair.js';
import { loadConfig } from '../config/load-config.js';
import type { StaticKeys } from '../config/plan.js';
import { checkProfileName, ensureProfileSection } from '../config/profile-section.js';
import { note } from '../log/debug-log.js';
import { maskKeyId, registerSecret } from '../log/redact.js';
import { openVault } from '../pipeline/open-vault.js';
import { confirm } from '../prompt/confirm.js';
import { stsEndpoint } from '../sts/sts-endpoint.js';
import { checkKeyShape, encodeKeys } from '../vault/stored-keys.js';
import { KEYS_SERVICE, vaultPlace } from '../vault/vault.js';
import { askKeys } from './ask-keys.js';
import type { Print } from './report.js';

export interface AddRequest {
  readonly profile: string;
  readonly fromEnv: boolean;
  readonly verify: boolean;
  readonly force: boolean;
  readonly backend?: string;
}

export async function addKeys(env: Env, request: AddRequest, print: Print): Promise<number> {
  const { profile } = request;
  checkProfileName(profile);
  loadConfig(env); // a broken config file is reported before anything is asked or stored
  const keys = request.fromEnv ? keysFromEnvironment(env) : await askKeys(profile);
  checkKeyShape(keys, request.fromEnv ? 'the environment' : 'what was typed');
  const vault = await openVault(env, request.backend ? { backend: request.backend } : {});
  const where = vaultPlace(vault);
  if (!request.force && (await vault.has(KEYS_SERVICE, profile))) {
    if (!(await confirm(`profile "${profile}" already has keys in ${where}; replace them?`, 'pass --force to replace them'))) {
      throw new RolecallError(`kept the keys already stored for profile "${profile}"`);
    }
  }
  if (request.verify) {
    const { getCallerIdentity } = await import('../sts/sts-client.js');
    const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || loadConfig(env).profiles.get(profile)?.values.region || 'us-east-1';
    const endpoint = stsEndpoint(env);
    print(await getCallerIdentity({ region, ...(endpoint ? { endpoint } : {}) }, keys));
  }
  await vault.set(KEYS_SERVICE, profile, encodeKeys(keys));
  print(`stored the keys of profile "${profile}" (${maskKeyId(keys.accessKeyId)}) in ${where}`);
  const appended = await ensureProfileSection(env, profile);
  if (appended) print(`added [${profile === 'default' ? 'default' : `profile ${profile}`}] to ${displayPath(appended, env)}`);
  const plaintext = plaintextKeysFile(loadConfig(env), profile);
  if (plaintext) note(`${displayPath(plaintext, env)} still has keys for "${profile}" in plain text; exec uses the vault's first, so delete them from that file`);
  return EXIT_OK;
}

function keysFromEnvironment(env: Env): StaticKeys {
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
  if (!accessKeyId || !secretAccessKey) {
    throw new RolecallError('--env needs both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment');
  }
  registerSecret(secretAccessKey);
  // A session token is not taken: the vault holds long-term keys, and the
  // shape check refuses a temporary (ASIA…) key without one.
  return { accessKeyId, secretAccessKey };
}
