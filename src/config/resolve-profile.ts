/**
 * Resolving a profile into a Plan: a pure function of the parsed files, the
 * environment and the command-line options. The rules are botocore's
 * (credentials.py, AssumeRoleProvider), because users check their config
 * with `aws`; where rolecall does better (one MFA code for a whole chain) the
 * comments say so.
 */
import { ConfigError } from '../base/errors.js';
import type { ConfigPaths } from './config-paths.js';
import type { Env } from '../base/env.js';
import { displayPath } from './config-paths.js';
import { oneLine, quote, shellWord } from '../log/terminal-text.js';
import type { FileKind, Profile, Profiles } from './profiles.js';
import { keyPairIn } from './key-pair.js';
import type { LoadedConfig } from './load-config.js';
import {
  ASSUME_ROLE_DURATION,
  MFA_SESSION_DURATION,
  SESSION_TOKEN_DURATION,
  type AssumeRoleStep,
  type MfaDevice,
  type Plan,
  type SessionStep,
  type SourceStep,
  type StaticKeys,
} from './plan.js';
import { didYouMean } from './suggest-names.js';
import { isSsoRoleProfile, ssoRoleOf, usesSso, type SsoSessionSections } from './sso-session.js';
import { describeTypos, misspeltKeys } from './key-typos.js';
import { defaultSessionName, isValidSessionName } from './session-name.js';
import { hasTrailingComment, isValidExternalId, isValidMfaSerial, isValidRegion, isValidRoleArn, shownValue, TRAILING_COMMENT_HINT } from './sts-values.js';

export const CREDENTIAL_SOURCES = ['Environment', 'Ec2InstanceMetadata', 'EcsContainer'] as const;

export interface ResolveOptions {
  readonly profile: string;
  readonly env: Env;
  readonly paths: ConfigPaths;
  /** --region */
  readonly region?: string;
  /** --duration, in seconds: the lifetime of the last session in the chain. */
  readonly durationSeconds?: number;
  /** --no-session: no GetSessionToken; MFA codes go on the role calls. */
  readonly noSession?: boolean;
  /** The user name for the default role session name. */
  readonly userName?: string;
  /** The `[sso-session NAME]` sections, for the profiles that name one. */
  readonly ssoSessions?: SsoSessionSections;
}

/**
 * The Plan of `profile`, or undefined when it does not resolve: for the
 * commands that look over every profile (list, clear, remove) and leave a
 * broken one's error to exec, which gives it in full.
 */
export function planIfResolves(config: LoadedConfig, profile: string, env: Env, noSession: boolean): Plan | undefined {
  try {
    return resolveProfile(config.profiles, { profile, env, paths: config.paths, noSession, ssoSessions: config.ssoSessions });
  } catch {
    return undefined;
  }
}

