/**
 * Wraps each STS step in the session cache. Nothing is opened here: the vault
 * is opened the first time a step looks in the cache, so a profile without
 * STS steps never touches it.
 */
import type { Env } from '../config/config-paths.js';
import type { SourceStep } from '../config/plan.js';
import type { ProviderContext } from '../credentials/build-provider.js';
import type { CredentialProvider } from '../credentials/credentials.js';
import { debug } from '../log/debug-log.js';
import type { StsTarget } from '../sts/sts-client.js';
import { openVault } from '../vault/open-vault.js';
import { cachedProcess, cachedStep, type CacheSettings } from './cached-session-provider.js';
import { lockTimeoutSeconds, locksDirectory, minTtlSeconds } from './cache-settings.js';
import { SessionStore, type VaultOpener } from './session-store.js';

export interface CacheOptions {
  /** --backend of the command, when it has one. */
  readonly backend?: string;
  /** Tests give their own vault; rolecall opens the selected backend. */
  readonly open?: VaultOpener;
}

export type SourceWrapper = (source: SourceStep, provider: CredentialProvider) => CredentialProvider;

export async function cacheExtension(env: Env, options: CacheOptions = {}): Promise<Pick<ProviderContext, 'wrapStep'> & { wrapSource: SourceWrapper }> {
  const open = options.open ?? (() => openVault(env, { quietFallback: true, ...(options.backend ? { backend: options.backend } : {}) }));
  const settings: CacheSettings = {
    store: new SessionStore(open),
    minTtlMs: minTtlSeconds(env) * 1000,
    lockTimeoutMs: lockTimeoutSeconds(env) * 1000,
    locksDirectory: locksDirectory(env),
  };
  return {
    wrapStep: (step, provider, caller) => {
      const target = stsTargetOf(provider);
      if (!target) {
        debug(`${provider.description}: not cached (its STS region is unknown)`);
        return provider;
      }
      return cachedStep(step, provider, caller, target, settings);
    },
    // Ready for a `wrapSource` hook in buildProvider (see the cache report):
    // a credential_process whose output expires is cached like a session.
    wrapSource: (source, provider) => (source.kind === 'process' ? cachedProcess(source, provider, settings) : provider),
  };
}

/**
 * The region and endpoint decide a session too, but wrapStep is not given
 * them: they are read from the step's provider (AssumeRoleProvider and
 * SessionTokenProvider keep them as `target`; a unit test pins this).
 */
export function stsTargetOf(provider: CredentialProvider): StsTarget | undefined {
  const target = (provider as { target?: Partial<StsTarget> }).target;
  if (!target || typeof target.region !== 'string') return undefined;
  return { region: target.region, ...(typeof target.endpoint === 'string' ? { endpoint: target.endpoint } : {}) };
}
