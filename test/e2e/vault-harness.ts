/**
 * Shared by the vault end-to-end tests: which backends this machine has
 * (the keychain needs a Secret Service on a D-Bus session bus), a sandbox
 * set up for one backend, and a snapshot of files (the scans for secrets
 * are test/helpers/secret-scan.ts).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { locksDirectory, vaultGenerationDir } from '../../src/fs/rolecall-dirs.js';
import { openKeychain } from '../../src/vault/keychain-vault.js';
import { requirePeer } from '../helpers/peers.js';

export type Backend = 'keychain' | 'file';
export const BACKENDS: readonly Backend[] = ['keychain', 'file'];

let keychain: Promise<string | undefined> | undefined;

/** Undefined when the keychain answers; else why not. */
export function keychainUnavailable(): Promise<string | undefined> {
  keychain ??= openKeychain(process.env, vaultGenerationDir(process.env, 'keychain'), locksDirectory(process.env)).then((opened) => ('vault' in opened ? undefined : opened.unavailable));
  return keychain;
}

/** True when the test may use `backend`; skips (or fails under CI=true) without a keychain. */
export async function requireBackend(t: TestContext, backend: Backend): Promise<boolean> {
  if (backend === 'file') return true;
  const reason = await keychainUnavailable();
  return requirePeer(t, reason === undefined, `no usable keychain: ${reason ?? ''} (run the tests inside dbus-run-session with gnome-keyring-daemon --unlock, as .ci/run does)`);
}

/** The environment that selects `backend` (the file vault gets a random passphrase). */
export function backendEnv(backend: Backend): Record<string, string> {
  return backend === 'file' ? { ROLECALL_BACKEND: 'file', ROLECALL_FILE_PASSPHRASE: `pass-${randomBytes(12).toString('hex')}` } : { ROLECALL_BACKEND: 'keychain' };
}

/**
 * The keychain is one per D-Bus session, shared by every test file running
 * at once: each test names its profiles uniquely.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Every file under `dir` with its bytes, by path relative to `dir`: to show that nothing changed. */
export function snapshotFiles(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files[path.slice(dir.length + 1)] = readFileSync(path).toString('base64');
    }
  }
  return files;
}
