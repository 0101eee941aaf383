/**
 * A Plan is what resolving a profile produces: where the first credentials
 * come from, then the STS calls that turn them into the profile's session.
 * It is plain data so that every rule about AWS config can be tested without
 * network, keychain or processes, and so --debug can describe it.
 */

import type { SsoRole } from './sso-session.js';

/** Long-term (or, rarely, temporary) keys as written in a file or stored in the vault. */
export interface StaticKeys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface MfaDevice {
  readonly serial: string;
  /** mfa_process of the profile that named the serial: its stdout is the code. */
  readonly process?: string;
  readonly profile: string;
}

export type SourceStep =
  /** Keys of a profile: the vault first, then the keys in the files (fileKeys). */
  /** `file`: the file `fileKeys` are in (plain text), for the notice that says so. */
  | { readonly kind: 'profileKeys'; readonly profile: string; readonly fileKeys?: StaticKeys; readonly file?: string }
  | { readonly kind: 'environment'; readonly profile: string }
  | { readonly kind: 'instanceMetadata'; readonly profile: string }
  | { readonly kind: 'ecsContainer'; readonly profile: string }
  | { readonly kind: 'process'; readonly profile: string; readonly command: string }
  /** IAM Identity Center: GetRoleCredentials of sso_account_id's sso_role_name, with the session's token. */
  | ({ readonly kind: 'ssoRole'; readonly profile: string } & SsoRole);

export interface SessionTokenStep {
  readonly kind: 'sessionToken';
  readonly profile: string;
  readonly mfa?: MfaDevice;
  readonly durationSeconds: number;
}

export interface AssumeRoleStep {
  readonly kind: 'assumeRole';
  readonly profile: string;
  readonly roleArn: string;
  readonly sessionName: string;
  readonly externalId?: string;
  readonly durationSeconds: number;
  /** Set only when this call itself carries an MFA code (--no-session, or a source that cannot call GetSessionToken). */
  readonly mfa?: MfaDevice;
}

export type SessionStep = SessionTokenStep | AssumeRoleStep;

export interface Plan {
  readonly profile: string;
  /** The region the child gets, when one is known. */
  readonly region?: string;
  /** The region STS is called in. */
  readonly stsRegion: string;
  readonly source: SourceStep;
  readonly steps: readonly SessionStep[];
  /** One-line notes for the user (a duration that was capped, …). */
  readonly notes: readonly string[];
}

/** Limits STS enforces; refused here before any call. */
export const ASSUME_ROLE_DURATION = { min: 900, max: 43_200, chainedMax: 3_600, default: 3_600 } as const;
export const SESSION_TOKEN_DURATION = { min: 900, max: 129_600, default: 3_600 } as const;
/** An MFA session below a role lasts a working day, so one code serves the day. */
export const MFA_SESSION_DURATION = 8 * 3_600;
