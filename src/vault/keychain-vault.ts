/**
 * The OS keychain through keytar: macOS Keychain, Windows Credential
 * Manager, the Secret Service (gnome-keyring, KWallet) on Linux through
 * libsecret. keytar is a native optional dependency: it is imported only
 * here, only when this backend is used, and its absence is a reason to fall
 * back to the file vault, not a crash.
 */
import { nodeCrypto } from '../base/node-crypto.js';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Env } from '../base/env.js';
import { RolecallError, VaultAccessError, errorLine } from '../base/errors.js';
import { debug, note } from '../log/debug-log.js';
import { registerSecret } from '../log/redact.js';
import { hashedName } from '../fs/hashed-name.js';
import { withLock } from '../fs/with-lock.js';
import { bumpVaultGeneration } from './vault-generation.js';
import type { Vault } from './vault.js';

/** The part of keytar's API rolecall uses (declared here so the build does not need keytar installed). */
export interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

/** How long the keychain may take to answer the first call before it counts as absent. */
const PROBE_TIMEOUT_MS = 5_000;
/** How long a search or a write waits for another rolecall's turn at the same service. */
const LOCK_WAIT_MS = 10_000;

export class KeychainVault implements Vault {
  readonly backend = 'keychain';
  /** Whether this process said it went on without waiting for another rolecall's turn (once is enough). */
  private saidBusy = false;

  /**
   * `generationDir`: the items' markers, which every set and remove changes
   * (vault-generation.ts), so no agent serves what this changed. `locksDir`:
   * where a search of a service and the writes to it take turns (see
   * `takingTurns`).
   */
  constructor(
    private readonly keytar: Keytar,
    private readonly generationDir: string,
    private readonly locksDir: string,
  ) {}

  async get(service: string, account: string): Promise<string | undefined> {
    const value = await this.call(() => this.keytar.getPassword(service, account));
    registerSecret(value ?? undefined);
    return value ?? undefined;
  }

  async set(service: string, account: string, value: string): Promise<void> {
    await this.takingTurns(service, () => this.keytar.setPassword(service, account, value));
    this.changed(service, account);
  }

  async remove(service: string, account: string): Promise<boolean> {
    const removed = await this.takingTurns(service, () => this.keytar.deletePassword(service, account));
    if (removed) this.changed(service, account);
    return removed;
  }

  /** The write went through whatever happens here: a marker that cannot be changed is said, not thrown. */
  private changed(service: string, account: string): void {
    try {
      bumpVaultGeneration(this.generationDir, service, account);
    } catch (error) {
      note(`${service} ${account} changed in the keychain, but its generation marker in ${this.generationDir} cannot be updated (${firstLine(error)}); an agent may still hold the old value: rolecall lock makes it forget`);
    }
  }

  /**
   * One lookup of the one item; its value is registered for redaction and
   * dropped. A locked keyring answers a lookup with nothing, so "not there"
   * is said only once the keyring is known to be unlocked (else the locked
   * keyring's VaultAccessError): `add` would otherwise not ask before
   * replacing, and `remove` would say a profile has no keys it has.
   */
  async has(service: string, account: string): Promise<boolean> {
    if ((await this.get(service, account)) !== undefined) return true;
    await this.assertUnlocked();
    return false;
  }

  async list(service: string): Promise<string[]> {
    // libsecret's search crashes the process on a locked collection (seen with
    // gnome-keyring): make sure it is unlocked first.
    await this.assertUnlocked();
    const found = await this.takingTurns(service, () => this.keytar.findCredentials(service));
    for (const item of found) registerSecret(item.password);
    return [...new Set(found.map((item) => item.account))].sort();
  }

  /**
   * A locked keyring answers reads with "nothing here" instead of an error,
   * so only a write tells locked from empty. Used where that difference
   * matters (before a search, and before saying a profile has no keys).
   */
  async assertUnlocked(): Promise<void> {
    // An item of this process's own: rolecalls probing at once on one shared
    // item deleted it under each other, and the loser read that as "locked".
    const account = `unlocked-${process.pid}-${nodeCrypto().randomBytes(4).toString('hex')}`;
    try {
      await this.keytar.setPassword('rolecall-probe', account, 'yes');
    } catch (error) {
      throw new VaultAccessError(
        `the keychain is locked (${firstLine(error)}); unlock the login keyring (a desktop session does; see the README for a headless one), or use --backend file`,
      );
    }
    // The write went through, so it is unlocked; a failed clean-up changes nothing.
    await this.keytar.deletePassword('rolecall-probe', account).catch(() => false);
  }

