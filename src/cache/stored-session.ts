/**
 * What one cache entry holds: the session and, for `list`, which step of
 * which profile made it. Stored as JSON in a Vault backend (keychain item or
 * the encrypted file), never in a plain-text file.
 */
import type { SessionStep, SourceStep } from '../config/plan.js';
import type { Credentials } from '../config/credentials.js';
import type { StsTarget } from '../sts/sts-client.js';

/** Which link of which profile a session is: secret-free, for `list` and messages. */
export interface SessionOrigin {
  readonly profile: string;
  readonly kind: SessionStep['kind'] | 'process' | 'ssoRole';
  /** "AssumeRole arn:…", "GetSessionToken (MFA arn:…)", "credential_process". */
  readonly label: string;
  /**
   * The STS region and the duration asked for: two sessions of one profile
   * (`exec --region`, `--duration`) differ by these, so `list` shows them.
   * Absent for a credential_process, and in entries written before they were kept.
   */
  readonly region?: string;
  readonly durationSeconds?: number;
}

export interface StoredSession extends SessionOrigin {
  readonly version: 1;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** ISO 8601 */
  readonly expiration: string;
}

export function originOfStep(step: SessionStep, target: StsTarget): SessionOrigin {
  const mfa = step.mfa ? ` (MFA ${step.mfa.serial})` : '';
  return {
    profile: step.profile,
    kind: step.kind,
    label: step.kind === 'assumeRole' ? `AssumeRole ${step.roleArn}${mfa}` : `GetSessionToken${mfa}`,
    region: target.region,
    durationSeconds: step.durationSeconds,
  };
}

export function originOfProcess(source: Extract<SourceStep, { kind: 'process' }>): SessionOrigin {
  return { profile: source.profile, kind: 'process', label: 'credential_process' };
}

/** Role credentials from IAM Identity Center: `region` is sso_region, where the portal was called. */
export function originOfSsoRole(source: Extract<SourceStep, { kind: 'ssoRole' }>): SessionOrigin {
  const session = source.session.name !== undefined ? `sso-session ${source.session.name}` : source.session.startUrl;
  return { profile: source.profile, kind: 'ssoRole', label: `GetRoleCredentials ${source.accountId}/${source.roleName} (${session})`, region: source.session.region };
}

export function encodeSession(origin: SessionOrigin, credentials: Credentials & { expiration: Date }): string {
  const stored: StoredSession = {
    version: 1,
    profile: origin.profile,
    kind: origin.kind,
    label: origin.label,
    ...(origin.region ? { region: origin.region } : {}),
    ...(origin.durationSeconds ? { durationSeconds: origin.durationSeconds } : {}),
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    expiration: credentials.expiration.toISOString(),
  };
  return JSON.stringify(stored);
}

/** Undefined for anything that is not an entry this version wrote: such an entry is a miss. */
export function decodeSession(text: string): StoredSession | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const strings = ['profile', 'label', 'accessKeyId', 'secretAccessKey', 'expiration'] as const;
  if (v.version !== 1 || !['assumeRole', 'sessionToken', 'process', 'ssoRole'].includes(v.kind as string)) return undefined;
  if (strings.some((name) => typeof v[name] !== 'string' || v[name] === '')) return undefined;
  if (v.sessionToken !== undefined && typeof v.sessionToken !== 'string') return undefined;
  if (v.region !== undefined && typeof v.region !== 'string') return undefined;
  if (v.durationSeconds !== undefined && !(Number.isInteger(v.durationSeconds) && (v.durationSeconds as number) > 0)) return undefined;
  if (Number.isNaN(Date.parse(v.expiration as string))) return undefined;
  return value as StoredSession;
}

export function credentialsOf(stored: StoredSession): Credentials & { expiration: Date } {
  return {
    accessKeyId: stored.accessKeyId,
    secretAccessKey: stored.secretAccessKey,
    ...(stored.sessionToken ? { sessionToken: stored.sessionToken } : {}),
    expiration: new Date(stored.expiration),
  };
}
