/**
 * IAM Identity Center in the config file, read as botocore reads it
 * (configloader.py, SSOProvider, SSOTokenProvider): `[sso-session NAME]`
 * sections, the profiles that name one with sso_session, and the older
 * form with sso_start_url and sso_region in the profile itself. The errors
 * are botocore's conditions, in one line that names the file and the fix.
 */
import type { IniFile } from './ini-parser.js';
import type { Profile } from './profiles.js';
import { quote } from '../log/terminal-text.js';
import { shlexSplit } from './python-strings.js';
import { didYouMean } from './suggest-names.js';
import { isValidRegion, shownValue } from './sts-values.js';

/** An `[sso-session NAME]` section (or the legacy keys of a profile), as the AWS CLI reads it. */
export interface SsoSession {
  /** The section's name; for the legacy form (sso_start_url in the profile), undefined. */
  readonly name?: string;
  readonly startUrl: string;
  /** The region of the Identity Center endpoints (sso_region), not of STS or the child. */
  readonly region: string;
  /** sso_registration_scopes; `sso:account:access` when unset, so a token comes with a refresh token. */
  readonly scopes: readonly string[];
  /** Also write tokens to the AWS CLI's cache (--share-with-aws-cli or rolecall_share_sso_cache). */
  readonly shareWithAwsCli: boolean;
}

/** What an SSO profile gets its role credentials with: GetRoleCredentials of one account's role. */
export interface SsoRole {
  readonly session: SsoSession;
  readonly accountId: string;
  readonly roleName: string;
}

/** The `[sso-session NAME]` sections of the config file, by name, keys as written. */
export type SsoSessionSections = ReadonlyMap<string, Readonly<Record<string, string>>>;

export const DEFAULT_SSO_SCOPES: readonly string[] = ['sso:account:access'];

/** The keys an sso-session section and a profile may both set: they must then agree (botocore). */
const SESSION_KEYS = ['sso_start_url', 'sso_region', 'sso_registration_scopes'] as const;

/**
 * `[sso-session NAME]`, NAME split like a shell word as botocore does (a
 * later section of the same name replaces the earlier, as its dict does).
 */
export function ssoSessionSections(config: IniFile): SsoSessionSections {
  const sessions = new Map<string, Readonly<Record<string, string>>>();
  for (const section of config.sections) {
    if (!section.name.startsWith('sso-session')) continue;
    const words = shlexSplit(section.name);
    // botocore looks only at the second word: [sso-sessionX NAME] is a session too.
    if (words?.length === 2) sessions.set(words[1] as string, section.values);
  }
  return sessions;
}

/** The profile asks for SSO role credentials: botocore's test is either of the two role keys. */
export function isSsoRoleProfile(profile: Profile): boolean {
  return profile.values.sso_account_id !== undefined || profile.values.sso_role_name !== undefined;
}

/** The profile names an Identity Center at all (a session only for sign-in, or a role). */
export function usesSso(profile: Profile): boolean {
  return isSsoRoleProfile(profile) || profile.values.sso_session !== undefined || profile.values.sso_start_url !== undefined;
}

/** Raises the one-line error about `key` of the profile (resolve-profile.ts's Locator names the file). */
export type ProfileFailure = (key: string, message: string) => Error;
/** Raises the one-line error about an sso-session section. */
export type SessionFailure = (session: string, message: string) => Error;

/**
 * The Identity Center session a profile signs in with: its sso-session
 * section, or its own sso_start_url and sso_region (the legacy form).
 */
