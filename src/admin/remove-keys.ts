/**
 * `rolecall remove`: deletes a profile's keys from the vault (after a y/N
 * question, unless forced) and the cached sessions made from them: the
 * profile's own and those of every role built on it.
 */
import type { Env } from '../base/env.js';
import { RolecallError } from '../base/errors.js';
import { EXIT_OK } from '../base/exit-status.js';
import { dropSessions, profilesBuiltOn } from '../cache/session-admin.js';
import { displayPath } from '../config/config-paths.js';
import { plaintextKeysFile } from '../config/key-pair.js';
import { loadConfig } from '../config/load-config.js';
import { openVault } from '../pipeline/open-vault.js';
import { confirm } from '../prompt/confirm.js';
import { KEYS_SERVICE, vaultPlace } from '../vault/vault.js';
import { keysOwnerHint } from './keys-owner-hint.js';
import type { Print } from './report.js';

export interface RemoveRequest {
  readonly profile: string;
  readonly force: boolean;
  readonly backend?: string;
}

export async function removeKeys(env: Env, request: RemoveRequest, print: Print): Promise<number> {
  const { profile } = request;
  const vault = await openVault(env, request.backend ? { backend: request.backend } : {});
  const where = vaultPlace(vault);
  const stored = await vault.has(KEYS_SERVICE, profile);
  if (stored && !request.force && !(await confirm(`delete the keys of profile "${profile}" from ${where}?`, 'pass --force to delete them'))) {
    throw new RolecallError(`kept the keys of profile "${profile}"`);
  }
  const removed = stored && (await vault.remove(KEYS_SERVICE, profile));
  const dropped = await dropSessions(vault, profilesBuiltOn(env, profile));
  const sessions = dropped > 0 ? `; dropped ${dropped} cached session${dropped === 1 ? '' : 's'} made from them` : '';
  const config = loadConfig(env);
  const plaintext = plaintextKeysFile(config, profile);
  const still = plaintext ? ` (${displayPath(plaintext, env)} still has keys for it in plain text)` : '';
  if (!removed) throw new RolecallError(`profile "${profile}" has no keys in ${where}${still}${sessions}${keysOwnerHint(env, config, profile, 'remove')}`);
  print(`deleted the keys of profile "${profile}" from ${where}${sessions}${still}`);
  return EXIT_OK;
}