export function resolveProfile(profiles: Profiles, options: ResolveOptions): Plan {
  const where = new Locator(options);
  const top = profiles.get(options.profile);
  if (!top) throw unknownProfile(profiles, options, where);

  const roles: { profile: Profile; roleArn: string }[] = [];
  const visited = [top.name];
  let current = top;
  let source: SourceStep;
  let sourceProfile: Profile;
  for (;;) {
    const isTop = current === top;
    // A source profile with keys ends the chain even if it also has role_arn;
    // the profile you name is assumed first (botocore's provider order).
    if (!isTop && hasStaticKeys(current)) {
      source = profileSource(current, where);
      sourceProfile = current;
      break;
    }
    const roleArn = current.values.role_arn;
    // role_arn beside web_identity_token_file is web identity, not AssumeRole (botocore).
    if (roleArn !== undefined && current.values.web_identity_token_file === undefined) {
      roles.push({ profile: current, roleArn: checkRoleArn(roleArn, current, where) });
      const sourceName = current.values.source_profile;
      const credentialSource = current.values.credential_source;
      if (sourceName !== undefined && credentialSource !== undefined) {
        throw where.error(current, 'source_profile', 'has both source_profile and credential_source; keep one');
      }
      if (credentialSource !== undefined) {
        source = credentialSourceStep(current, credentialSource, where);
        sourceProfile = current;
        break;
      }
      if (sourceName === undefined) {
        throw where.error(current, 'role_arn', 'has role_arn but neither source_profile nor credential_source; add source_profile = PROFILE_WITH_KEYS');
      }
      const next = profiles.get(sourceName);
      if (!next) {
        throw where.error(current, 'source_profile', `names source_profile ${quote(sourceName, 64)}, which does not exist${didYouMean(sourceName, [...profiles.keys()])}`);
      }
      if (visited.includes(sourceName)) {
        // Only a profile naming itself, with keys of its own, is not a loop:
        // its keys are the source for its own role.
        if (sourceName === current.name && hasStaticKeys(current)) {
          source = profileSource(current, where);
          sourceProfile = current;
          break;
        }
        const loop = loopPath([...visited, sourceName]);
        throw where.error(current, 'source_profile', `makes a loop: ${loop}; point one source_profile at a profile with keys`);
      }
      visited.push(sourceName);
      current = next;
      continue;
    }
    source = profileSource(current, where);
    sourceProfile = current;
    break;
  }

  roles.reverse(); // base first: the order the calls are made in
  const notes: string[] = [];
  for (const name of visited) {
    const profile = profiles.get(name);
    const typos = profile ? misspeltKeys(Object.keys(profile.values)) : [];
    if (profile && typos.length) notes.push(`${where.fileOf(profile, typos[0]!.key)}: profile ${quote(profile.name, 64)} has ${describeTypos(typos)}`);
  }
  const region = options.region || options.env.AWS_REGION || options.env.AWS_DEFAULT_REGION || regionOf(top, where);
  const steps = sessionSteps(roles, source, sourceProfile, options, where, notes);
  return { profile: top.name, ...(region ? { region } : {}), stsRegion: region ?? 'us-east-1', source, steps, notes };
}

function sessionSteps(
  roles: { profile: Profile; roleArn: string }[],
  source: SourceStep,
  sourceProfile: Profile,
  options: ResolveOptions,
  where: Locator,
  notes: string[],
): SessionStep[] {
  const steps: SessionStep[] = [];
  const sourceMfa = mfaOf(sourceProfile, where);
  // GetSessionToken needs long-term user keys: only a profile's own keys can
  // be those (environment, instance and process credentials may be temporary).
  const canGetSessionToken = source.kind === 'profileKeys' && !source.fileKeys?.sessionToken;
  const sessionMfa = canGetSessionToken && !options.noSession ? [sourceMfa, ...roles.map((r) => mfaOf(r.profile, where))].find(Boolean) : undefined;

  if (roles.length === 0) {
    // A keys profile given to exec: by default a GetSessionToken session, so
    // the long-term key never reaches the child.
    if (canGetSessionToken && !options.noSession) {
      const duration = options.durationSeconds ?? durationOf(sourceProfile, where) ?? SESSION_TOKEN_DURATION.default;
      checkRange(duration, SESSION_TOKEN_DURATION, 'the GetSessionToken session', options.durationSeconds !== undefined, where, sourceProfile);
      steps.push({ kind: 'sessionToken', profile: sourceProfile.name, durationSeconds: duration, ...(sourceMfa ? { mfa: sourceMfa } : {}) });
    }
    return steps;
  }

  if (sessionMfa) {
    // Better than the AWS CLI, which asks for a code per role: one MFA session
    // on the base keys, then every role assumed with it and no code.
    steps.push({ kind: 'sessionToken', profile: sourceProfile.name, durationSeconds: MFA_SESSION_DURATION, mfa: sessionMfa });
  }
  roles.forEach(({ profile, roleArn }, index) => {
    const isLast = index === roles.length - 1;
    // Role credentials from the instance, the container or Identity Center are role credentials already.
    const chained = index > 0 || source.kind === 'instanceMetadata' || source.kind === 'ecsContainer' || source.kind === 'ssoRole';
    const fromFlag = isLast && options.durationSeconds !== undefined;
    const asked = fromFlag ? options.durationSeconds : durationOf(profile, where);
    let duration = asked ?? ASSUME_ROLE_DURATION.default;
    checkRange(duration, ASSUME_ROLE_DURATION, 'its role', fromFlag, where, profile);
    if (chained && duration > ASSUME_ROLE_DURATION.chainedMax) {
      notes.push(`role of profile ${quote(profile.name, 64)} is assumed with role credentials (role chaining), which AWS caps at 1h; using 1h`);
      duration = ASSUME_ROLE_DURATION.chainedMax;
    }
    const sessionName = nonEmpty(profile.values.role_session_name) ?? defaultSessionName(options.userName);
    if (!isValidSessionName(sessionName)) {
      throw where.error(profile, 'role_session_name', `has role_session_name ${shownValue(sessionName, quote)}, which STS refuses; use 2 to 64 of letters, digits and + = , . @ _ -`);
    }
    const ownMfa = mfaOf(profile, where) ?? (index === 0 ? sourceMfa : undefined);
    const step: AssumeRoleStep = {
      kind: 'assumeRole',
      profile: profile.name,
      roleArn,
      sessionName,
      durationSeconds: duration,
      ...externalIdOf(profile, where),
      ...(!sessionMfa && ownMfa ? { mfa: ownMfa } : {}),
    };
    steps.push(step);
  });
  return steps;
}

