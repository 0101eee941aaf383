/**
 * The OIDC client rolecall registers with IAM Identity Center
 * (RegisterClient), kept in the vault until it expires (90 days at AWS) so
 * that a login does not register a new client each time. One registration
 * per start URL, region, endpoint, scopes and flow: the PKCE flow's client
 * has the authorization_code grant and the loopback redirect, the device
 * flow's the device_code grant; both have refresh_token, and the scopes
 * (sso_registration_scopes, sso:account:access when unset) make the tokens
 * come with a refresh token.
 */
import { mustStop } from '../base/errors.js';
import { hashedName } from '../fs/hashed-name.js';
import {
  GRANT_AUTHORIZATION_CODE,
  GRANT_DEVICE_CODE,
  GRANT_REFRESH_TOKEN,
  registerClient,
  type OidcTarget,
} from '../identity-center/oidc-client.js';
import { debug } from '../log/debug-log.js';
import { registerSecret } from '../log/redact.js';
import { CALLBACK_PATH } from './pkce.js';
import { nowOf, type SsoContext } from './sso-context.js';
import type { SsoClientRegistration, SsoSession } from './sso-token.js';

/** Client registrations: account = FLOW:HASH of what the client was registered for, value = JSON. */
export const SSO_CLIENTS_SERVICE = 'rolecall-sso-clients';

export type SignInFlow = 'pkce' | 'device';

/** A registration with less left than this is replaced: a login (and a refresh after it) must not outlive its client. */
const KEEP_MARGIN_MS = 60 * 60 * 1000;

export async function registrationFor(session: SsoSession, context: SsoContext, target: OidcTarget, flow: SignInFlow): Promise<SsoClientRegistration> {
  const account = registrationAccount(session, target, flow);
  const kept = await keptRegistration(context, account);
  if (kept && kept.expiresAt.getTime() - nowOf(context) > KEEP_MARGIN_MS) {
    debug(`reusing the OIDC client registered for this sign-in (until ${kept.expiresAt.toISOString()})`);
    return kept;
  }
  debug(`registering an OIDC client with IAM Identity Center (${flow === 'pkce' ? 'authorization code with PKCE' : 'device code'})`);
  const registered = await registerClient(target, {
    clientName: `rolecall-${session.name ?? 'sso'}`,
    scopes: session.scopes,
    grantTypes: flow === 'pkce' ? [GRANT_AUTHORIZATION_CODE, GRANT_REFRESH_TOKEN] : [GRANT_DEVICE_CODE, GRANT_REFRESH_TOKEN],
    // The port of the loopback redirect is the system's choice at each login: a loopback redirect matches any port (RFC 8252 §7.3).
    ...(flow === 'pkce' ? { redirectUris: [`http://127.0.0.1${CALLBACK_PATH}`] } : {}),
    issuerUrl: session.startUrl,
  });
  const registration: SsoClientRegistration = { ...registered, scopes: [...session.scopes] };
  const vault = await context.vault();
  await vault.set(SSO_CLIENTS_SERVICE, account, JSON.stringify({ ...registration, expiresAt: registration.expiresAt.toISOString() }));
  return registration;
}

export function registrationAccount(session: SsoSession, target: OidcTarget, flow: SignInFlow): string {
  return `${flow}:${hashedName([session.startUrl, session.region, target.endpoint ?? '', [...session.scopes].sort().join(' ')])}`;
}

async function keptRegistration(context: SsoContext, account: string): Promise<SsoClientRegistration | undefined> {
  let text: string | undefined;
  try {
    text = await (await context.vault()).get(SSO_CLIENTS_SERVICE, account);
  } catch (error) {
    if (mustStop(error)) throw error;
    return undefined;
  }
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as { clientId?: unknown; clientSecret?: unknown; expiresAt?: unknown; scopes?: unknown };
    if (typeof value.clientId !== 'string' || typeof value.clientSecret !== 'string' || typeof value.expiresAt !== 'string' || !Array.isArray(value.scopes)) return undefined;
    registerSecret(value.clientSecret);
    const expiresAt = new Date(value.expiresAt);
    if (Number.isNaN(expiresAt.getTime())) return undefined;
    return { clientId: value.clientId, clientSecret: value.clientSecret, expiresAt, scopes: value.scopes.map(String) };
  } catch {
    return undefined;
  }
}
