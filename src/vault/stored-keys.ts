/**
 * Base keys as the vault stores them: JSON of StaticKeys under KEYS_SERVICE,
 * account = profile name. Also the shape checks `add` and `import` make
 * before storing anything, so a typo is caught at once rather than at the
 * first STS call. No message here ever quotes a secret.
 */
import type { StaticKeys } from '../config/plan.js';
import { maskKeyId } from '../credentials/credentials.js';
import { RolecallError } from '../errors.js';
import { registerSecret } from '../log/redact.js';

export function encodeKeys(keys: StaticKeys): string {
  return JSON.stringify({
    accessKeyId: keys.accessKeyId,
    secretAccessKey: keys.secretAccessKey,
    ...(keys.sessionToken ? { sessionToken: keys.sessionToken } : {}),
  });
}

/** The keys stored for `profile`; a value rolecall did not write is an error that says how to fix it. */
export function decodeKeys(text: string, profile: string, backend: string): StaticKeys {
  let parsed: Partial<Record<keyof StaticKeys, unknown>> | undefined;
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  const { accessKeyId, secretAccessKey, sessionToken } = parsed ?? {};
  if (typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string' || !accessKeyId || !secretAccessKey || (sessionToken !== undefined && typeof sessionToken !== 'string')) {
    throw new RolecallError(`the ${backend} vault's entry for profile "${profile}" is not keys rolecall wrote; store them again with \`rolecall add ${profile} --force\``);
  }
  registerSecret(secretAccessKey);
  registerSecret(sessionToken as string | undefined);
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken: sessionToken as string } : {}) };
}

/**
 * Access key ids are 16 to 128 capitals and digits (AKIA… for a user's
 * long-term key); secret keys are 40 characters of base64 today. The check
 * on the secret is loose on purpose (AWS may change its length), but
 * catches what a paste goes wrong with: spaces, quotes, a truncated value.
 */
export function checkKeyShape(keys: StaticKeys, where: string): void {
  registerSecret(keys.secretAccessKey);
  registerSecret(keys.sessionToken);
  if (!/^[A-Z0-9]{16,128}$/.test(keys.accessKeyId)) {
    const shown = keys.accessKeyId.length > 24 || /\s/.test(keys.accessKeyId) ? `${keys.accessKeyId.length} characters` : `"${keys.accessKeyId}"`;
    throw new RolecallError(`${where}: the access key id (${shown}) is not 16 to 128 capital letters and digits, like AKIAIOSFODNN7EXAMPLE`);
  }
  if (!/^[A-Za-z0-9/+=]{30,}$/.test(keys.secretAccessKey)) {
    throw new RolecallError(`${where}: the secret access key for ${maskKeyId(keys.accessKeyId)} does not look like one (${keys.secretAccessKey.length} characters; expected 40 of letters, digits, / and +)`);
  }
  if (keys.accessKeyId.startsWith('ASIA') && !keys.sessionToken) {
    throw new RolecallError(`${where}: ${maskKeyId(keys.accessKeyId)} is a temporary key (ASIA…), which needs a session token; store a long-term key (AKIA…)`);
  }
}
