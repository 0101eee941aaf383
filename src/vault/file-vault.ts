/**
 * The encrypted-file backend, for machines without a usable OS keychain.
 *
 *   $XDG_DATA_HOME/rolecall/vault/          0700
 *     vault.json                            0600  scrypt parameters + a sealed check value
 *     <service>/<account>.item              0600  one sealed item per file
 *
 * One file per item is what makes concurrent writers safe without a lock:
 * a write is a new temp file renamed over its item, so two processes adding
 * different profiles (or caching different sessions) never touch the same
 * file, and two writing the same item leave one whole value, the last. The
 * one shared file, vault.json, is created once with link(2), which exactly
 * one racer wins; the others adopt its salt. Account and service names are
 * part of the file names (they are profile names and cache keys, not
 * secrets), so `get` of a missing item, `list` and `remove` need no
 * passphrase: an exec whose keys are elsewhere never asks for one.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../base/env.js';
import { displayPath } from '../config/config-paths.js';
import { RolecallError, VaultAccessError } from '../base/errors.js';
import { debug } from '../log/debug-log.js';
import { registerSecret } from '../log/redact.js';
import { createPrivateFileOnce, ensurePrivateDir, readPrivateFile, removePrivateFile, writePrivateFile } from '../fs/private-files.js';
import { deriveKey, newScryptParams, sameBytes, seal, unseal, type ScryptParams, type Sealed } from './vault-crypto.js';
import { decodeName, encodeName } from '../fs/file-names.js';
import { lstatOrMissing } from '../fs/trusted-directories.js';
import { PASSPHRASE_VARIABLE, type PassphraseSource } from './vault-passphrase.js';
import type { Vault } from './vault.js';
import { askUpTo, TRIES } from '../prompt/ask-up-to.js';

const HEADER = 'vault.json';
const FORMAT = 'rolecall-file-vault';
const CHECK_TEXT = 'rolecall file vault key check';
const ITEM_SUFFIX = '.item';

interface Header {
  readonly format: typeof FORMAT;
  readonly version: 1;
  readonly kdf: { readonly name: 'scrypt' } & ScryptParams;
  readonly check: Sealed;
}

/**
 * Somewhere the derived key is kept between commands (the agent): asked
 * before scrypt and the passphrase, told the key once it is derived. A kept
 * key is used only after it opens the header's check value, as a derived
 * one is, so a key of another (or a recreated) vault is never used.
 */
export interface KeyKeeper {
  recall(): Promise<Buffer | undefined>;
  remember(key: Buffer): Promise<void>;
}

interface ItemFile {
  readonly version: 1;
  readonly sealed: Sealed;
}

export class FileVault implements Vault {
  readonly backend = 'file';
  private key: Promise<Buffer> | undefined;

  constructor(
    readonly dir: string,
    private readonly passphrase: PassphraseSource,
    private readonly env: Env,
    /** Set when the keychain was not usable and this vault was chosen by default. */
    readonly fallbackReason?: string,
    /**
     * False for exec and the shell hook: they write only to cache a session,
     * which is not worth inventing a passphrase for at every run; `add` and
     * `import` create the vault (or ROLECALL_FILE_PASSPHRASE does).
     */
    private readonly mayCreate = true,
    private readonly keeper?: KeyKeeper,
  ) {}

  async get(service: string, account: string): Promise<string | undefined> {
    const path = this.itemPath(service, account);
    const raw = readIfExists(path);
    if (raw === undefined) return undefined;
    const value = this.openItem(await this.unlock(false), path, raw, service, account);
    registerSecret(value);
    return value;
  }

  async set(service: string, account: string, value: string): Promise<void> {
    const key = await this.unlock(true);
    const serviceDir = join(this.dir, encodeName(service));
    ensurePrivateDir(serviceDir);
    const path = this.itemPath(service, account);
    // A damaged item is reported, not silently replaced: it may be the
    // only trace of an attack, and the user should see it.
    const existing = readIfExists(path);
    if (existing !== undefined) this.openItem(key, path, existing, service, account);
    const item: ItemFile = { version: 1, sealed: seal(key, value, additionalData(service, account)) };
    writePrivateFile(path, `${JSON.stringify(item)}\n`);
  }

