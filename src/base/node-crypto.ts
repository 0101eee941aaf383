/**
 * node:crypto, loaded at its first use. Loading it costs a start 4 to 5 ms
 * on Node 20 and 9 to 12 ms on Node 24 (which starts OpenSSL with it): more
 * than all of a warm exec's own work with the agent, or of a steady prompt's
 * hook-env. A bundle hoists a static import to its top, where it would be
 * loaded by every command, so src/ takes node:crypto from here only (and
 * the names rolecall hashes from text, from sha256.ts, which needs none).
 */
import { createRequire } from 'node:module';

type NodeCrypto = typeof import('node:crypto');

let loaded: NodeCrypto | undefined;

export function nodeCrypto(): NodeCrypto {
  loaded ??= createRequire(import.meta.url)('node:crypto') as NodeCrypto;
  return loaded;
}
