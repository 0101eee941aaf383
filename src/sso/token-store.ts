/**
 * Where IAM Identity Center tokens are kept: the vault (service
 * "rolecall-sso-tokens", the keychain or the encrypted file, never plain
 * text), and the AWS CLI's cache (aws-cli-token-cache.ts), read always and
 * written only for a session shared with the AWS CLI.
 */
import { errorLine, mustStop } from '../base/errors.js';
import { ssoSessionLabel } from '../config/sso-session.js';
import { debug, note } from '../log/debug-log.js';
import { registerSecret } from '../log/redact.js';
import { SSO_TOKENS_SERVICE } from '../vault/vault.js';
import { readAwsCliToken, removeAwsCliToken, writeAwsCliToken } from './aws-cli-token-cache.js';
import { nowOf, type SsoContext } from './sso-context.js';
import type { SsoClientRegistration, SsoSession, SsoToken } from './sso-token.js';

/** A token with less life left than this is refreshed (or signed in again) before use: botocore's window. */
export const TOKEN_REFRESH_WINDOW_MS = 15 * 60 * 1000;

/** Where a token was found, for --debug and for sharing it with the AWS CLI. */
export type TokenPlace = 'vault' | 'aws-cli';

export interface StoredToken {
  readonly token: SsoToken;
  readonly from: TokenPlace;
}

/** The vault account of a session: its name, or the start URL of the legacy form. */
export function tokenAccount(session: SsoSession): string {
  return session.name !== undefined ? `sso-session:${session.name}` : `start-url:${session.startUrl}`;
}

/**
 * The token to use or to refresh: the first of the vault's and the AWS
 * CLI's with more than the refresh window left, else the one a refresh can
 * renew, else the one that lasts longest; undefined when neither has one.
 */
export async function loadToken(session: SsoSession, context: SsoContext): Promise<SsoToken | undefined> {
  return (await loadStoredToken(session, context))?.token;
}

export async function loadStoredToken(session: SsoSession, context: SsoContext): Promise<StoredToken | undefined> {
  const found: StoredToken[] = [];
  const fromVault = await vaultToken(session, context);
  if (fromVault) found.push({ token: fromVault, from: 'vault' });
  const fromAwsCli = readAwsCliToken(context.env, session);
  if (fromAwsCli) found.push({ token: fromAwsCli, from: 'aws-cli' });
  const now = nowOf(context);
  const pick =
    found.find(({ token }) => token.expiresAt.getTime() - now > TOKEN_REFRESH_WINDOW_MS) ??
    found.find(({ token }) => canRefresh(token, now)) ??
    [...found].sort((a, b) => b.token.expiresAt.getTime() - a.token.expiresAt.getTime())[0];
  if (pick) debug(`IAM Identity Center token for ${ssoSessionLabel(session)} from ${pick.from === 'vault' ? 'the vault' : "the AWS CLI's cache"}, expires ${pick.token.expiresAt.toISOString()}`);
  return pick;
}

/** A refresh token and a registration that has not expired: CreateToken can renew it without a browser. */
export function canRefresh(token: SsoToken, now: number): boolean {
  return Boolean(token.refreshToken && token.registration && token.registration.expiresAt.getTime() > now);
}

/**
 * Keeps the token in the vault, and in the AWS CLI's cache too when the
 * AWS CLI reads this token's line there: the session is shared, the token it
 * replaces was shared (the vault entry says so), or the AWS CLI's file holds
 * that token or one of its line (same refresh token or client). A refresh
 * spends the refresh token the file holds: the AWS CLI gets the new one, or
 * it is left with a token it can neither use nor renew. `predecessor`: the
 * token renewed (a refresh); else the vault's entry is the one replaced.
 */
export async function saveToken(session: SsoSession, token: SsoToken, context: SsoContext, predecessor?: SsoToken): Promise<void> {
  const vault = await context.vault();
  const replaced = predecessor ?? (await vaultToken(session, context));
  const inFile = readAwsCliToken(context.env, session);
  const share = session.shareWithAwsCli || Boolean(replaced?.sharedWithAwsCli) || (inFile !== undefined && replaced !== undefined && sameLine(inFile, replaced));
  const kept = share ? { ...token, sharedWithAwsCli: true } : token;
  await vault.set(SSO_TOKENS_SERVICE, tokenAccount(session), encodeToken(session, kept));
  if (share) shareToken(session, kept, context);
}

/** Tokens of one line: the same token, or one renewed from the other (the same refresh token, or issued to the same client). */
function sameLine(a: SsoToken, b: SsoToken): boolean {
  if (a.accessToken === b.accessToken) return true;
  if (a.refreshToken !== undefined && a.refreshToken === b.refreshToken) return true;
  return a.registration !== undefined && a.registration.clientId === b.registration?.clientId;
}

/**
 * Writes the token to the AWS CLI's cache, unless the file holds it
 * already (a shared session whose token was got before sharing was on), or
 * a newer one (the AWS CLI refreshed it itself: its copy is the one to keep).
 */
