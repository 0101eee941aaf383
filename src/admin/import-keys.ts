/**
 * `rolecall import`: copies the key pairs of the config and credentials files
 * into the vault, from the file botocore would take each pair from
 * (config/key-pair.ts), and with --remove-plaintext deletes those lines from
 * the file once the vault has given the same keys back.
 */
import type { Env } from '../base/env.js';
import { RolecallError } from '../base/errors.js';
import { EXIT_FAILED, EXIT_OK } from '../base/exit-status.js';
import { displayPath } from '../config/config-paths.js';
import { keyPairOf } from '../config/key-pair.js';
import { loadConfig } from '../config/load-config.js';
import type { StaticKeys } from '../config/plan.js';
import { removePlaintextKeys } from '../config/plaintext-removal.js';
import type { FileKind } from '../config/profiles.js';
import { whileLocked } from '../config/while-locked.js';
import { note } from '../log/debug-log.js';
import { maskKeyId, registerSecret } from '../log/redact.js';
import { openVault } from '../pipeline/open-vault.js';
import { checkKeyShape, decodeKeys, encodeKeys } from '../vault/stored-keys.js';
import { KEYS_SERVICE, vaultPlace } from '../vault/vault.js';
import type { Print } from './report.js';

export interface ImportRequest {
  /** None: every profile that has keys in a file. */
  readonly profiles: readonly string[];
  readonly removePlaintext: boolean;
  readonly force: boolean;
  readonly backend?: string;
}

export async function importKeys(env: Env, request: ImportRequest, print: Print): Promise<number> {
  const config = loadConfig(env);
  const found = new Map<string, { readonly keys: StaticKeys; readonly file: FileKind }>();
  for (const [name, profile] of config.profiles) {
    const pair = keyPairOf(profile);
    if (!pair) continue;
    registerSecret(pair.keys.secretAccessKey);
    registerSecret(pair.keys.sessionToken);
    found.set(name, pair);
  }
  const wanted = request.profiles.length > 0 ? [...new Set(request.profiles)] : [...found.keys()].sort();
  if (wanted.length === 0) {
    print(`no profile has keys in ${displayPath(config.paths.credentials, env)}: nothing to import`);
    return EXIT_OK;
  }
  for (const name of wanted) {
    if (!found.has(name)) {
      const why = config.profiles.has(name) ? 'has no keys in the credentials or config file' : 'is not in the config or credentials file';
      throw new RolecallError(`profile "${name}" ${why}; nothing was imported`);
    }
  }
  const vault = await openVault(env, request.backend ? { backend: request.backend } : {});
  const where = vaultPlace(vault);
  const imported = new Map<FileKind, Set<string>>();
  let failed = 0;
  for (const name of wanted) {
    const { keys, file } = found.get(name) as { keys: StaticKeys; file: FileKind };
    const shown = displayPath(config.paths[file], env);
    try {
      checkKeyShape(keys, `${shown}, profile "${name}"`);
      const existing = await vault.get(KEYS_SERVICE, name);
      if (existing !== undefined && !request.force && !holdsKeys(existing, keys, name, vault.backend)) {
        throw new RolecallError(`profile "${name}": ${where} already holds other keys for it; skipped (--force replaces them)`);
      }
      await vault.set(KEYS_SERVICE, name, encodeKeys(keys));
      // Read back before anything is deleted from the file.
      const back = await vault.get(KEYS_SERVICE, name);
      if (back === undefined || !holdsKeys(back, keys, name, vault.backend)) {
        throw new RolecallError(`profile "${name}": ${where} did not give the keys back as stored; the file was left as it is`);
      }
      print(`imported the keys of profile "${name}" (${maskKeyId(keys.accessKeyId)}) from ${shown} into ${where}`);
      imported.set(file, (imported.get(file) ?? new Set()).add(name));
    } catch (error) {
      if (!(error instanceof RolecallError)) throw error;
      note(error.message);
      failed++;
    }
  }
  if (request.removePlaintext) {
    for (const [file, names] of imported) {
      const path = config.paths[file];
      // Under the same lock as `add`'s append to the config file.
      const removal = await whileLocked(env, path, () => removePlaintextKeys(path, file, names));
      if (removal.backup) {
        print(
          `deleted ${removal.removed} key line${removal.removed === 1 ? '' : 's'} from ${displayPath(path, env)}; the file as it was is in ${displayPath(removal.backup, env)} (0600): delete it once you have checked`,
        );
      }
    }
  } else if (imported.size > 0) {
    print('the keys are still in the file too; `rolecall import --remove-plaintext` deletes them there');
  }
  return failed > 0 ? EXIT_FAILED : EXIT_OK;
}

/** Whether a stored value is these very keys (a value that is not keys at all is not). */
function holdsKeys(stored: string, keys: StaticKeys, name: string, backend: string): boolean {
  try {
    return encodeKeys(decodeKeys(stored, name, backend)) === encodeKeys(keys);
  } catch {
    return false;
  }
}
