/**
 * The AWS CLI's own token cache, ~/.aws/sso/cache/SHA1.json, in the format
 * botocore and the AWS CLI v2 read and write (botocore's SSOTokenLoader and
 * SSOTokenProvider): the file is named by the SHA-1 of the sso-session's
 * name, or of the start URL for the legacy form. It is plain text (0600):
 * rolecall reads it always (a user who ran `aws sso login` is not asked
 * again) and writes it only when the session is shared with the AWS CLI.
 */
import { nodeCrypto } from '../base/node-crypto.js';
import { readFileSync, unlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Env } from '../base/env.js';
import { ensurePrivateDir, writePrivateFile } from '../fs/private-files.js';
import { debug } from '../log/debug-log.js';
import { registerSecret } from '../log/redact.js';
import type { SsoSession, SsoToken } from './sso-token.js';

export function awsCliTokenPath(env: Env, session: SsoSession): string {
  const name = nodeCrypto().createHash('sha1').update(session.name ?? session.startUrl, 'utf8').digest('hex');
  return join(env.HOME || homedir(), '.aws', 'sso', 'cache', `${name}.json`);
}

/** The token the AWS CLI keeps for the session; undefined when there is none it could use. */
export function readAwsCliToken(env: Env, session: SsoSession): SsoToken | undefined {
  const path = awsCliTokenPath(env, session);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') debug(`the AWS CLI's token cache ${path} cannot be read: ${code ?? 'not JSON'}`);
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const expiresAt = typeof v.expiresAt === 'string' ? new Date(v.expiresAt) : undefined;
  if (typeof v.accessToken !== 'string' || !v.accessToken || !expiresAt || Number.isNaN(expiresAt.getTime())) return undefined;
  // Named by the session's name only: after sso_start_url was edited, the file is the old instance's.
  if (typeof v.startUrl === 'string' && v.startUrl !== session.startUrl) {
    debug(`the AWS CLI's token for ${session.name ?? session.startUrl} is for ${v.startUrl}, not ${session.startUrl}: not used`);
    return undefined;
  }
  registerSecret(v.accessToken);
  const refreshToken = typeof v.refreshToken === 'string' && v.refreshToken ? v.refreshToken : undefined;
  registerSecret(refreshToken);
  const registrationEnd = typeof v.registrationExpiresAt === 'string' ? new Date(v.registrationExpiresAt) : undefined;
  const hasRegistration = typeof v.clientId === 'string' && typeof v.clientSecret === 'string' && registrationEnd && !Number.isNaN(registrationEnd.getTime());
  if (hasRegistration) registerSecret(v.clientSecret as string);
  return {
    accessToken: v.accessToken,
    expiresAt,
    ...(refreshToken ? { refreshToken } : {}),
    ...(hasRegistration
      ? { registration: { clientId: v.clientId as string, clientSecret: v.clientSecret as string, expiresAt: registrationEnd, scopes: session.scopes } }
      : {}),
  };
}

/** Writes the token as the AWS CLI v2 does, 0600, atomically, so `aws --profile` and the SDKs use it. */
export function writeAwsCliToken(env: Env, session: SsoSession, token: SsoToken): string {
  const path = awsCliTokenPath(env, session);
  const registration = token.registration;
  const content = {
    startUrl: session.startUrl,
    region: session.region,
    accessToken: token.accessToken,
    expiresAt: utcSeconds(token.expiresAt),
    ...(registration ? { clientId: registration.clientId, clientSecret: registration.clientSecret, registrationExpiresAt: utcSeconds(registration.expiresAt) } : {}),
    ...(token.refreshToken ? { refreshToken: token.refreshToken } : {}),
  };
  ensurePrivateDir(dirname(path));
  writePrivateFile(path, `${JSON.stringify(content)}\n`);
  return path;
}

/** Removes the AWS CLI's copy; true when there was one. */
export function removeAwsCliToken(env: Env, session: SsoSession): boolean {
  try {
    unlinkSync(awsCliTokenPath(env, session));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** "2026-12-01T10:00:00Z": the AWS CLI's own form, which every reader of the cache parses. */
function utcSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
