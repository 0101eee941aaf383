/**
 * Wraps each STS step in the session cache. Nothing is opened here: the vault
 * is opened the first time a step looks in the cache, so a profile without
 * STS steps never touches it.
 */
import type { Env } from '../base/env.js';
import type { ProviderContext } from './build-provider.js';
import { openSessionVault } from './open-vault.js';
import { cachedProcess, cachedStep, type CacheSettings } from '../cache/cached-session-provider.js';
import { lockTimeoutSeconds, minTtlSeconds } from '../cache/cache-settings.js';
import { locksDirectory } from '../fs/rolecall-dirs.js';
import { SessionStore, type VaultOpener } from '../cache/session-store.js';

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
