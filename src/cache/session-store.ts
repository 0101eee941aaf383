/**
 * Cached sessions in a Vault backend (service "rolecall-sessions"). The
 * cache is a convenience: an entry that cannot be read or decrypted is a
 * miss, and a failure to write is one warning line, never a failed command,
 * except a wrong passphrase, a locked keyring or a Ctrl-C (mustStop): those
 * stop the command and leave every entry where it was.
 */
import type { Credentials } from '../config/credentials.js';
import { debug, note } from '../log/debug-log.js';
import { registerSecret } from '../log/redact.js';
import { firstTimeSaying } from '../log/said-once.js';
import type { Env } from '../base/env.js';
import { FileVaultNotCreated } from '../vault/file-vault.js';
import { SESSIONS_SERVICE, type Vault } from '../vault/vault.js';
import { errorLine, mustStop } from '../base/errors.js';
import { UnsafeFileError } from '../fs/private-files.js';
import { credentialsOf, decodeSession, encodeSession, type SessionOrigin } from './stored-session.js';

export type VaultOpener = () => Promise<Vault>;

export type FreshSession = Credentials & { readonly expiration: Date };

export class SessionStore {
  private opened: Promise<Vault | Error> | undefined;
  private warned = false;

  constructor(
    private readonly openVault: VaultOpener,
    private readonly now: () => number = Date.now,
    /** Where notices said once are remembered; without it, they are said every time. */
    private readonly env?: Env,
  ) {}

  /** The session stored under `account` when at least `minTtlMs` of it remains; else undefined. */
  async fresh(account: string, minTtlMs: number): Promise<FreshSession | undefined> {
    const vault = await this.vault();
    if (vault instanceof Error) {
      if (mustStop(vault)) throw vault;
      return undefined;
    }
    let text: string | undefined;
    try {
      text = await vault.get(SESSIONS_SERVICE, account);
    } catch (error) {
      // A wrong passphrase or a Ctrl-C is not damage: stop, and keep the entry.
      if (mustStop(error)) throw error;
      // Not damage either: a link or a loose file is left as found (the
      // vault writes nothing over it) and said, and the session is a miss.
      if (error instanceof UnsafeFileError) return this.refused(error);
      return this.discard(vault, account, `cannot be read (${errorLine(error)})`);
    }
    if (text === undefined) return undefined;
    const stored = decodeSession(text);
    if (!stored) return this.discard(vault, account, 'is not a session rolecall wrote');
    registerSecret(stored.secretAccessKey);
    registerSecret(stored.sessionToken);
    const session = credentialsOf(stored);
    const left = session.expiration.getTime() - this.now();
    if (left <= 0) {
      // Purged when seen, so the vault does not fill with dead sessions.
      await vault.remove(SESSIONS_SERVICE, account).catch(() => false);
      debug(`cached session ${account} has expired: removed`);
      return undefined;
    }
    if (left < minTtlMs) {
      debug(`cached session ${account} has ${Math.floor(left / 1000)}s left, less than ROLECALL_MIN_TTL (${minTtlMs / 1000}s): refreshing`);
      return undefined;
    }
    return session;
  }

  /** Stores a session; a failure is one warning line. Sessions without an expiry are not cached. */
  async save(account: string, origin: SessionOrigin, credentials: Credentials): Promise<void> {
    if (!credentials.expiration) return;
    const vault = await this.vault();
    if (vault instanceof Error) {
      if (mustStop(vault)) throw vault;
      return this.warn(origin, vault);
    }
    try {
      await vault.set(SESSIONS_SERVICE, account, encodeSession(origin, { ...credentials, expiration: credentials.expiration }));
      debug(`session of profile "${origin.profile}" cached in the ${vault.backend} vault until ${credentials.expiration.toISOString()}`);
    } catch (error) {
      if (mustStop(error)) throw error;
      if (error instanceof FileVaultNotCreated) return this.notCreated(error);
      this.warn(origin, error);
    }
  }

  /**
   * A damaged entry is only a lost session: it goes, so that the fresh one
   * can take its place (a vault may refuse to overwrite what it cannot read).
   */
  private async discard(vault: Vault, account: string, why: string): Promise<undefined> {
    debug(`cached session ${account} ${why}: a miss, removed`);
    await vault.remove(SESSIONS_SERVICE, account).catch(() => false);
    return undefined;
  }

  /** Said once per command: the save that follows meets the same file and says nothing more. */
  private refused(error: UnsafeFileError): undefined {
    if (!this.warned) note(`warning: a cached session is not used: ${errorLine(error)}`);
    this.warned = true;
    return undefined;
  }

  private vault(): Promise<Vault | Error> {
    this.opened ??= this.openVault().catch((error: unknown) => {
      debug(`the session cache cannot open the vault (${errorLine(error)}): every session is a miss`);
      return error instanceof Error ? error : new Error(String(error));
    });
    return this.opened;
  }

  /** No file vault to cache in, and this command may not create one: said once per user, since the next exec would only repeat it. */
  private notCreated(error: FileVaultNotCreated): void {
    if (!this.env || firstTimeSaying(this.env, 'file-vault-missing-noticed', 'not-caching')) note(`${error.message}${this.env ? ' (said once)' : ''}`);
    else debug(error.message);
  }

  private warn(origin: SessionOrigin, error: unknown): void {
    if (this.warned) return;
    this.warned = true;
    note(`warning: the session of profile "${origin.profile}" was not cached: ${errorLine(error)}`);
  }
}
