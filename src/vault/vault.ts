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
  list(service: string): Promise<string[]>;
}

/** Base keys: account = profile name, value = JSON of StaticKeys. */
export const KEYS_SERVICE = 'rolecall';
/** Cached sessions: account = cache key, value = JSON of the session. */
export const SESSIONS_SERVICE = 'rolecall-sessions';
