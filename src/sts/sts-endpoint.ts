import type { Env } from '../base/env.js';

/**
 * The STS endpoint, as the AWS CLI picks it: AWS_ENDPOINT_URL_STS, then
 * AWS_ENDPOINT_URL, else the regional endpoint the SDK computes for the
 * region (undefined here). Passing it explicitly keeps the SDK from reading
 * ~/.aws/config on its own.
 */
export function stsEndpoint(env: Env): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  return env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL || undefined;
}
