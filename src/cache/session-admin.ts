/**
 * What `clear`, `remove` and `list` do with cached sessions. Entries are
 * found by the profile in their account name, so dropping needs no
 * decryption (a file vault whose passphrase changed can still be cleared).
 */
import { mustStop } from '../base/errors.js';
import type { Env } from '../base/env.js';
import { loadConfig } from '../config/load-config.js';
import { planIfResolves } from '../config/resolve-profile.js';
import type { SsoSession } from '../config/sso-session.js';
import { registerSecret } from '../log/redact.js';
import { SESSIONS_SERVICE, type Vault } from '../vault/vault.js';
import { profileOfAccount } from './session-key.js';
import { decodeSession } from './stored-session.js';

/** Removes the sessions stored for the profiles `which` accepts (all when it is absent); returns how many. */
export async function dropSessions(vault: Vault, which?: ReadonlySet<string>): Promise<number> {
  let dropped = 0;
  for (const account of await vault.list(SESSIONS_SERVICE)) {
    const profile = profileOfAccount(account);
    if (which && (profile === undefined || !which.has(profile))) continue;
    if (await vault.remove(SESSIONS_SERVICE, account)) dropped++;
  }
  return dropped;
}

/** `clear PROFILE`: the profile and every session its chain is made of (the MFA session, the roles below). */
export function profilesOfChain(env: Env, profile: string): Set<string> {
  const plan = planIfResolves(loadConfig(env), profile, env, false);
  // An SSO source's role session is cached under its own profile, like a step's.
  const ssoSource = plan?.source.kind === 'ssoRole' ? [plan.source.profile] : [];
  return new Set([profile, ...ssoSource, ...(plan?.steps.map((step) => step.profile) ?? [])]);
}

/** `remove PROFILE`: the profile's own sessions and those of every role built on it; not the links below it. */
export function profilesBuiltOn(env: Env, profile: string): Set<string> {
  const config = loadConfig(env);
  const found = new Set([profile]);
  for (const name of config.profiles.keys()) {
    const plan = planIfResolves(config, name, env, false);
    if (!plan) continue;
    const from = plan.source.profile === profile ? 0 : plan.steps.findIndex((step) => step.profile === profile);
    if (from < 0) continue;
    for (const step of plan.steps.slice(from)) found.add(step.profile);
  }
  return found;
}

/**
 * `sso logout`: the profiles whose cached sessions were made from an
 * Identity Center session's tokens: its SSO profiles and every role built
 * on them, which must not outlive the sign-out.
 */
export function profilesSignedInWith(env: Env, session: SsoSession): Set<string> {
  const config = loadConfig(env);
  const found = new Set<string>();
  for (const name of config.profiles.keys()) {
    const plan = planIfResolves(config, name, env, false);
    if (plan?.source.kind !== 'ssoRole') continue;
    const { name: sessionName, startUrl } = plan.source.session;
    if (sessionName !== session.name || startUrl !== session.startUrl) continue;
    found.add(plan.source.profile);
    for (const step of plan.steps) found.add(step.profile);
  }
  return found;
}

export interface SessionSummary {
  readonly profile: string;
  /** "AssumeRole arn:…", "GetSessionToken (MFA arn:…)"; empty when unreadable. */
  readonly label: string;
  /** The STS region and the duration asked for, when the entry says. */
  readonly region?: string;
  readonly durationSeconds?: number;
  readonly expiration?: Date;
  /** The entry exists but cannot be decrypted or parsed: the next use replaces it. */
  readonly unreadable?: true;
}

/** Every cached session, by profile; expired ones are purged on the way. Never a secret. */
export async function listSessions(vault: Vault, now = Date.now()): Promise<SessionSummary[]> {
  const found: SessionSummary[] = [];
  for (const account of await vault.list(SESSIONS_SERVICE)) {
    const profile = profileOfAccount(account);
    if (profile === undefined) continue;
    let stored;
    try {
      const text = await vault.get(SESSIONS_SERVICE, account);
      if (text === undefined) continue;
      stored = decodeSession(text);
    } catch (error) {
      if (mustStop(error)) throw error;
      stored = undefined;
    }
    if (!stored) {
      found.push({ profile, label: '', unreadable: true });
      continue;
    }
    registerSecret(stored.secretAccessKey);
    registerSecret(stored.sessionToken);
    const expiration = new Date(stored.expiration);
    if (expiration.getTime() <= now) {
      await vault.remove(SESSIONS_SERVICE, account).catch(() => false);
      continue;
    }
    found.push({
      profile,
      label: stored.label,
      ...(stored.region ? { region: stored.region } : {}),
      ...(stored.durationSeconds ? { durationSeconds: stored.durationSeconds } : {}),
      expiration,
    });
  }
  return found.sort(
    (a, b) =>
      a.profile.localeCompare(b.profile) ||
      a.label.localeCompare(b.label) ||
      (a.region ?? '').localeCompare(b.region ?? '') ||
      (a.durationSeconds ?? 0) - (b.durationSeconds ?? 0) ||
      (a.expiration?.getTime() ?? 0) - (b.expiration?.getTime() ?? 0),
  );
}
