/**
 * Which `.awsprofile` files the user trusts, as direnv does it for .envrc:
 * one record per file, keyed by the hash of its real path, holding the
 * verdict and, for an allow, the hash of the content that was allowed. An
 * edited file no longer matches its record, so its trust is gone until it is
 * allowed again; a deny holds for the path whatever the content.
 *
 * Every change replaces the generation marker, which the shell hook checks at
 * each prompt with a builtin test (`-e`, one stat, no process): a vanished
 * marker sends every open shell to `rolecall hook-env` at its next prompt,
 * without a `cd`.
 */
import { nodeCrypto } from '../base/node-crypto.js';
import { readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Env } from '../base/env.js';
import { rolecallDataDir } from '../fs/rolecall-dirs.js';
import { hashedName } from '../fs/hashed-name.js';
import { ensurePrivateDir, writePrivateFile } from '../fs/private-files.js';

export type TrustVerdict = 'allowed' | 'denied' | 'untrusted' | 'edited';

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

  verdict(path: string, content: Buffer | undefined): TrustVerdict {
    const record = this.record(path);
    if (!record) return 'untrusted';
    if (record.verdict === 'deny') return 'denied';
    return content !== undefined && record.contentSha256 === sha256(content) ? 'allowed' : 'edited';
  }

  allow(path: string, content: Buffer): void {
    this.write({ path: realPath(path), verdict: 'allow', contentSha256: sha256(content) });
  }

  deny(path: string): void {
    this.write({ path: realPath(path), verdict: 'deny' });
  }

  private record(path: string): TrustRecord | undefined {
    try {
      const parsed = JSON.parse(readFileSync(this.recordFile(path), 'utf8')) as TrustRecord;
      return parsed.path === realPath(path) ? parsed : undefined;
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
  return hashedName([content], 64);
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
