import type { Env } from '../base/env.js';
import { serviceEndpoint } from '../config/service-endpoint.js';

/** The STS endpoint: AWS_ENDPOINT_URL_STS, then AWS_ENDPOINT_URL (config/service-endpoint.ts has the rule). */
export function stsEndpoint(env: Env): string | undefined {
  return serviceEndpoint(env, 'STS');
}
