/**
 * The only module that touches @aws-sdk/client-sso-oidc (IAM Identity
 * Center's OIDC API), loaded at first use: only a login or a refresh pays for
 * it. RegisterClient, StartDeviceAuthorization and CreateToken take no AWS
 * keys (the client's id and secret are in the body), so the SDK is given no
 * credentials to look for and reads nothing under ~/.aws.
 *
 * Every secret that comes back (client secret, device code, access and
 * refresh tokens) is registered for redaction before it is returned.
 */
import { CredentialError, RolecallError } from '../base/errors.js';
import type { Env } from '../base/env.js';
import { notTheService, sdkClientOptions, sdkErrorLine, unreachable, withinDeadline, type ServiceTarget } from '../config/sdk-client-options.js';
import { partitionOf } from '../config/partition.js';
import { serviceEndpoint } from '../config/service-endpoint.js';
import type { SsoSession } from '../config/sso-session.js';
import { registerSecret, redact } from '../log/redact.js';

/** sso_region, and the endpoint from AWS_ENDPOINT_URL_SSO_OIDC (config/service-endpoint.ts). */
export type OidcTarget = ServiceTarget;

export const GRANT_AUTHORIZATION_CODE = 'authorization_code';
export const GRANT_DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';
export const GRANT_REFRESH_TOKEN = 'refresh_token';

export interface RegisteredClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly expiresAt: Date;
}

export interface RegisterInput {
  readonly clientName: string;
  readonly scopes: readonly string[];
  readonly grantTypes: readonly string[];
  /** The PKCE flow's loopback redirect (the port is not part of what is registered). */
  readonly redirectUris?: readonly string[];
  /** The start URL: a client with grant types must name the issuer. */
  readonly issuerUrl?: string;
}

export interface DeviceAuthorization {
  readonly deviceCode: string;
  readonly userCode: string;
  readonly verificationUri: string;
  readonly verificationUriComplete?: string;
  readonly expiresInSeconds: number;
  readonly intervalSeconds: number;
}

export type TokenGrant =
  | { readonly grantType: typeof GRANT_AUTHORIZATION_CODE; readonly code: string; readonly codeVerifier: string; readonly redirectUri: string }
  | { readonly grantType: typeof GRANT_DEVICE_CODE; readonly deviceCode: string }
  | { readonly grantType: typeof GRANT_REFRESH_TOKEN; readonly refreshToken: string };

export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresInSeconds: number;
  readonly refreshToken?: string;
}

/**
 * The OAuth errors CreateToken answers with (RFC 8628 §3.5, RFC 6749 §5.2),
 * by their OAuth names: a device-code poll goes on after authorization_pending
 * and slows down after slow_down; the others end it.
 */
export class OidcError extends RolecallError {
  override readonly name = 'OidcError';
  // Identity Center answers every process asking for the same session the same way.
  override sharedWithWaiters = true;
  constructor(
    message: string,
    readonly oauthError: string | undefined,
  ) {
    super(message);
  }
}

type OidcModule = typeof import('@aws-sdk/client-sso-oidc');
let sdk: Promise<OidcModule> | undefined;

function loadSdk(): Promise<OidcModule> {
  sdk ??= import('@aws-sdk/client-sso-oidc');
  return sdk;
}

async function client(target: OidcTarget) {
  const { SSOOIDCClient } = await loadSdk();
  return new SSOOIDCClient(sdkClientOptions(target, undefined));
}

/** Where a session's OIDC API is called: in its sso_region, at AWS_ENDPOINT_URL_SSO_OIDC, then AWS_ENDPOINT_URL, when set. */
export function oidcTarget(session: SsoSession, env: Env): OidcTarget {
  const endpoint = serviceEndpoint(env, 'SSO_OIDC');
  return { region: session.region, ...(endpoint ? { endpoint } : {}) };
}

/** The base URL the OIDC API is at: the authorize page of the PKCE flow is built on it, so AWS_ENDPOINT_URL_SSO_OIDC moves it too. */
export function oidcBaseUrl(target: OidcTarget): string {
  // The region's partition: the SDK calls oidc.cn-north-1.amazonaws.com.cn in China, so the page must be there too.
  return (target.endpoint ?? `https://oidc.${target.region}.${partitionOf(target.region).dnsSuffix}`).replace(/\/+$/, '');
}

export async function registerClient(target: OidcTarget, input: RegisterInput): Promise<RegisteredClient> {
  const { RegisterClientCommand } = await loadSdk();
  const oidc = await client(target);
  try {
    const out = await withinDeadline((abortSignal) => oidc.send(
      new RegisterClientCommand({
        clientName: input.clientName,
        clientType: 'public',
        scopes: [...input.scopes],
        grantTypes: [...input.grantTypes],
        ...(input.redirectUris ? { redirectUris: [...input.redirectUris] } : {}),
        ...(input.issuerUrl ? { issuerUrl: input.issuerUrl } : {}),
      }),
      { abortSignal },
    ));
    if (!out.clientId || !out.clientSecret || !out.clientSecretExpiresAt) throw new CredentialError('RegisterClient returned no client');
    registerSecret(out.clientSecret);
    // Seconds since the epoch.
    return { clientId: out.clientId, clientSecret: out.clientSecret, expiresAt: new Date(out.clientSecretExpiresAt * 1000) };
  } catch (error) {
    throw oidcError('RegisterClient', error, target);
  } finally {
    oidc.destroy();
  }
}