  /**
   * A keytar call (made through call()) that searches a service or writes
   * to it, in turn among rolecall processes: a search (keytar's
   * findCredentials, which reads every secret it finds) and the writes to
   * the same service go one at a time, because libsecret kills the searching process (a NULL secret
   * dereferenced: "secret_value_get_text: assertion 'value' failed", then
   * SIGSEGV) when an item it found is replaced or removed before it reads it,
   * as a `rolecall list` or `clear` met an exec caching its session. Linux
   * only: the race is libsecret's. Lookups take no turn: a lookup whose item
   * goes meanwhile answers nothing. A cache directory no lock can be made in
   * is gone around (debug), and so is a holder that does not let go in
   * LOCK_WAIT_MS (said once: the command waited): the write or search
   * matters more than the race.
   */
  private takingTurns<T>(service: string, keytarCall: () => Promise<T>): Promise<T> {
    const body = () => this.call(keytarCall);
    if (process.platform !== 'linux') return body();
    const lockPath = join(this.locksDir, `keychain-${hashedName([service])}.lock`);
    return withLock(
      lockPath,
      {
        waitMs: LOCK_WAIT_MS,
        without: ({ error, holder }) => {
          if (error !== undefined) debug(`the keychain's ${service} items without taking turns (no lock in ${this.locksDir}: ${errorLine(error)})`);
          else if (!this.saidBusy) {
            this.saidBusy = true;
            note(`another rolecall (pid ${holder?.pid ?? 'unknown'}) has held its turn at the keychain for ${LOCK_WAIT_MS / 1000} s; going on without waiting for it`);
          }
        },
      },
      body,
    );
  }

  /** keytar's errors come from libsecret or the OS; they carry no secret, but keep them to one line. */
  private async call<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (first) {
      let error = first;
      // libsecret finds an item, then reads, replaces or deletes it: another process removing it in
      // between (two rolecalls storing sessions while a clear runs) fails the call with "No such secret
      // item". A second try meets the keychain as it is now.
      if (/No such secret item/i.test(firstLine(first))) {
        try {
          return await body();
        } catch (again) {
          error = again;
        }
      }
      const reason = firstLine(error);
      const hint = /locked/i.test(reason) ? '; unlock the login keyring (a desktop session does; see the README for a headless one), or use --backend file' : '';
      throw new RolecallError(`the keychain refused: ${reason}${hint}`);
    }
  }
}

export type KeychainOpening = { readonly vault: KeychainVault } | { readonly unavailable: string };

/**
 * Loads keytar and asks the keychain one harmless question, so that "the
 * keychain works" is known before anything is stored in it. Never throws:
 * the reason it is unusable comes back as one line.
 */
export async function openKeychain(env: Env, generationDir: string, locksDir: string): Promise<KeychainOpening> {
  if (process.platform === 'linux' && !hasSessionBus(env)) {
    return { unavailable: 'no D-Bus session bus for the Secret Service (DBUS_SESSION_BUS_ADDRESS is not set)' };
  }
  let keytar: Keytar;
  try {
    keytar = await loadKeytar();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      return { unavailable: 'keytar is not installed (an optional dependency; on Linux it builds only where libsecret-1-dev is installed)' };
    }
    return { unavailable: `keytar cannot be loaded (${firstLine(error)})` };
  }
  try {
    await withTimeout(keytar.getPassword('rolecall-probe', 'probe'), PROBE_TIMEOUT_MS);
  } catch (error) {
    return { unavailable: `the keychain does not answer (${firstLine(error)})` };
  }
  return { vault: new KeychainVault(keytar, generationDir, locksDir) };
}

async function loadKeytar(): Promise<Keytar> {
  // A variable specifier keeps TypeScript from needing keytar's types and
  // esbuild from bundling it; it resolves from node_modules beside dist/.
  // require, not import(): keytar is CommonJS, and importing it would load
  // the ES module translator and lexer into every exec just to wrap it.
  const name = 'keytar';
  const loaded = createRequire(import.meta.url)(name) as { default?: Keytar } & Partial<Keytar>;
  const keytar = (loaded.default ?? loaded) as Keytar;
  if (typeof keytar.getPassword !== 'function') throw new Error('not the keytar module');
  return keytar;
}

/** libsecret finds the bus through DBUS_SESSION_BUS_ADDRESS or systemd's $XDG_RUNTIME_DIR/bus. */
function hasSessionBus(env: Env): boolean {
  if (env.DBUS_SESSION_BUS_ADDRESS) return true;
  return Boolean(env.XDG_RUNTIME_DIR && existsSync(join(env.XDG_RUNTIME_DIR, 'bus')));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000}s`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function firstLine(error: unknown): string {
  return errorLine(error).trim() || 'unknown error';
}