  async remove(service: string, account: string): Promise<boolean> {
    return removePrivateFile(this.itemPath(service, account));
  }

  async has(service: string, account: string): Promise<boolean> {
    return lstatOrMissing(this.itemPath(service, account)) !== undefined;
  }

  async list(service: string): Promise<string[]> {
    return directoryEntries(join(this.dir, encodeName(service)))
      .map((entry) => entry.name)
      .filter(isItemFile)
      .map((name) => decodeName(name.slice(0, -ITEM_SUFFIX.length)))
      .filter((name): name is string => name !== undefined)
      .sort();
  }

  /** Nothing to unlock before a read: items that exist ask for the passphrase themselves. */
  async assertUnlocked(): Promise<void> {}

  private itemPath(service: string, account: string): string {
    return itemFilePath(this.dir, service, account);
  }

  private show(path: string): string {
    return displayPath(path, this.env);
  }

  /** The key, derived and checked once per vault object. */
  private unlock(creating: boolean): Promise<Buffer> {
    this.key ??= this.deriveCheckedKey(creating).catch((error: unknown) => {
      this.key = undefined;
      throw error;
    });
    return this.key;
  }

  private async deriveCheckedKey(creating: boolean): Promise<Buffer> {
    const headerPath = join(this.dir, HEADER);
    let header = this.readHeader(headerPath);
    if (!header) {
      // Items without their header are not a new vault: a new header (a new
      // salt, maybe a new passphrase) would write items beside them that
      // the old key cannot open, and the other way round.
      if (!creating || this.holdsItems()) {
        throw new RolecallError(`${this.show(headerPath)} is missing, so the items beside it cannot be decrypted; nothing was changed`);
      }
      if (!this.mayCreate && !this.env[PASSPHRASE_VARIABLE]) {
        throw new FileVaultNotCreated();
      }
      ensurePrivateDir(this.dir);
      const passphrase = await this.passphrase({ creating: true, where: this.show(this.dir) });
      const params = newScryptParams();
      const key = await this.deriveLogged(passphrase.value, params);
      const fresh: Header = { format: FORMAT, version: 1, kdf: { name: 'scrypt', ...params }, check: seal(key, CHECK_TEXT, 'check') };
      if (createPrivateFileOnce(headerPath, `${JSON.stringify(fresh, null, 2)}\n`)) {
        await this.keeper?.remember(key);
        return key;
      }
      // Another process created the vault at the same moment: use its header.
      header = this.readHeader(headerPath);
      if (!header) throw new RolecallError(`${this.show(headerPath)} vanished while it was being created; try again`);
    }
    const kept = await this.keeper?.recall();
    if (kept && opensCheck(kept, header)) {
      debug(`the file vault ${this.show(this.dir)} unlocked with the key the agent holds`);
      return kept;
    }
    const key = await this.openWithPassphrase(header);
    await this.keeper?.remember(key);
    return key;
  }

  /**
   * The key is used only once it has opened the header's sealed check value
   * (GCM authenticates it: a wrong key cannot pass), so a wrong passphrase
   * never encrypts or overwrites anything. A person at the terminal may
   * mistype and is asked again, up to three tries; ROLECALL_FILE_PASSPHRASE
   * is tried once (nobody is there to ask).
   */
  private async openWithPassphrase(header: Header): Promise<Buffer> {
    const where = this.show(this.dir);
    return askUpTo<Buffer>(
      async (attempt) => {
        const passphrase = await this.passphrase({ creating: false, where, again: attempt > 1 });
        const key = await this.deriveLogged(passphrase.value, header.kdf);
        if (opensCheck(key, header)) return { answer: key };
        if (passphrase.from === 'environment') {
          throw new VaultAccessError(`${PASSPHRASE_VARIABLE} is not the passphrase of the file vault ${where}; nothing was changed`);
        }
        return { wrong: `that passphrase does not open the file vault ${where}` };
      },
      () => new VaultAccessError(`wrong passphrase of the file vault ${where} (${TRIES} tries); nothing was changed`),
    );
  }

