/**
 * Where exec looks up a profile's base keys: the vault first, then (in the
 * provider) the plain-text files. The vault is opened on the first lookup,
 * not before: a cached exec never reaches the source keys, so it never loads
 * keytar or asks for the file vault's passphrase.
 */
import type { Env } from '../base/env.js';
import type { ProviderContext } from './build-provider.js';
import { maskKeyId } from '../config/credentials.js';
import { debug } from '../log/debug-log.js';
import { openSessionVault } from './open-vault.js';
import type { Vault } from '../vault/vault.js';
import { KEYS_SERVICE } from '../vault/vault.js';

export interface VaultExtensionOptions {
  /** --backend of the command, when it has one. */
  readonly backend?: string;
  /** Tests give their own vault; rolecall opens the selected backend. */
  readonly open?: () => Promise<Vault>;
}

export async function vaultExtension(env: Env, options: VaultExtensionOptions = {}): Promise<Pick<ProviderContext, 'lookupVault'>> {
  let vault: Promise<Vault> | undefined;
  const open = options.open ?? (() => openSessionVault(env, options.backend));
  return {
    lookupVault: async (profile) => {
      vault ??= open();
      const opened = await vault;
      const text = await opened.get(KEYS_SERVICE, profile);
      if (text !== undefined) {
        const { decodeKeys } = await import('../vault/stored-keys.js');
        const keys = decodeKeys(text, profile, opened.backend);
        debug(`keys of profile "${profile}" (${maskKeyId(keys.accessKeyId)}) from the ${opened.backend} vault`);
        return keys;
      }
      const { plaintextKeysFile, noticePlaintextKeys } = await import('./plaintext-notice.js');
      const file = plaintextKeysFile(env, profile);
      if (file) {
        noticePlaintextKeys(env, profile, file);
      } else {
        // About to fail for want of keys: a locked keyring reads as empty, and
        // a keychain that did not answer may hold them; say which.
        await (opened as { assertUnlocked?: () => Promise<void> }).assertUnlocked?.();
        const fallback = (opened as { fallbackReason?: string }).fallbackReason;
        const vaultName = opened.backend === 'keychain' ? 'the keychain' : `the ${opened.backend} vault`;
        return { missingFrom: fallback ? `${vaultName} (not using the keychain: ${fallback})` : vaultName };
      }
      return undefined;
    },
  };
}
