/**
 * The only module that touches @aws-sdk/client-sso (the IAM Identity Center
 * portal API), loaded at first use: a warm exec over an SSO profile, served
 * from the session cache, never pays for it. Every call is made with an
 * access token, never with AWS keys, in the Identity Center's region
 * (sso_region), at AWS_ENDPOINT_URL_SSO when set.
 */
import { CredentialError, RolecallError } from '../base/errors.js';
import type { Credentials } from '../config/credentials.js';
import { notTheService, sdkClientOptions, sdkErrorLine, unreachable, withinDeadline, type ServiceTarget } from '../config/sdk-client-options.js';
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
  sdk ??= import('@aws-sdk/client-sso');
  return sdk;
}

type SsoClient = InstanceType<SsoModule['SSOClient']>;

/** One call to the portal: a client for it, its failure as a one-line error naming `call`, the client closed. */
async function withPortal<T>(target: PortalTarget, call: string, use: (portal: SsoClient, sdk: SsoModule) => Promise<T>): Promise<T> {
  const sdk = await loadSdk();
  // The portal's operations are unsigned (the token is a header): the SDK is
  // given no credentials to look for, so it reads nothing under ~/.aws.
  const portal = new sdk.SSOClient(sdkClientOptions(target, undefined));
  try {
    return await use(portal, sdk);
  } catch (error) {
    throw portalError(call, error, target);
  } finally {
    portal.destroy();
  }
}

/** Every page of a listing: `page` is asked with each nextToken the one before gave. */
async function allPages<T>(page: (nextToken: string | undefined) => Promise<{ items: T[]; nextToken?: string | undefined }>): Promise<T[]> {
  const items: T[] = [];
  let nextToken: string | undefined;
  do {
    const out = await page(nextToken);
    items.push(...out.items);
    nextToken = out.nextToken || undefined;
  } while (nextToken);
  return items;
}

export async function getRoleCredentials(target: PortalTarget, accessToken: string, accountId: string, roleName: string): Promise<Credentials & { expiration: Date }> {
  const call = `GetRoleCredentials ${accountId}/${roleName}`;
  return withPortal(target, call, async (portal, sdk) => {
    const out = await withinDeadline((abortSignal) => portal.send(new sdk.GetRoleCredentialsCommand({ accessToken, accountId, roleName }), { abortSignal }));
    const c = out.roleCredentials;
    if (!c?.accessKeyId || !c.secretAccessKey || !c.sessionToken || !c.expiration) throw new CredentialError(`${call} returned no credentials`);
    registerSecret(c.secretAccessKey);
    registerSecret(c.sessionToken);
    // The portal gives the expiry in epoch milliseconds.
    return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: new Date(c.expiration) };
  });
}

/** Every account the token can reach. */
export async function listAccounts(target: PortalTarget, accessToken: string): Promise<PortalAccount[]> {
  return withPortal(target, 'ListAccounts', (portal, sdk) =>
    allPages(async (nextToken) => {
      const out = await withinDeadline((abortSignal) => portal.send(new sdk.ListAccountsCommand({ accessToken, ...(nextToken ? { nextToken } : {}) }), { abortSignal }));
      const items = (out.accountList ?? []).flatMap((a) =>
        a.accountId ? [{ accountId: a.accountId, ...(a.accountName ? { accountName: a.accountName } : {}), ...(a.emailAddress ? { emailAddress: a.emailAddress } : {}) }] : [],
      );
      return { items, nextToken: out.nextToken };
    }),
  );
}

/** The roles the token can take in one account. */
export async function listAccountRoles(target: PortalTarget, accessToken: string, accountId: string): Promise<PortalRole[]> {
  return withPortal(target, `ListAccountRoles ${accountId}`, (portal, sdk) =>
    allPages(async (nextToken) => {
      const out = await withinDeadline((abortSignal) => portal.send(new sdk.ListAccountRolesCommand({ accessToken, accountId, ...(nextToken ? { nextToken } : {}) }), { abortSignal }));
      const items = (out.roleList ?? []).flatMap((r) => (r.roleName ? [{ accountId: r.accountId ?? accountId, roleName: r.roleName }] : []));
      return { items, nextToken: out.nextToken };
    }),
  );
}

/** Signs the token out at the portal: it (and its refresh token) are of no more use. */
export async function logout(target: PortalTarget, accessToken: string): Promise<void> {
  await withPortal(target, 'Logout', (portal, sdk) => withinDeadline((abortSignal) => portal.send(new sdk.LogoutCommand({ accessToken }), { abortSignal })));
}

function portalError(call: string, error: unknown, target: PortalTarget): RolecallError {
  if (error instanceof RolecallError) return error;
  const text = sdkErrorLine(error);
  const line = redact(`${call} failed: ${text}`);
  if ((error as { name?: string }).name === 'UnauthorizedException') return new TokenRefusedError(line);
  return new CredentialError(`${line}${hintFor(text, target)}`);
}

/** What to do about the failures people meet at the portal. */
function hintFor(text: string, target: PortalTarget): string {
  if (/ForbiddenException|ResourceNotFoundException/.test(text)) {
    return '; the token cannot reach that account or role: check sso_account_id and sso_role_name (`rolecall sso profiles` lists what it can reach)';
  }
  if (unreachable(text)) {
    return target.endpoint ? `; the portal is at ${target.endpoint} (AWS_ENDPOINT_URL_SSO or AWS_ENDPOINT_URL): is it up?` : `; is sso_region "${target.region}" right? if it is, check the network`;
  }
  if (notTheService(text)) {
    return `; ${target.endpoint ?? `the portal in ${target.region}`} did not answer as IAM Identity Center does: check AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL and any proxy`;
  }
  return '';
}
