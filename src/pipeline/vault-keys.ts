/**
 * Where a profile's base keys are looked up: the vault first, then (in the
 * provider) the keys the Plan found in a plain-text file, with a notice said
 * once. The vault is opened by the first lookup or cache read, whichever
 * comes first, and once per command (CommandContext). A warm exec reads the
 * base key id too, since a cached session is named after it: a local read
 * (no STS call, no MFA code), but for the file vault one scrypt unlock.
 */
import type { SourceStep } from '../config/plan.js';
import type { VaultKeyLookup } from '../credentials/source-providers.js';
import { debug } from '../log/debug-log.js';
import { maskKeyId } from '../log/redact.js';
import { decodeKeys } from '../vault/stored-keys.js';
import { KEYS_SERVICE, vaultPlace } from '../vault/vault.js';
import type { CommandContext } from './command-context.js';
import { noticePlaintextKeys } from './plaintext-notice.js';

export function vaultKeyLookup(context: CommandContext, source: Extract<SourceStep, { kind: 'profileKeys' }>): VaultKeyLookup {
  return async (profile) => {
    const vault = await context.vault();
    const text = await vault.get(KEYS_SERVICE, profile);
    if (text !== undefined) {
      const keys = decodeKeys(text, profile, vault.backend);
      debug(`keys of profile "${profile}" (${maskKeyId(keys.accessKeyId)}) from the ${vault.backend} vault`);
      return keys;
    }
    if (source.fileKeys && source.file) {
      noticePlaintextKeys(context.env, profile, source.file);
      return undefined;
    }
    // About to fail for want of keys: a locked keyring reads as empty, and
    // a keychain that did not answer may hold them; say which.
    await vault.assertUnlocked();
    const where = vaultPlace(vault);
    return { missingFrom: vault.fallbackReason ? `${where} (not using the keychain: ${vault.fallbackReason})` : where };
  };
}