export async function startDeviceAuthorization(target: OidcTarget, registered: RegisteredClient, startUrl: string): Promise<DeviceAuthorization> {
  const { StartDeviceAuthorizationCommand } = await loadSdk();
  const oidc = await client(target);
  try {
    const out = await withinDeadline((abortSignal) => oidc.send(new StartDeviceAuthorizationCommand({ clientId: registered.clientId, clientSecret: registered.clientSecret, startUrl }), { abortSignal }));
    if (!out.deviceCode || !out.userCode || !out.verificationUri) throw new CredentialError('StartDeviceAuthorization returned no device code');
    registerSecret(out.deviceCode);
    return {
      deviceCode: out.deviceCode,
      userCode: out.userCode,
      verificationUri: out.verificationUri,
      ...(out.verificationUriComplete ? { verificationUriComplete: out.verificationUriComplete } : {}),
      expiresInSeconds: out.expiresIn ?? 600,
      intervalSeconds: out.interval ?? 5,
    };
  } catch (error) {
    throw oidcError('StartDeviceAuthorization', error, target);
  } finally {
    oidc.destroy();
  }
}

/** `abortSignal`: a sign-in's Ctrl-C, which must not wait for an answer that may never come (its socket would keep Node running). */
export async function createToken(target: OidcTarget, registered: RegisteredClient, grant: TokenGrant, abortSignal?: AbortSignal): Promise<IssuedToken> {
  const { CreateTokenCommand } = await loadSdk();
  const oidc = await client(target);
  const call = `CreateToken (${grant.grantType === GRANT_DEVICE_CODE ? 'device_code' : grant.grantType})`;
  try {
    const out = await withinDeadline((signal) => oidc.send(
      new CreateTokenCommand({
        clientId: registered.clientId,
        clientSecret: registered.clientSecret,
        grantType: grant.grantType,
        ...(grant.grantType === GRANT_AUTHORIZATION_CODE ? { code: grant.code, codeVerifier: grant.codeVerifier, redirectUri: grant.redirectUri } : {}),
        ...(grant.grantType === GRANT_DEVICE_CODE ? { deviceCode: grant.deviceCode } : {}),
        ...(grant.grantType === GRANT_REFRESH_TOKEN ? { refreshToken: grant.refreshToken } : {}),
      }),
      { abortSignal: signal },
    ), abortSignal);
    if (!out.accessToken || !out.expiresIn) throw new CredentialError(`${call} returned no token`);
    registerSecret(out.accessToken);
    registerSecret(out.refreshToken);
    return { accessToken: out.accessToken, expiresInSeconds: out.expiresIn, ...(out.refreshToken ? { refreshToken: out.refreshToken } : {}) };
  } catch (error) {
    throw oidcError(call, error, target);
  } finally {
    oidc.destroy();
  }
}

function oidcError(call: string, error: unknown, target: OidcTarget): RolecallError {
  if (error instanceof RolecallError) return error;
  const e = error as { name?: string; error?: string; error_description?: string };
  const oauth = e.error ?? oauthNameOf(e.name);
  // An OAuth error is named by its OAuth name and described by the service; anything else as every SDK error is.
  const text = oauth ? `${oauth}: ${(e.error_description ?? '').split('\n')[0]}` : sdkErrorLine(error);
  const where = target.endpoint ?? `IAM Identity Center in ${target.region}`;
  const hint = unreachable(text)
    ? `; ${where} is out of reach (sso_region, AWS_ENDPOINT_URL_SSO_OIDC): check it and the network`
    : notTheService(text)
      ? `; ${where} did not answer as IAM Identity Center does: check AWS_ENDPOINT_URL_SSO_OIDC, AWS_ENDPOINT_URL and any proxy`
      : '';
  return new OidcError(redact(`${call} failed: ${text}${hint}`), oauth);
}

/** AuthorizationPendingException → authorization_pending, as the OAuth error the exception stands for. */
function oauthNameOf(exception: string | undefined): string | undefined {
  const known: Record<string, string> = {
    AuthorizationPendingException: 'authorization_pending',
    SlowDownException: 'slow_down',
    ExpiredTokenException: 'expired_token',
    AccessDeniedException: 'access_denied',
    InvalidGrantException: 'invalid_grant',
    InvalidClientException: 'invalid_client',
    InvalidRequestException: 'invalid_request',
    UnauthorizedClientException: 'unauthorized_client',
  };
  return exception ? known[exception] : undefined;
}
