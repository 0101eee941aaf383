/** The --backend option the vault commands share, and how they name the vault in messages. */
import { Option } from 'clipanion';
import type { Vault } from '../vault/vault.js';

export function backendOption(): string | undefined {
  return Option.String('--backend', { description: 'keychain or file (default: ROLECALL_BACKEND, else the keychain when it answers)' });
}

/** "the keychain", "the file vault": for "stored … in X". */
export function vaultPlace(vault: Vault): string {
  return vault.backend === 'keychain' ? 'the keychain' : `the ${vault.backend} vault`;
}
