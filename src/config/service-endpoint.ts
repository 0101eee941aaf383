import type { Env } from '../base/env.js';

/**
 * A service's endpoint, as the AWS CLI picks it: AWS_ENDPOINT_URL_<SERVICE>
 * (STS, IAM, SSO for the Identity Center portal, SSO_OIDC for its sign-in), then AWS_ENDPOINT_URL, else the regional endpoint the SDK
 * computes (undefined here); none of them when
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true. Passing it explicitly keeps
 * the SDK from reading ~/.aws/config on its own.
 */
/**
 * The console federation endpoint's base URL, which no SDK serves: only
 * AWS_ENDPOINT_URL_SIGNIN (AWS_ENDPOINT_URL is for the SDK's services),
 * unless configured endpoints are ignored.
 */
export function signinEndpoint(env: Env): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  return env.AWS_ENDPOINT_URL_SIGNIN || undefined;
}

export function serviceEndpoint(env: Env, service: 'STS' | 'IAM' | 'SSO' | 'SSO_OIDC'): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  return env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
}
