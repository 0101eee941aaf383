/**
 * Base keys as the vault stores them: JSON of StaticKeys under KEYS_SERVICE,
 * account = profile name. Also the shape checks `add` and `import` make
 * before storing anything, so a typo is caught at once rather than at the
 * first STS call. No message here ever quotes a secret.
 */
import type { StaticKeys } from '../config/plan.js';
import { maskKeyId } from '../log/redact.js';
import { RolecallError } from '../base/errors.js';
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
  const idProblem = accessKeyIdProblem(keys.accessKeyId);
  if (idProblem) throw new RolecallError(`${where}: ${idProblem}`);
  if (!/^[A-Za-z0-9/+=]{30,}$/.test(keys.secretAccessKey)) {
    throw new RolecallError(`${where}: the secret access key for ${maskKeyId(keys.accessKeyId)} does not look like one (${keys.secretAccessKey.length} characters; expected 40 of letters, digits, / and +)`);
  }
  if (keys.accessKeyId.startsWith('ASIA') && !keys.sessionToken) {
    throw new RolecallError(`${where}: ${maskKeyId(keys.accessKeyId)} is a temporary key (ASIA…), which needs a session token; store a long-term key (AKIA…)`);
  }
}

/** What is wrong with an access key id's shape, or undefined; `add` asks again on it before the secret. */
export function accessKeyIdProblem(accessKeyId: string): string | undefined {
  if (/^[A-Z0-9]{16,128}$/.test(accessKeyId)) return undefined;
  // A long or spaced value may be the secret pasted in the wrong place: not quoted.
  const shown = accessKeyId.length > 24 || /\s/.test(accessKeyId) ? `${accessKeyId.length} characters` : `"${accessKeyId}"`;
  return `the access key id (${shown}) is not 16 to 128 capital letters and digits, like AKIAIOSFODNN7EXAMPLE`;
}