/** botocore's test for "this source profile ends the chain": either key, in either file. */
function hasStaticKeys(profile: Profile): boolean {
  return profile.values.aws_access_key_id !== undefined || profile.values.aws_secret_access_key !== undefined;
}

/**
 * Where a profile's own credentials come from, in the order of botocore's
 * profile providers: a key pair in the credentials file, then
 * credential_process, then a key pair in the config file. A pair is taken
 * from one file, never an id from one and a secret from the other.
 */
function profileSource(profile: Profile, where: Locator): SourceStep {
  if (profile.values.web_identity_token_file !== undefined) {
    throw where.error(profile, 'web_identity_token_file', 'uses web_identity_token_file, which rolecall does not support yet; use `aws --profile` for it');
  }
  // botocore's SSO provider comes before the key pairs and credential_process.
  if (isSsoRoleProfile(profile)) return { kind: 'ssoRole', profile: profile.name, ...where.ssoRole(profile) };
  if (usesSso(profile) && !hasStaticKeys(profile) && profile.values.credential_process === undefined) {
    const key = profile.values.sso_session !== undefined ? 'sso_session' : 'sso_start_url';
    throw where.error(profile, key, `names an IAM Identity Center session but no sso_account_id and sso_role_name, so it gives no credentials (it can sign in: \`rolecall sso login ${shellWord(profile.name)}\`); add them, or run \`rolecall sso profiles\` for ready sections`);
  }
  const fromCredentialsFile = filePair(profile, 'credentials', where);
  if (fromCredentialsFile) return fromCredentialsFile;
  const process = nonEmpty(profile.values.credential_process);
  if (process) return { kind: 'process', profile: profile.name, command: process };
  const fromConfigFile = filePair(profile, 'config', where);
  if (fromConfigFile) return fromConfigFile;
  if (profile.values.aws_secret_access_key !== undefined) {
    throw where.error(profile, 'aws_secret_access_key', `has aws_secret_access_key but no aws_access_key_id; add it, or remove both and run ${addCommand(profile.name)}`);
  }
  if (profile.values.credential_source !== undefined) {
    throw where.error(profile, 'credential_source', 'has credential_source but no role_arn; credential_source only says where the keys for assuming role_arn come from');
  }
  // No keys in the files: they may be in the vault (rolecall add); that is
  // checked when the plan runs.
  return { kind: 'profileKeys', profile: profile.name };
}

