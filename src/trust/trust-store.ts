/**
 * Which `.awsprofile` files the user trusts, as direnv does it for .envrc:
 * one record per file, keyed by the hash of its real path, holding the
 * verdict and, for an allow, the hash of the content that was allowed. An
 * edited file no longer matches its record, so its trust is gone until it is
 * allowed again; a deny holds for the path whatever the content.
 *
 * A file found allowed by its hash is remembered by its stamp (device,
 * inode, size, mtime and ctime: awsprofile-file.ts), for the generation of
 * the store it was checked against: the next check of the same file, stamp
 * and generation needs no read of its record and no hash of the file. Any
 * other stamp is hashed as before.
 *
 * Every change replaces the generation marker, which the shell hook checks at
 * each prompt with a builtin test (`-e`, one stat, no process): a vanished
 * marker sends every open shell to `rolecall hook-env` at its next prompt,
 * without a `cd`.
 */
import { nodeCrypto } from '../base/node-crypto.js';
import { readdirSync, realpathSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Env } from '../base/env.js';
import { isSettled, type FileStamp } from '../fs/file-stamp.js';
import { rolecallDataDir } from '../fs/rolecall-dirs.js';
import { hashedName } from '../fs/hashed-name.js';
import { sha256Hex } from '../base/sha256.js';
import { ensurePrivateDir, readPrivateFile, UnsafeFileError, writePrivateFile } from '../fs/private-files.js';

export type TrustVerdict = 'allowed' | 'denied' | 'untrusted' | 'edited';

/** Files allowed at the last hash, by real path: their stamps, valid for one generation. */
interface SeenAllowed {
  readonly generation: string;
  readonly files: Readonly<Record<string, string>>;
}

/** Enough for the projects one user moves between; the oldest goes first. */
const MAX_SEEN = 64;

interface TrustRecord {
  readonly path: string;
  readonly verdict: 'allow' | 'deny';
  readonly contentSha256?: string;
}

export class TrustStore {
  readonly dir: string;

  constructor(env: Env) {
    this.dir = rolecallDataDir(env);
  }

  /** One marker file whose name changes with every change of the trust store. */
  get generationDir(): string {
    return join(this.dir, 'generation');
  }

  /**
   * The path of the current generation marker, made if there is none. The
   * hook keeps it and checks at each prompt that it still exists: one stat,
   * no read, no process. A change of the trust store removes it.
   */
  generation(): string {
    const current = this.markers().at(-1);
    if (current) return join(this.generationDir, current);
    return this.bumpGeneration();
  }

  /** `stamp`: the file's stamp, taken before `content` was read; given, an unchanged file allowed before is not hashed again. */
  verdict(path: string, content: Buffer | undefined, stamp?: FileStamp): TrustVerdict {
    const real = realPath(path);
    const generation = this.markers().at(-1);
    const seen = generation !== undefined && stamp ? this.seenAllowed(generation) : undefined;
    if (seen && stamp && seen.files[real] === stamp.signature) return 'allowed';
    const record = this.record(path);
    if (!record) return 'untrusted';
    if (record.verdict === 'deny') return 'denied';
    if (content === undefined || record.contentSha256 !== sha256(content)) return 'edited';
    if (generation !== undefined && stamp && isSettled(stamp)) this.rememberAllowed(generation, real, stamp, seen);
    return 'allowed';
  }

  allow(path: string, content: Buffer): void {
    this.write({ path: realPath(path), verdict: 'allow', contentSha256: sha256(content) });
  }

  deny(path: string): void {
    this.write({ path: realPath(path), verdict: 'deny' });
  }

  private get seenFile(): string {
    return join(this.dir, 'trust-seen.json');
  }

  /** The stamps remembered for this generation; none when the store has changed since (a new allow or deny). */
  private seenAllowed(generation: string): SeenAllowed | undefined {
    try {
      // A loose or linked file is not believed (readPrivateFile throws): the records decide, and the next write replaces it.
      const parsed = JSON.parse(readPrivateFile(this.seenFile)?.toString('utf8') ?? 'null') as SeenAllowed;
      return parsed.generation === generation && typeof parsed.files === 'object' && parsed.files !== null ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  /** Best effort: a stamp not written only costs the next check a hash. */
  private rememberAllowed(generation: string, real: string, stamp: FileStamp, seen: SeenAllowed | undefined): void {
    const files = Object.entries(seen?.files ?? {}).filter(([path]) => path !== real).slice(-(MAX_SEEN - 1));
    try {
      ensurePrivateDir(this.dir);
      writePrivateFile(this.seenFile, `${JSON.stringify({ generation, files: Object.fromEntries([...files, [real, stamp.signature]]) })}\n`);
    } catch {
      // Not remembered: hashed again next time.
    }
  }

  /**
   * The record of `path`. One that others could have written (open to them,
   * a symlink, another user's) is refused with its line (UnsafeFileError),
   * not taken as "untrusted": `rolecall allow` or `deny` writes it anew.
   */
  private record(path: string): TrustRecord | undefined {
    let raw: Buffer | undefined;
    try {
      raw = readPrivateFile(this.recordFile(path));
    } catch (error) {
      if (error instanceof UnsafeFileError) throw error;
      return undefined;
    }
    try {
      const parsed = JSON.parse(raw?.toString('utf8') ?? 'null') as TrustRecord | null;
      return parsed?.path === realPath(path) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  private write(record: TrustRecord): void {
    const file = this.recordFile(record.path);
    ensurePrivateDir(dirname(file));
    writePrivateFile(file, `${JSON.stringify(record)}\n`);
    this.bumpGeneration();
  }

  private recordFile(path: string): string {
    return join(this.dir, 'trust', hashedName([realPath(path)], 64));
  }

  /**
   * A new marker, then every other one removed: a shell holding any older
   * marker finds it gone at its next prompt. Two writers at once may remove
   * each other's marker; then the next hook-env makes a new one, which is as
   * good (every shell re-reads the store either way).
   */
  private bumpGeneration(): string {
    const name = `${String(Date.now()).padStart(15, '0')}-${process.pid}-${nodeCrypto().randomBytes(4).toString('hex')}`;
    const marker = join(this.generationDir, name);
    ensurePrivateDir(this.generationDir);
    writePrivateFile(marker, '');
    for (const other of this.markers()) {
      if (other !== name) rmSync(join(this.generationDir, other), { force: true });
    }
    return marker;
  }

  private markers(): string[] {
    try {
      return readdirSync(this.generationDir).filter((n) => /^\d{15}-\d+-[0-9a-f]{8}$/.test(n)).sort();
    } catch {
      return [];
    }
  }
}

/** The whole digest of a file's content, to tell any edit. */
function sha256(content: Buffer): string {
  return sha256Hex(content);
}

/**
 * Trust follows the directory, not the route to it: a symlinked directory
 * shares its records. The file's own symlink is not followed, so a link in
 * someone's checkout to a file you trust elsewhere is a new file to allow.
 */
function realPath(path: string): string {
  try {
    return join(realpathSync(dirname(path)), basename(path));
  } catch {
    return path;
  }
}
