/**
 * What `rolecall list` shows for each profile: what it is, where the keys
 * at the bottom of its chain live, and its cached sessions. Built from
 * names only (profiles, vault accounts, session summaries): never a secret.
 */
import { listSessions, type SessionSummary } from '../cache/session-admin.js';
import type { Env } from '../base/env.js';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import { openVault } from '../pipeline/open-vault.js';
import { KEYS_SERVICE } from '../vault/vault.js';
import { keyPairOf } from '../config/key-pair.js';
import { planIfResolves } from '../config/resolve-profile.js';

export type KeysPlace = 'keychain' | 'file vault' | 'memory vault' | 'credentials file' | 'config file' | 'none';

/** A cached session as `list` shows it: the summary without the profile it is listed under. */
export type SessionLine = Omit<SessionSummary, 'profile'>;

export interface ProfileLine {
  readonly profile: string;
  /** "keys", "settings only", "role over base", "role via Environment", "process", "sso (not supported)", "web identity (not supported)" */
  readonly kind: string;
  /** Where the base keys of the chain live; absent when the chain does not start from a profile's keys. */
  readonly keys?: KeysPlace;
  /** The profile those keys belong to, when it is not this one. */
  readonly keysOf?: string;
  readonly sessions: readonly SessionLine[];
}

/** Every profile as `rolecall list` shows it, from the files and the chosen vault. */
export async function listProfiles(env: Env, request: { readonly backend?: string }): Promise<ProfileLine[]> {
  const config = loadConfig(env);
  const vault = await openVault(env, request.backend ? { backend: request.backend } : {});
  const accounts = new Set(await vault.list(KEYS_SERVICE));
  const sessions = new Map<string, SessionLine[]>();
  for (const { profile, ...line } of await listSessions(vault)) {
    sessions.set(profile, [...(sessions.get(profile) ?? []), line]);
  }
  return inventory(env, config, { backend: vault.backend, accounts }, sessions);
}

export function inventory(
  env: Env,
  config: LoadedConfig,
  vault: { readonly backend: string; readonly accounts: ReadonlySet<string> },
  sessions: ReadonlyMap<string, readonly SessionLine[]>,
): ProfileLine[] {
  const names = [...config.profiles.keys()].sort((a, b) => a.localeCompare(b));
  return names.map((name) => {
    const values = config.profiles.get(name)?.values ?? {};
    const base = baseKeysProfile(env, config, name);
    const keys = base ? keysPlace(config, vault, base) : undefined;
    return {
      profile: name,
      kind: kindOf(values, keys !== undefined && keys !== 'none'),
      ...(base && keys ? { keys, ...(base !== name ? { keysOf: base } : {}) } : {}),
      sessions: sessions.get(name) ?? [],
    };
  });
}

/** `hasKeys`: keys for the chain were found (in the vault or a file). */
function kindOf(values: Readonly<Record<string, string>>, hasKeys: boolean): string {
  if (values.role_arn) {
    if (values.source_profile) return `role over ${values.source_profile}`;
    if (values.credential_source) return `role via ${values.credential_source}`;
    return 'role (no source)';
  }
  if (values.aws_access_key_id || values.aws_secret_access_key) return 'keys';
  if (values.credential_process) return 'process';
  if (values.sso_account_id || values.sso_role_name) return `sso ${values.sso_account_id ?? '?'}/${values.sso_role_name ?? '?'}`;
  if (values.sso_session || values.sso_start_url) return 'sso sign-in only';
  if (values.web_identity_token_file) return 'web identity (not supported)';
  // Nothing in the files says where credentials come from: exec looks for
  // the profile's keys in the vault, and without them it has none (a
  // [default] with only region, say).
  return hasKeys ? 'keys' : 'settings only';
}

/** The profile whose keys the chain starts from, as exec would resolve it; undefined for other sources. */
function baseKeysProfile(env: Env, config: LoadedConfig, name: string): string | undefined {
  const source = planIfResolves(config, name, env, true)?.source;
  return source?.kind === 'profileKeys' ? source.profile : undefined;
}

function keysPlace(config: LoadedConfig, vault: { readonly backend: string; readonly accounts: ReadonlySet<string> }, profile: string): KeysPlace {
  if (vault.accounts.has(profile)) return vault.backend === 'keychain' ? 'keychain' : vault.backend === 'file' ? 'file vault' : 'memory vault';
  const pair = keyPairOf(config.profiles.get(profile));
  return pair ? `${pair.file} file` : 'none';
}