/** The command to store a profile's keys, with the name quoted for the shell when it needs it. */
function addCommand(name: string): string {
  return `\`rolecall add ${shellWord(name)}\``;
}

/** The key pair of one file's section, as botocore's provider for that file reads it. */
function filePair(profile: Profile, file: FileKind, where: Locator): SourceStep | undefined {
  const values = profile.byFile[file];
  if (values?.aws_access_key_id === undefined) return undefined;
  const id = values.aws_access_key_id;
  const secret = values.aws_secret_access_key;
  if (!id || !secret) {
    const missing = !id ? 'aws_access_key_id' : 'aws_secret_access_key';
    const present = !id ? 'aws_secret_access_key' : 'aws_access_key_id';
    const how = values[missing] === undefined ? `no ${missing}` : `an empty ${missing}`;
    const fix = file === 'config' && profile.files.includes('credentials') ? ' (both keys must be in the same file)' : '';
    throw where.errorIn(file, profile, `has ${present} but ${how}${fix}; add it, or remove both and run ${addCommand(profile.name)}`);
  }
  return { kind: 'profileKeys', profile: profile.name, fileKeys: keyPairIn(values) as StaticKeys, file: where.path(file) };
}

function credentialSourceStep(profile: Profile, value: string, where: Locator): SourceStep {
  switch (value) {
    case 'Environment':
      return { kind: 'environment', profile: profile.name };
    case 'Ec2InstanceMetadata':
      return { kind: 'instanceMetadata', profile: profile.name };
    case 'EcsContainer':
      return { kind: 'ecsContainer', profile: profile.name };
    default: {
      throw where.error(
        profile,
        'credential_source',
        `has credential_source ${shownValue(value, quote)}; it must be one of ${CREDENTIAL_SOURCES.join(', ')} (spelled exactly so)${didYouMean(value, CREDENTIAL_SOURCES)}`,
      );
    }
  }
}

function checkRoleArn(value: string, profile: Profile, where: Locator): string {
  if (!isValidRoleArn(value)) {
    throw where.error(profile, 'role_arn', `has role_arn ${shownValue(value, quote)}, which is not a role ARN (arn:aws:iam::123456789012:role/NAME)`);
  }
  return value;
}

function mfaOf(profile: Profile, where: Locator): MfaDevice | undefined {
  const serial = nonEmpty(profile.values.mfa_serial);
  if (!serial) return undefined;
  if (!isValidMfaSerial(serial)) {
    throw where.error(profile, 'mfa_serial', `has mfa_serial ${shownValue(serial, quote)}, which is not an MFA device (arn:aws:iam::123456789012:mfa/NAME, or a hardware serial)`);
  }
  const process = nonEmpty(profile.values.mfa_process);
  return { serial, profile: profile.name, ...(process ? { process } : {}) };
}

function externalIdOf(profile: Profile, where: Locator): { externalId?: string } {
  const value = nonEmpty(profile.values.external_id);
  if (value === undefined) return {};
  if (!isValidExternalId(value)) {
    throw where.error(profile, 'external_id', `has external_id ${shownValue(value, quote)}, which STS refuses; use 2 to 1224 of letters, digits and + = , . @ : / _ -`);
  }
  return { externalId: value };
}

/** The profile's own region (not its source's), when nothing overrides it. */
function regionOf(profile: Profile, where: Locator): string | undefined {
  const value = nonEmpty(profile.values.region);
  if (value !== undefined && !isValidRegion(value)) {
    throw where.error(profile, 'region', `has region ${shownValue(value, quote)}, which is not a region name (e.g. eu-west-1)`);
  }
  return value;
}

function durationOf(profile: Profile, where: Locator): number | undefined {
  const raw = profile.values.duration_seconds;
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw where.error(profile, 'duration_seconds', `has duration_seconds ${shownValue(raw, quote)}; it must be a whole number of seconds, e.g. 3600`);
  return Number(raw);
}

