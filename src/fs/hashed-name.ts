/**
 * A file name made from free text (a cache key, a path, a reason): bounded,
 * made of hex digits only, and the same for the same text. Truncated SHA-256:
 * these names only have to tell a user's own few items apart, not resist an
 * attacker choosing collisions, so 128 bits (32 hex digits) is plenty.
 */
import { sha256Hex } from '../base/sha256.js';

const SEPARATOR = Buffer.from([0]);

export function hashedName(parts: readonly (string | Uint8Array)[], hexDigits = 32): string {
  const bytes = parts.flatMap((part, i) => [...(i > 0 ? [SEPARATOR] : []), typeof part === 'string' ? Buffer.from(part, 'utf8') : part]);
  return sha256Hex(Buffer.concat(bytes)).slice(0, hexDigits);
}
