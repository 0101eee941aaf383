/**
 * Where secrets live: base access keys (`rolecall add`) and cached sessions.
 * One interface, several backends (OS keychain through keytar, an encrypted
 * file, and memory for unit tests). A backend holds several services
 * (namespaces), each a map from account to a string value (JSON).
 */
export interface Vault {
  /** "keychain", "file" or "memory", for messages. */
  readonly backend: string;
  get(service: string, account: string): Promise<string | undefined>;
  set(service: string, account: string, value: string): Promise<void>;
  /** True when something was removed. */
  remove(service: string, account: string): Promise<boolean>;
  /**
   * Whether the item exists, without the passphrase a file vault's read asks
   * for, and without a search of every item of the service (the keychain's
   * list reads every secret in it, and libsecret kills the process when
   * another one removes an item it found meanwhile).
   */
  has(service: string, account: string): Promise<boolean>;
  list(service: string): Promise<string[]>;
  /**
   * Throws a VaultAccessError when the vault cannot be used as it stands (a
   * locked keyring answers reads with "nothing here"); asked before telling
   * the user a profile has no keys, and before a search.
   */
  assertUnlocked(): Promise<void>;
  /** Why the keychain was not used, when this vault was chosen in its place by default. */
  readonly fallbackReason?: string;
}

/** "the keychain", "the file vault": how messages name a vault ("stored … in X"). */
export function vaultPlace(vault: Vault): string {
  return vault.backend === 'keychain' ? 'the keychain' : `the ${vault.backend} vault`;
}

/** Base keys: account = profile name, value = JSON of StaticKeys. */
export const KEYS_SERVICE = 'rolecall';
/** Cached sessions: account = cache key, value = JSON of the session. */
export const SESSIONS_SERVICE = 'rolecall-sessions';
/** IAM Identity Center tokens: account = the sso-session (or legacy start URL), value = JSON of the token (sso/token-store.ts). */
export const SSO_TOKENS_SERVICE = 'rolecall-sso-tokens';