/** A loop's profiles as one line: a long one shortened in the middle, where the names only repeat the pattern. */
function loopPath(names: readonly string[]): string {
  const shown = names.map((name) => quote(name, 64));
  if (shown.length <= 8) return shown.join(' -> ');
  return [...shown.slice(0, 4), `... (${shown.length - 7} more)`, ...shown.slice(-3)].join(' -> ');
}

/** STS's limits, checked before any call; says whether --duration or the file asked. */
function checkRange(seconds: number, range: { min: number; max: number }, what: string, fromFlag: boolean, where: Locator, profile: Profile): void {
  if (seconds < range.min || seconds > range.max) {
    const allowed = `STS allows ${range.min}s to ${range.max}s (${spoken(range.min)} to ${spoken(range.max)})`;
    if (fromFlag) {
      // The flag, not the file, asked: no file to name.
      throw new ConfigError(`--duration ${spoken(seconds)} is too ${seconds < range.min ? 'short' : 'long'} for ${what} of profile ${quote(profile.name, 64)}: ${allowed}`);
    }
    // As written: a number past 2^53 would be printed rounded.
    throw where.error(profile, 'duration_seconds', `has duration_seconds ${profile.values.duration_seconds ?? seconds} for ${what}; ${allowed}, so ask for a duration in that range`);
  }
}

/** 46800 -> "13h", 900 -> "15m", 90 -> "90s": as the user would write --duration. */
function spoken(seconds: number): string {
  if (seconds === 0) return '0s';
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function unknownProfile(profiles: Profiles, options: ResolveOptions, where: Locator): ConfigError {
  const files = `${where.show('config')} or ${where.show('credentials')}`;
  return new ConfigError(`profile ${quote(options.profile, 64)} is not in ${files}${didYouMean(options.profile, [...profiles.keys()])}`);
}

/** A misspelt key is often why a profile fails: say so in the same line. */
function typoHint(profile: Profile): string {
  return typoHintOf(profile.values);
}

function typoHintOf(values: Readonly<Record<string, string>>): string {
  const typos = misspeltKeys(Object.keys(values));
  return typos.length ? `; it also has ${describeTypos(typos)}` : '';
}

/** Builds messages that name the file a key came from. */
class Locator {
  constructor(private readonly options: ResolveOptions) {}

  path(kind: FileKind): string {
    return this.options.paths[kind];
  }

  show(kind: FileKind): string {
    return displayPath(this.path(kind), this.options.env);
  }

  fileOf(profile: Profile, key: string): string {
    return this.show(profile.origin[key] ?? profile.files[0] ?? 'config');
  }

  error(profile: Profile, key: string, message: string): ConfigError {
    const value = profile.values[key];
    const hint = value !== undefined && hasTrailingComment(value) ? `; ${TRAILING_COMMENT_HINT}` : '';
    return new ConfigError(`${this.fileOf(profile, key)}: profile ${quote(profile.name, 64)} ${message}${hint}${typoHint(profile)}`);
  }

  /** The profile's Identity Center role, its errors named by file, profile or [sso-session NAME]. */
  ssoRole(profile: Profile) {
    const sessions: SsoSessionSections = this.options.ssoSessions ?? new Map();
    return ssoRoleOf(
      profile,
      sessions,
      (key, message) => this.error(profile, key, message),
      // A misspelt key is often why a section lacks one: said in the same line, as for a profile.
      (name, message) => new ConfigError(`${this.show('config')}: [sso-session ${oneLine(name, 64)}] ${message}${typoHintOf(sessions.get(name) ?? {})}`),
    );
  }

  errorIn(file: FileKind, profile: Profile, message: string): ConfigError {
    return new ConfigError(`${this.show(file)}: profile ${quote(profile.name, 64)} ${message}${typoHint(profile)}`);
  }
}
