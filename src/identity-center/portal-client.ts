/**
 * The only module that touches @aws-sdk/client-sso (the IAM Identity Center
 * portal API), loaded at first use: a warm exec over an SSO profile, served
 * from the session cache, never pays for it. Every call is made with an
 * access token, never with AWS keys, in the Identity Center's region
 * (sso_region), at AWS_ENDPOINT_URL_SSO when set.
 */
import { CredentialError, RolecallError } from '../base/errors.js';
import type { Credentials } from '../config/credentials.js';
import type { ServiceTarget } from '../config/sdk-client-options.js';
import { registerSecret, redact } from '../log/redact.js';

/** sso_region, and the endpoint from AWS_ENDPOINT_URL_SSO (config/service-endpoint.ts). */
export type PortalTarget = ServiceTarget;

export interface PortalAccount {
  readonly accountId: string;
  readonly accountName?: string;
  readonly emailAddress?: string;
}

export interface PortalRole {
  readonly accountId: string;
  readonly roleName: string;
}

/**
 * The portal refused the token (UnauthorizedException): it expired, was
 * revoked by a sign-out, or belongs to another instance. Its own class so a
 * caller can forget the token and ask for a new one.
 */
export class TokenRefusedError extends RolecallError {
  override readonly name = 'TokenRefusedError';
}

type SsoModule = typeof import('@aws-sdk/client-sso');
let sdk: Promise<SsoModule> | undefined;

function loadSdk(): Promise<SsoModule> {
  // The SDK warns on stderr about Node 20 at its first call (config/sdk-client-options.ts says why this is set here).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  sdk ??= import('@aws-sdk/client-sso');
  return sdk;
}

async function client(target: PortalTarget) {
  const { SSOClient } = await loadSdk();
  // The portal's operations are unsigned (the token is a header): the SDK is
  // given no credentials to look for, so it reads nothing under ~/.aws.
  return new SSOClient({ region: target.region, ...(target.endpoint ? { endpoint: target.endpoint } : {}), maxAttempts: 3 });
}

export async function getRoleCredentials(target: PortalTarget, accessToken: string, accountId: string, roleName: string): Promise<Credentials & { expiration: Date }> {
  const { GetRoleCredentialsCommand } = await loadSdk();
  const portal = await client(target);
  const call = `GetRoleCredentials ${accountId}/${roleName}`;
  try {
    const out = await portal.send(new GetRoleCredentialsCommand({ accessToken, accountId, roleName }));
    const c = out.roleCredentials;
    if (!c?.accessKeyId || !c.secretAccessKey || !c.sessionToken || !c.expiration) throw new CredentialError(`${call} returned no credentials`);
    registerSecret(c.secretAccessKey);
    registerSecret(c.sessionToken);
    // The portal gives the expiry in epoch milliseconds.
    return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: new Date(c.expiration) };
  } catch (error) {
    throw portalError(call, error, target);
  } finally {
    portal.destroy();
  }
}

/** Every account the token can reach, all pages. */
export async function listAccounts(target: PortalTarget, accessToken: string): Promise<PortalAccount[]> {
  const { ListAccountsCommand } = await loadSdk();
  const portal = await client(target);
  const accounts: PortalAccount[] = [];
  try {
    let nextToken: string | undefined;
    do {
      const out = await portal.send(new ListAccountsCommand({ accessToken, ...(nextToken ? { nextToken } : {}) }));
      for (const a of out.accountList ?? []) {
        if (!a.accountId) continue;
        accounts.push({ accountId: a.accountId, ...(a.accountName ? { accountName: a.accountName } : {}), ...(a.emailAddress ? { emailAddress: a.emailAddress } : {}) });
      }
      nextToken = out.nextToken || undefined;
    } while (nextToken);
    return accounts;
  } catch (error) {
    throw portalError('ListAccounts', error, target);
  } finally {
    portal.destroy();
  }
}

/** The roles the token can take in one account, all pages. */
export async function listAccountRoles(target: PortalTarget, accessToken: string, accountId: string): Promise<PortalRole[]> {
  const { ListAccountRolesCommand } = await loadSdk();
  const portal = await client(target);
  const roles: PortalRole[] = [];
  try {
    let nextToken: string | undefined;
    do {
      const out = await portal.send(new ListAccountRolesCommand({ accessToken, accountId, ...(nextToken ? { nextToken } : {}) }));
      for (const r of out.roleList ?? []) if (r.roleName) roles.push({ accountId: r.accountId ?? accountId, roleName: r.roleName });
      nextToken = out.nextToken || undefined;
    } while (nextToken);
    return roles;
  } catch (error) {
    throw portalError(`ListAccountRoles ${accountId}`, error, target);
  } finally {
    portal.destroy();
  }
}

/** Signs the token out at the portal: it and the role sessions' refresh by it end there. */
export async function logout(target: PortalTarget, accessToken: string): Promise<void> {
  const { LogoutCommand } = await loadSdk();
  const portal = await client(target);
  try {
    await portal.send(new LogoutCommand({ accessToken }));
  } catch (error) {
    throw portalError('Logout', error, target);
  } finally {
    portal.destroy();
  }
}

function portalError(call: string, error: unknown, target: PortalTarget): RolecallError {
  if (error instanceof RolecallError) return error;
  const e = error as { name?: string; message?: string };
  const name = e.name && e.name !== 'Error' ? `${e.name}: ` : '';
  const line = redact(`${call} failed: ${name}${(e.message ?? String(error)).split('\n')[0] ?? ''}`);
  if (e.name === 'UnauthorizedException') return new TokenRefusedError(line);
  return new CredentialError(`${line}${hintFor(`${name}${e.message ?? ''}`, target)}`);
}

/** What to do about the failures people meet at the portal. */
function hintFor(text: string, target: PortalTarget): string {
  if (/ForbiddenException|ResourceNotFoundException/.test(text)) {
    return '; the token cannot reach that account or role: check sso_account_id and sso_role_name (`rolecall sso profiles` lists what it can reach)';
  }
  if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|ECONNRESET|socket hang up/i.test(text)) {
    return target.endpoint ? `; the portal is at ${target.endpoint} (AWS_ENDPOINT_URL_SSO or AWS_ENDPOINT_URL): is it up?` : `; is sso_region "${target.region}" right? if it is, check the network`;
  }
  return '';
}