export function shareToken(session: SsoSession, token: SsoToken, context: SsoContext): void {
  const inFile = readAwsCliToken(context.env, session);
  if (inFile?.accessToken === token.accessToken) return;
  if (inFile && inFile.expiresAt.getTime() > token.expiresAt.getTime() && sameLine(inFile, token)) return;
  try {
    const path = writeAwsCliToken(context.env, session, token);
    debug(`IAM Identity Center token for ${ssoSessionLabel(session)} shared with the AWS CLI at ${path}`);
  } catch (error) {
    // The AWS CLI's copy is a convenience: the command goes on with the token it has.
    note(`the IAM Identity Center token for ${ssoSessionLabel(session)} is not shared with the AWS CLI: ${errorLine(error)}`);
  }
}

/** Every token kept for the session, each once: the vault's and the AWS CLI's (logout signs out each). */
export async function keptTokens(session: SsoSession, context: SsoContext): Promise<SsoToken[]> {
  const found = [await vaultToken(session, context), readAwsCliToken(context.env, session)].filter((t): t is SsoToken => t !== undefined);
  return found.filter((token, i) => found.findIndex((other) => other.accessToken === token.accessToken) === i);
}

/**
 * Forgets the session's tokens (logout): the vault's, and the AWS CLI's file
 * whenever rolecall wrote it (shared) or it holds a token of this session
 * (its start URL): a signed-out token, its refresh token and the client
 * secret are not left behind in plain text.
 */
export async function forgetToken(session: SsoSession, context: SsoContext): Promise<void> {
  const vault = await context.vault();
  const kept = await vaultToken(session, context);
  await vault.remove(SSO_TOKENS_SERVICE, tokenAccount(session));
  if (session.shareWithAwsCli || kept?.sharedWithAwsCli || readAwsCliToken(context.env, session)) removeAwsCliToken(context.env, session);
}

/**
 * Forgets a token the portal refused, only where it is still the one kept:
 * the vault's entry, and the AWS CLI's file (a refused token is of no use to
 * the AWS CLI either), each while it holds that very token. Another command
 * may have stored a newer one meanwhile (a sign-in in a second tab): that
 * one stays. The caller holds the token's lock (role-credentials.ts).
 */
export async function forgetRefusedToken(session: SsoSession, context: SsoContext, refused: string): Promise<void> {
  if ((await vaultToken(session, context))?.accessToken === refused) {
    await (await context.vault()).remove(SSO_TOKENS_SERVICE, tokenAccount(session));
    debug(`the refused IAM Identity Center token of ${ssoSessionLabel(session)} is forgotten`);
  }
  if (readAwsCliToken(context.env, session)?.accessToken === refused) removeAwsCliToken(context.env, session);
}

async function vaultToken(session: SsoSession, context: SsoContext): Promise<SsoToken | undefined> {
  let text: string | undefined;
  try {
    const vault = await context.vault();
    text = await vault.get(SSO_TOKENS_SERVICE, tokenAccount(session));
  } catch (error) {
    // A wrong passphrase or a Ctrl-C stops the command; a vault that is not there yet has no token.
    if (mustStop(error)) throw error;
    debug(`no IAM Identity Center token from the vault: ${(error as Error).message}`);
    return undefined;
  }
  return text === undefined ? undefined : decodeToken(session, text);
}

interface EncodedToken {
  readonly version: 1;
  readonly startUrl: string;
  readonly region: string;
  readonly accessToken: string;
  readonly expiresAt: string;
  readonly refreshToken?: string;
  readonly registration?: { clientId: string; clientSecret: string; expiresAt: string; scopes: readonly string[] };
  /** Written to the AWS CLI's cache as well (SsoToken.sharedWithAwsCli). */
  readonly sharedWithAwsCli?: true;
}

export function encodeToken(session: SsoSession, token: SsoToken): string {
  const r = token.registration;
  const encoded: EncodedToken = {
    version: 1,
    startUrl: session.startUrl,
    region: session.region,
    accessToken: token.accessToken,
    expiresAt: token.expiresAt.toISOString(),
    ...(token.refreshToken ? { refreshToken: token.refreshToken } : {}),
    ...(r ? { registration: { clientId: r.clientId, clientSecret: r.clientSecret, expiresAt: r.expiresAt.toISOString(), scopes: [...r.scopes] } } : {}),
    ...(token.sharedWithAwsCli ? { sharedWithAwsCli: true as const } : {}),
  };
  return JSON.stringify(encoded);
}

/** Undefined for an entry this version did not write, or one for another start URL (the section was edited). */
export function decodeToken(session: SsoSession, text: string): SsoToken | undefined {
  let v: Partial<EncodedToken>;
  try {
    v = JSON.parse(text) as Partial<EncodedToken>;
  } catch {
    return undefined;
  }
  if (v?.version !== 1 || typeof v.accessToken !== 'string' || typeof v.expiresAt !== 'string' || v.startUrl !== session.startUrl) return undefined;
  const expiresAt = new Date(v.expiresAt);
  if (Number.isNaN(expiresAt.getTime())) return undefined;
  registerSecret(v.accessToken);
  registerSecret(v.refreshToken);
  registerSecret(v.registration?.clientSecret);
  const registration: SsoClientRegistration | undefined = v.registration
    ? { clientId: v.registration.clientId, clientSecret: v.registration.clientSecret, expiresAt: new Date(v.registration.expiresAt), scopes: v.registration.scopes }
    : undefined;
  return {
    accessToken: v.accessToken,
    expiresAt,
    ...(v.refreshToken ? { refreshToken: v.refreshToken } : {}),
    ...(registration ? { registration } : {}),
    ...(v.sharedWithAwsCli === true ? { sharedWithAwsCli: true } : {}),
  };
}
