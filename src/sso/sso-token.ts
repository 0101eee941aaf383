/**
 * What IAM Identity Center sign-in produces and keeps, shared by the token
 * store, the login flows and the role-credentials provider.
 */

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
}