  /** scrypt takes a noticeable moment (~0.15 s): --debug says where that time goes. */
  private deriveLogged(passphrase: string, params: ScryptParams): Promise<Buffer> {
    debug(`unlocking the file vault ${this.show(this.dir)} (scrypt N=${params.N}, r=${params.r}, p=${params.p}) …`);
    return deriveKey(passphrase, params);
  }

  /** Whether any item file exists, under any service. */
  private holdsItems(): boolean {
    return directoryEntries(this.dir).some((entry) => entry.isDirectory() && directoryEntries(join(this.dir, entry.name)).some((item) => isItemFile(item.name)));
  }

  private readHeader(path: string): Header | undefined {
    const raw = readIfExists(path);
    if (raw === undefined) return undefined;
    let header: Header;
    try {
      header = JSON.parse(raw) as Header;
    } catch {
      throw this.damaged(path);
    }
    const kdf = header?.kdf;
    if (
      header?.format !== FORMAT ||
      header.version !== 1 ||
      kdf?.name !== 'scrypt' ||
      !isPowerOfTwo(kdf.N) ||
      !Number.isInteger(kdf.r) ||
      !Number.isInteger(kdf.p) ||
      kdf.N * kdf.r > 2 ** 24 ||
      typeof kdf.salt !== 'string' ||
      !isSealed(header.check)
    ) {
      throw this.damaged(path);
    }
    return header;
  }

  private openItem(key: Buffer, path: string, raw: string, service: string, account: string): string {
    let item: ItemFile;
    try {
      item = JSON.parse(raw) as ItemFile;
    } catch {
      throw this.damaged(path);
    }
    const value = item?.version === 1 && isSealed(item.sealed) ? unseal(key, item.sealed, additionalData(service, account)) : undefined;
    if (value === undefined) throw this.damaged(path);
    return value;
  }

  private damaged(path: string): RolecallError {
    return new RolecallError(`${this.show(path)} was changed or is damaged (it does not decrypt as written by rolecall); nothing was changed; delete that file to drop the item`);
  }
}

/**
 * A write that would create the file vault where that is not this command's
 * job. The session cache skips its write on it, and says so once per user
 * (cache/session-store.ts).
 */
export class FileVaultNotCreated extends RolecallError {
  override readonly name = 'FileVaultNotCreated';

  constructor() {
    super(`sessions are not cached: no keychain and no file vault yet; \`rolecall import\` or \`rolecall add\` creates it (or set ${PASSPHRASE_VARIABLE})`);
  }
}

/** Whether `key` is this vault's: GCM authenticates the check value, so no other key opens it. */
function opensCheck(key: Buffer, header: Header): boolean {
  const check = unseal(key, header.check, 'check');
  return check !== undefined && sameBytes(check, CHECK_TEXT);
}

/**
 * What an item's file is now (inode, size, change time), or "none": a copy of
 * its value kept elsewhere (the agent) is stale once this differs, whoever
 * wrote or removed the file.
 */
export function fileItemSignature(dir: string, service: string, account: string): string {
  try {
    const stats = statSync(itemFilePath(dir, service, account), { bigint: true });
    return `${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw error;
  }
}

function itemFilePath(dir: string, service: string, account: string): string {
  if (!service || !account) throw new RolecallError('a vault item needs a service and an account name');
  return join(dir, encodeName(service), `${encodeName(account)}${ITEM_SUFFIX}`);
}

/** Binds a sealed value to its place, so an item copied over another fails to open. */
function additionalData(service: string, account: string): string {
  return `${FORMAT}/1\0${service}\0${account}`;
}

/** An item or the header; one that is a symlink, another user's or open to others is refused (fs/private-files.ts). */
function readIfExists(path: string): string | undefined {
  return readPrivateFile(path)?.toString('utf8');
}

/** An item's file, not a temp file on its way to becoming one. */
function isItemFile(name: string): boolean {
  return name.endsWith(ITEM_SUFFIX) && !name.startsWith('.');
}

function directoryEntries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function isSealed(value: unknown): value is Sealed {
  const sealed = value as Sealed | undefined;
  return typeof sealed?.nonce === 'string' && typeof sealed.data === 'string';
}

function isPowerOfTwo(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0;
}
