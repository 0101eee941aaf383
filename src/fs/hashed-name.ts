/**
 * A file name made from free text (a cache key, a path, a reason): bounded,
 * made of hex digits only, and the same for the same text. Truncated SHA-256:
 * these names only have to tell a user's own few items apart, not resist an
 * attacker choosing collisions, so 128 bits (32 hex digits) is plenty.
 */
import { nodeCrypto } from '../base/node-crypto.js';

export function hashedName(parts: readonly (string | Uint8Array)[], hexDigits = 32): string {
  const hash = nodeCrypto().createHash('sha256');
  parts.forEach((part, i) => {
    if (i > 0) hash.update('\0');
    hash.update(part);
  });
  return hash.digest('hex').slice(0, hexDigits);
}
