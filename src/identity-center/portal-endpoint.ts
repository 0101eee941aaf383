import type { Env } from '../base/env.js';
import { serviceEndpoint } from '../config/service-endpoint.js';
import type { SsoSession } from '../config/sso-session.js';
import type { PortalTarget } from './portal-client.js';

/**
 * Where the portal of a session is called: in its sso_region (never the
 * profile's region, which is STS's and the child's), at
 * AWS_ENDPOINT_URL_SSO, then AWS_ENDPOINT_URL, when set.
 */
export function portalTarget(session: SsoSession, env: Env): PortalTarget {
  const endpoint = serviceEndpoint(env, 'SSO');
  return { region: session.region, ...(endpoint ? { endpoint } : {}) };
}
