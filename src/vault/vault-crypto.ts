/**
 * The file vault's cryptography, all from node:crypto: a 256-bit key derived
 * from the passphrase with scrypt, and AES-256-GCM with a fresh random 96-bit
 * nonce for every write. GCM's tag authenticates the ciphertext and the
 * "additional data" (what the item is), so a flipped byte, a truncated file
 * or an item copied over another one fails to open instead of giving garbage.
 */
import { nodeCrypto } from '../base/node-crypto.js';

export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  /** base64 */
  readonly salt: string;
}

/**
 * N = 2^15, r = 8: 32 MiB and about 0.2 s on a CI machine, paid once per
 * process (the key is kept in memory after that). Stronger settings cost
 * every uncached exec that much more; the parameters are stored in the
 * vault header, so they can be raised later without breaking old vaults.
 */
export function newScryptParams(): ScryptParams {
  return { N: 2 ** 15, r: 8, p: 1, salt: nodeCrypto().randomBytes(16).toString('base64') };
}

const derivedKeys = new Map<string, Buffer>();

/** The key for a passphrase; derived once per process for the same passphrase and salt. */
export async function deriveKey(passphrase: string, params: ScryptParams): Promise<Buffer> {
  // The cache is looked up by a hash of the inputs, so a wrong passphrase
  // never finds the key of the right one.
  const id = nodeCrypto().createHash('sha256').update(JSON.stringify([params.N, params.r, params.p, params.salt])).update('\0').update(passphrase, 'utf8').digest('hex');
  const known = derivedKeys.get(id);
  if (known) return known;
  const key = await new Promise<Buffer>((resolve, reject) =>
    nodeCrypto().scrypt(passphrase.normalize('NFC'), Buffer.from(params.salt, 'base64'), 32, { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 16 * 1024 * 1024 }, (error, derived) =>
      error ? reject(error) : resolve(derived),
    ),
  );
  derivedKeys.set(id, key);
  return key;
}

export interface Sealed {
  /** base64 of the 12-byte nonce */
  readonly nonce: string;
  /** base64 of ciphertext followed by the 16-byte tag */
  readonly data: string;
}

export function seal(key: Buffer, plaintext: string, additionalData: string): Sealed {
  const nonce = nodeCrypto().randomBytes(12);
  const cipher = nodeCrypto().createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(additionalData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { nonce: nonce.toString('base64'), data: body.toString('base64') };
}

/** The plaintext, or undefined when the data is not authentic (wrong key, tampered, truncated). */
export function unseal(key: Buffer, sealed: Sealed, additionalData: string): string | undefined {
  const nonce = Buffer.from(sealed.nonce, 'base64');
  const body = Buffer.from(sealed.data, 'base64');
  if (nonce.length !== 12 || body.length < 16) return undefined;
  try {
    const decipher = nodeCrypto().createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(Buffer.from(additionalData, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

export function sameBytes(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && nodeCrypto().timingSafeEqual(x, y);
}
