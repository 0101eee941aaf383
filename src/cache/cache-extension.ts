/**
 * Wraps each STS step in the session cache. Nothing is opened here: the vault
 * is opened the first time a step looks in the cache, so a profile without
 * STS steps never touches it.
 */
import type { Env } from '../config/config-paths.js';
import type { ProviderContext } from '../credentials/build-provider.js';
import { openSessionVault } from '../vault/open-vault.js';
import { cachedProcess, cachedStep, type CacheSettings } from './cached-session-provider.js';
import { lockTimeoutSeconds, locksDirectory, minTtlSeconds } from './cache-settings.js';
import { SessionStore, type VaultOpener } from './session-store.js';

export interface CacheOptions {
  /** --backend of the command, when it has one. */
  readonly backend?: string;
  /** Tests give their own vault; rolecall opens the selected backend. */
  readonly open?: VaultOpener;
}

export async function cacheExtension(env: Env, options: CacheOptions = {}): Promise<Required<Pick<ProviderContext, 'wrapStep' | 'wrapSource'>>> {
  const open = options.open ?? (() => openSessionVault(env, options.backend));
  const settings: CacheSettings = {
    store: new SessionStore(open),
    minTtlMs: minTtlSeconds(env) * 1000,
    lockTimeoutMs: lockTimeoutSeconds(env) * 1000,
    locksDirectory: locksDirectory(env),
  };
  return {
    wrapStep: (step, provider, caller, target) => cachedStep(step, provider, caller, target, settings),
    // A credential_process whose output expires is cached like a session.
    wrapSource: (source, provider) => (source.kind === 'process' ? cachedProcess(source, provider, settings) : provider),
  };
}
