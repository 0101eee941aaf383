/**
 * The session cache as one more provider wrapper (aws-vault's
 * CachedSessionProvider, in shape): it wraps the provider of one STS step.
 *
 * Its key needs the identity of the credentials the step calls STS with, but
 * a warm hit must not retrieve them (that would be an STS call, or an MFA
 * prompt, for every link below). So the identity of a cached step is its own
 * key, and the chain of keys ends at the source, whose identity is read
 * locally: the base access key id (vault or credentials file) or the
 * environment's key id. Sources that cannot be read without the network or a
 * process (instance metadata, container endpoint, credential_process) are
 * named by what they are instead.
 */
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { SessionStep } from '../config/plan.js';
import type { CredentialProvider, Credentials } from '../credentials/credentials.js';
import { EnvironmentKeysProvider, ProfileKeysProvider } from '../credentials/source-providers.js';
import { debug } from '../log/debug-log.js';
import type { StsTarget } from '../sts/sts-client.js';
import { expiresIn } from './expires-in.js';
import { sessionAccount } from './session-key.js';
import type { SessionStore } from './session-store.js';
import { singleFlight } from './single-flight.js';

export interface CacheSettings {
  readonly store: SessionStore;
  readonly minTtlMs: number;
  readonly lockTimeoutMs: number;
  readonly locksDirectory: string;
  readonly now?: () => number;
}

export class CachedStepProvider implements CredentialProvider {
  readonly description: string;
  private account: Promise<string> | undefined;

  constructor(
    private readonly step: SessionStep,
    private readonly inner: CredentialProvider,
    private readonly caller: CredentialProvider,
    private readonly target: StsTarget,
    private readonly settings: CacheSettings,
  ) {
    this.description = `${inner.description} (cached)`;
  }

  /** The name of this step's session; computed without any STS call. */
  cacheAccount(): Promise<string> {
    this.account ??= callerIdentity(this.caller).then((identity) => sessionAccount(identity, this.step, this.target));
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
      what: `the session of profile "${this.step.profile}"`,
      check: () => this.lookUp(account),
      produce: async () => {
        const session = await this.inner.retrieve();
        await this.settings.store.save(account, this.step, session);
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

async function callerIdentity(caller: CredentialProvider): Promise<string> {
  if (caller instanceof CachedStepProvider) return `session:${await caller.cacheAccount()}`;
  if (caller instanceof ProfileKeysProvider || caller instanceof EnvironmentKeysProvider) {
    // Local reads (the vault, a file, the environment): no network.
    return `keys:${(await caller.retrieve()).accessKeyId}`;
  }
  const command = (caller as { command?: unknown }).command;
  return `source:${caller.description}${typeof command === 'string' ? `:${command}` : ''}`;
}
