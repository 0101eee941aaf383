/**
 * The session cache as one more provider wrapper (aws-vault's
 * CachedSessionProvider, in shape): it wraps the provider of one STS step,
 * or of a credential_process source whose credentials expire.
 *
 * Its key (`nameAccount`) is given by the pipeline (pipeline/build-pipeline.ts),
 * which knows from the Plan what each link below is; the lock that makes
 * concurrent commands share one STS call is named after that key.
 */
import { join } from 'node:path';
import type { CredentialProvider, Credentials } from '../config/credentials.js';
import { hashedName } from '../fs/hashed-name.js';
import { debug } from '../log/debug-log.js';
import { expiresIn } from './expires-in.js';
import type { SessionStore } from './session-store.js';
import { singleFlight } from './single-flight.js';
import type { SessionOrigin } from './stored-session.js';

export interface CacheSettings {
  readonly store: SessionStore;
  readonly minTtlMs: number;
  readonly lockTimeoutMs: number;
  /** ROLECALL_LOCK_TIMEOUT was set: it holds even while the holder waits for a sign-in. */
  readonly lockTimeoutChosen?: boolean;
  readonly locksDirectory: string;
  readonly now?: () => number;
}

export class CachedSessionProvider implements CredentialProvider {
  readonly description: string;
  private account: Promise<string> | undefined;

  constructor(
    private readonly origin: SessionOrigin,
    private readonly inner: CredentialProvider,
    private readonly nameAccount: () => Promise<string>,
    private readonly settings: CacheSettings,
  ) {
    this.description = `${inner.description} (cached)`;
  }

  /** The name of this link's session; computed without any STS call. */
  cacheAccount(): Promise<string> {
    this.account ??= this.nameAccount();
    return this.account;
  }

  async retrieve(): Promise<Credentials> {
    const account = await this.cacheAccount();
    const cached = await this.lookUp(account);
    if (cached) return cached;
    debug(`${this.inner.description}: not cached`);
    return singleFlight({
      lockPath: join(this.settings.locksDirectory, `${hashedName([account])}.lock`),
      timeoutMs: this.settings.lockTimeoutMs,
      timeoutChosen: this.settings.lockTimeoutChosen ?? false,
      what: `the session of profile "${this.origin.profile}"`,
      check: () => this.lookUp(account),
      produce: async () => {
        const session = await this.inner.retrieve();
        await this.settings.store.save(account, this.origin, session);
        return session;
      },
    });
  }

  private async lookUp(account: string): Promise<Credentials | undefined> {
    const cached = await this.settings.store.fresh(account, this.settings.minTtlMs);
    if (cached) {
      const now = this.settings.now?.() ?? Date.now();
      debug(`${this.inner.description}: cached, expires in ${expiresIn(cached.expiration.getTime() - now)}`);
    }
    return cached;
  }
}
