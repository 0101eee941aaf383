/**
 * The session cache as one more provider wrapper (aws-vault's
 * CachedSessionProvider, in shape): it wraps the provider of one STS step,
 * or of a credential_process source whose credentials expire.
 *
 * Its key needs the identity of the credentials the step calls STS with, but
 * a warm hit must not retrieve them (that would be an STS call, or an MFA
 * prompt, for every link below). So the identity of a cached link is its own
 * key, and the chain of keys ends at the source, whose identity is read
 * locally: the base access key id (vault or credentials file) or the
 * environment's key id. Sources that cannot be read without the network or a
 * process (instance metadata, container endpoint, credential_process) are
 * named by what they are instead.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { SessionStep, SourceStep } from '../config/plan.js';
import type { CredentialProvider, Credentials } from '../config/credentials.js';
import { EnvironmentKeysProvider, ProfileKeysProvider } from '../credentials/source-providers.js';
import { debug } from '../log/debug-log.js';
import type { StsTarget } from '../sts/sts-client.js';
import { expiresIn } from './expires-in.js';
import { processAccount, sessionAccount } from './session-key.js';
import type { SessionStore } from './session-store.js';
import { singleFlight } from './single-flight.js';
import { originOfProcess, originOfStep, type SessionOrigin } from './stored-session.js';

export interface CacheSettings {
  readonly store: SessionStore;
  readonly minTtlMs: number;
  readonly lockTimeoutMs: number;
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
      lockPath: join(this.settings.locksDirectory, `${createHash('sha256').update(account).digest('hex').slice(0, 32)}.lock`),
      timeoutMs: this.settings.lockTimeoutMs,
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

/** An STS step; `caller` is the provider of the credentials it calls STS with. */
export function cachedStep(step: SessionStep, inner: CredentialProvider, caller: CredentialProvider, target: StsTarget, settings: CacheSettings): CachedSessionProvider {
  return new CachedSessionProvider(originOfStep(step, target), inner, async () => sessionAccount(await callerIdentity(caller), step, target), settings);
}

/** A credential_process source: cached when what it prints has an Expiration. */
export function cachedProcess(source: Extract<SourceStep, { kind: 'process' }>, inner: CredentialProvider, settings: CacheSettings): CachedSessionProvider {
  return new CachedSessionProvider(originOfProcess(source), inner, async () => processAccount(source.profile, source.command), settings);
}

async function callerIdentity(caller: CredentialProvider): Promise<string> {
  if (caller instanceof CachedSessionProvider) return `session:${await caller.cacheAccount()}`;
  if (caller instanceof ProfileKeysProvider || caller instanceof EnvironmentKeysProvider) {
    // Local reads (the vault, a file, the environment): no network.
    return `keys:${(await caller.retrieve()).accessKeyId}`;
  }
  const command = (caller as { command?: unknown }).command;
  return `source:${caller.description}${typeof command === 'string' ? `:${command}` : ''}`;
}