export function ssoSessionOf(profile: Profile, sessions: SsoSessionSections, fail: ProfileFailure, failSession: SessionFailure): SsoSession {
  const name = profile.values.sso_session;
  if (name === undefined) {
    const missing = (['sso_start_url', 'sso_region'] as const).filter((key) => !profile.values[key]);
    if (missing.length) {
      throw fail(missing[0] as string, `is configured to use IAM Identity Center (SSO) but is missing ${missing.join(', ')}; add sso_session = NAME (an [sso-session NAME] section), or ${missing.join(' and ')} in the profile`);
    }
    return session(undefined, profile.values, fail);
  }
  const section = sessions.get(name);
  if (!section) {
    throw fail('sso_session', `names sso_session ${quote(name, 64)}, which does not exist: add an [sso-session ${name}] section to the config file${didYouMean(name, [...sessions.keys()])}`);
  }
  for (const key of SESSION_KEYS) {
    const own = profile.values[key];
    const shared = section[key];
    if (own !== undefined && shared !== undefined && own !== shared) {
      throw fail(key, `has ${key} ${shownValue(own, quote)}, which differs from ${shownValue(shared, quote)} of [sso-session ${name}] (the AWS CLI refuses that too); remove it from the profile`);
    }
  }
  const missing = (['sso_start_url', 'sso_region'] as const).filter((key) => !section[key]);
  if (missing.length) {
    throw failSession(name, `has no ${missing.join(' and no ')}; add ${missing.map((key) => (key === 'sso_region' ? 'sso_region = us-east-1 (the region of IAM Identity Center)' : 'sso_start_url = https://EXAMPLE.awsapps.com/start')).join(' and ')}`);
  }
  return session(name, section, (_key, message) => failSession(name, message));
}

/** An SSO role profile's role: its session, sso_account_id and sso_role_name. */
export function ssoRoleOf(profile: Profile, sessions: SsoSessionSections, fail: ProfileFailure, failSession: SessionFailure): SsoRole {
  const missing = (['sso_account_id', 'sso_role_name'] as const).filter((key) => !profile.values[key]);
  if (missing.length) {
    throw fail(missing[0] as string, `is configured to use IAM Identity Center (SSO) but is missing ${missing.join(', ')}; \`rolecall sso profiles\` prints ready sections`);
  }
  const accountId = profile.values.sso_account_id as string;
  if (!/^\d{12}$/.test(accountId)) {
    throw fail('sso_account_id', `has sso_account_id ${shownValue(accountId, quote)}, which is not an account id (12 digits)`);
  }
  return { session: ssoSessionOf(profile, sessions, fail, failSession), accountId, roleName: profile.values.sso_role_name as string };
}

function session(name: string | undefined, values: Readonly<Record<string, string>>, fail: (key: string, message: string) => Error): SsoSession {
  const region = values.sso_region as string;
  if (!isValidRegion(region)) throw fail('sso_region', `has sso_region ${shownValue(region, quote)}, which is not a region name (e.g. eu-west-1)`);
  const startUrl = values.sso_start_url as string;
  // Identity Center's start URLs are https; a token is kept under this URL and sent with it.
  if (!/^https:\/\/[^\s/]+\S*$/.test(startUrl)) {
    throw fail('sso_start_url', `has sso_start_url ${shownValue(startUrl, quote)}, which is not an https URL (https://EXAMPLE.awsapps.com/start)`);
  }
  return { ...(name !== undefined ? { name } : {}), startUrl, region, scopes: scopesOf(values.sso_registration_scopes), shareWithAwsCli: shareOf(values.rolecall_share_sso_cache, fail) };
}

/** sso_registration_scopes: a comma-separated list, as the AWS CLI splits it. */
function scopesOf(value: string | undefined): readonly string[] {
  const scopes = (value ?? '').split(',').map((scope) => scope.trim()).filter(Boolean);
  return scopes.length ? scopes : DEFAULT_SSO_SCOPES;
}

function shareOf(value: string | undefined, fail: (key: string, message: string) => Error): boolean {
  if (value === undefined || value === '') return false;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw fail('rolecall_share_sso_cache', `has rolecall_share_sso_cache ${shownValue(value, quote)}; it must be true or false`);
}

/** How messages name a session: `sso-session "corp"`, or `start URL https://…` for the legacy form. */
export function ssoSessionLabel(session: SsoSession): string {
  return session.name !== undefined ? `sso-session ${quote(session.name, 64)}` : `start URL ${quote(session.startUrl, 120)}`;
}
