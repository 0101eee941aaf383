/**
 * What IAM Identity Center sign-in produces and keeps, shared by the token
 * store, the login flows and the role-credentials provider.
 */

/**
 * An `[sso-session NAME]` section (or the legacy keys of a profile): defined
 * in config/, which reads it into the Plan, and used here under this name.
 */
export type { SsoSession } from '../config/sso-session.js';

/** A client registration (RegisterClient), kept until it expires. */
export interface SsoClientRegistration {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly expiresAt: Date;
  readonly scopes: readonly string[];
}

/** An access token and what refreshes it. */
export interface SsoToken {
  readonly accessToken: string;
  readonly expiresAt: Date;
  readonly refreshToken?: string;
  /** The registration the token was issued to: a refresh needs it. */
  readonly registration?: SsoClientRegistration;
  /**
   * Written to the AWS CLI's cache too (a shared session, or renewed from
   * the AWS CLI's copy): kept in the vault entry, so every renewal is
   * written there again and logout removes the file.
   */
  readonly sharedWithAwsCli?: boolean;
}
