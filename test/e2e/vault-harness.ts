/**
 * Shared by the vault end-to-end tests: which backends this machine has
 * (the keychain needs a Secret Service on a D-Bus session bus), a sandbox
 * set up for one backend, watchers that catch a secret in a process's
 * argv or in a file under HOME, and the AWS CLI as moto's IAM administrator.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { vaultGenerationDir } from '../../src/fs/rolecall-dirs.js';
import { openKeychain } from '../../src/vault/keychain-vault.js';
import { requirePeer } from '../helpers/peers.js';
import { runProcess, type Sandbox } from '../helpers/sandbox.js';

export type Backend = 'keychain' | 'file';
export const BACKENDS: readonly Backend[] = ['keychain', 'file'];

let keychain: Promise<string | undefined> | undefined;

/** Undefined when the keychain answers; else why not. */
export function keychainUnavailable(): Promise<string | undefined> {
  keychain ??= openKeychain(process.env, vaultGenerationDir(process.env, 'keychain')).then((opened) => ('vault' in opened ? undefined : opened.unavailable));
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

/**
 * Reads every process's argv (/proc/PID/cmdline) every few milliseconds
 * while a command runs, and keeps those that contain one of the secrets.
 */
export function watchArgv(secrets: readonly string[]): { stop(): string[] } {
  const hits = new Set<string>();
  const scan = () => {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let argv: string;
      try {
        argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      } catch {
        continue; // gone already
      }
      if (secrets.some((s) => argv.includes(s))) hits.add(`${pid}: ${argv.slice(0, 200)}`);
    }
  };
  scan();
  const timer = setInterval(scan, 5);
  timer.unref(); // a test that fails before stop() must not keep the file's process alive
  return {
    stop() {
      clearInterval(timer);
      scan();
      return [...hits];
    },
  };
}

/** Every file under the sandbox HOME that contains one of the secrets, relative to HOME. */
export function filesHolding(sandbox: Sandbox, secrets: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        const bytes = readFileSync(path);
        if (secrets.some((s) => bytes.includes(s))) found.push(path.slice(sandbox.home.length + 1));
      }
    }
  };
  walk(sandbox.home);
  return found.sort();
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

/** The AWS CLI as moto's administrator, straight at moto (not through the proxy): sets up IAM users and reads their keys. */
export async function motoAdmin(motoUrl: string, args: string[]): Promise<unknown> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !/^AWS_/.test(key)) env[key] = value;
  const result = await runProcess('aws', [...args, '--output', 'json'], {
    env: { ...env, AWS_ACCESS_KEY_ID: 'motoadmin', AWS_SECRET_ACCESS_KEY: 'motoadmin', AWS_DEFAULT_REGION: 'us-east-1', AWS_ENDPOINT_URL: motoUrl },
  });
  if (result.status !== 0) throw new Error(`aws ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim() ? JSON.parse(result.stdout) : undefined;
}

/**
 * One call of IAM's query API at moto, as its administrator: what the AWS
 * CLI would send, without its 3 s of start on a loaded machine (moto reads
 * whose call it is from the Authorization header; it checks no signature).
 */
export async function motoIam(motoUrl: string, action: string, params: Record<string, string>): Promise<string> {
  const response = await fetch(motoUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=motoadmin/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0' },
    body: new URLSearchParams({ Action: action, Version: '2010-05-08', ...params }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`IAM ${action}: ${response.status} ${text}`);
  return text;
}

/** The access key ids IAM (moto) holds for `user`, sorted. */
export async function accessKeyIdsOf(motoUrl: string, user: string): Promise<string[]> {
  const listed = await motoIam(motoUrl, 'ListAccessKeys', { UserName: user });
  return [...listed.matchAll(/<AccessKeyId>([^<]+)<\/AccessKeyId>/g)].map((m) => m[1] as string).sort();
}
