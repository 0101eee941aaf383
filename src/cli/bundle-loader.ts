/**
 * Loads one of rolecall's CommonJS bundles (dist/commands.cjs,
 * dist/hook-env.cjs) for entry.ts, from V8's compiled code where Node has no
 * compile cache of its own. Node 22 and later keep one
 * (module.enableCompileCache, which entry.ts turns on) and get a plain
 * require. On Node 20, compiling the 160 KB commands bundle costs every
 * start 7 to 12 ms, about a quarter of node's own start; its cached code
 * loads in under 1 ms. So the bundle is compiled here with vm.Script, fed the
 * code V8 made for it last time, and the cache is written when there was
 * none or V8 refused it (another Node, other flags), at exit, so that it
 * holds the functions the command ran, not only the top level.
 *
 * V8 checks its cached code against the source's length only (and accepts a
 * corrupted one), so the cache file is named after the bundle's stat stamp
 * and the Node version: a rebuilt or upgraded bundle never meets the code of
 * another. The cache holds compiled code and the source's own literals,
 * never a value computed at run time (no secret can reach it). It is code
 * this process will run, so it is taken only from a regular file (not
 * through a link) of this user's that no one else may write, in a directory
 * entry.ts has found safe; anything else is ignored and written anew.
 *
 * The bundles must hold no import() (vm.Script on Node 20 cannot run one
 * without an experimental flag): esbuild turns theirs into require, and what
 * must stay an ES module import (dist/main.js) is given to them by entry.ts.
 */
import { closeSync, constants, fstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import * as nodeModule from 'node:module';
import { basename, dirname, join } from 'node:path';
import type { Script } from 'node:vm';
import { ancestorsProblem, lstatOrMissing, ownDirectoryProblem } from '../fs/trusted-directories.js';

const { O_NOFOLLOW, O_NONBLOCK, O_RDONLY } = constants;

/** What Node's CommonJS loader passes a module, in its order. */
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const WRAPPER_TAIL = '\n});';
/** How many caches of other builds of the same bundle stay beside the one written. */
const KEPT_OTHER_BUILDS = 3;

/**
 * `dir` when no one else can put code there: it and its parent (rolecall's
 * own) real directories of this user's that no one else may write, and every
 * directory above them this user's or root's, as fs/trusted-directories.ts
 * checks the agent's. Else undefined, and the start compiles (Node 22's
 * cache, kept in the same directory, is then not turned on either).
 */
export function trustedCacheDir(dir: string): string | undefined {
  try {
    const own = [dirname(dir), dir];
    if (ancestorsProblem(own[0] as string, 'the compile cache')) return undefined;
    for (const path of own) {
      const stats = lstatOrMissing(path);
      if (stats && ownDirectoryProblem(stats)) return undefined;
    }
    return dir;
  } catch {
    return undefined;
  }
}

export function loadBundle(file: string, cacheDir: string | undefined): unknown {
  const load = nodeModule.createRequire(file);
  if (!cacheDir) return load(file);
  // The source and the stamp its cache is named by come from one open file, so an upgrade
  // between a stat and a read cannot file one build's code under another's name.
  const bundle = readWhole(file, 0);
  if (!bundle) return load(file);
  const cacheFile = join(cacheDir, `${cachePrefix(file)}${stamp(bundle.stat)}-${process.version}-${process.arch}.v8`);
  const cached = readWhole(cacheFile, O_NOFOLLOW | O_NONBLOCK);
  const cachedData = cached && ownedAndClosed(cached.stat) ? cached.bytes : undefined;
  // Required here: entry.ts loads this file on every start, and node:vm costs Node 24 about 3 ms to load, which only Node 20 needs.
  const { Script: VmScript } = load('node:vm') as typeof import('node:vm');
  const script = new VmScript(`${WRAPPER_HEAD}${bundle.bytes.toString('utf8')}${WRAPPER_TAIL}`, { filename: file, ...(cachedData ? { cachedData } : {}) });
  if (!cachedData || script.cachedDataRejected) process.once('exit', () => writeCache(cacheDir, cacheFile, cachePrefix(file), script));
  const module = { exports: {} as unknown, filename: file, id: file, loaded: false };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, load, module, file, dirname(file));
  module.loaded = true;
  return module.exports;
}

/**
 * What tells one build of a bundle from another: V8 compares only the
 * source's length, and package managers keep or fix modification times (npm
 * sets 1985-10-26), so the inode and the change time, which no one can set,
 * are in it too.
 */
function stamp(stat: Stats): string {
  return `${stat.size}-${Math.trunc(stat.mtimeMs)}-${Math.trunc(stat.ctimeMs)}-${stat.dev}-${stat.ino}`;
}

/** What every cache file of this bundle's is named with first, whichever build it was of. */
function cachePrefix(file: string): string {
  return `${basename(file).replace(/\.c?js$/, '')}-`;
}

/** A regular file of this user's that no one else may write: only such a cache is run. */
function ownedAndClosed(stat: Stats): boolean {
  return stat.isFile() && stat.uid === process.getuid?.() && (stat.mode & 0o022) === 0;
}

/** A file's bytes and its stat, read through one descriptor; undefined when it cannot be read (or is no regular file). */
function readWhole(path: string, flags: number): { readonly bytes: Buffer; readonly stat: Stats } | undefined {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO planted at the cache's name must not hang the start.
    fd = openSync(path, O_RDONLY | flags);
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return undefined;
    const bytes = Buffer.allocUnsafe(stat.size);
    let read = 0;
    while (read < bytes.length) {
      const n = readSync(fd, bytes, read, bytes.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return { bytes: bytes.subarray(0, read), stat };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Best effort: a cache that cannot be written costs the next start its compile, nothing more. */
function writeCache(cacheDir: string, cacheFile: string, prefix: string, script: Script): void {
  // Unique per writer ('wx' refuses a name already there, a planted link among them).
  const temporary = `${cacheFile}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    writeFileSync(temporary, script.createCachedData(), { mode: 0o600, flag: 'wx' });
    renameSync(temporary, cacheFile);
    // The code of builds gone by (an upgrade, another Node) would only take space; a few are kept,
    // so that two installations run in turn (a global one, one in a project) do not evict each other's.
    const others = readdirSync(cacheDir)
      .filter((name) => name.startsWith(prefix) && name.endsWith('.v8') && name !== basename(cacheFile))
      .map((name) => ({ name, mtimeMs: statSync(join(cacheDir, name)).mtimeMs }))
      .sort((a, b) => b.mtimeMs - a.mtimeMs);
    for (const old of others.slice(KEPT_OTHER_BUILDS)) unlinkSync(join(cacheDir, old.name));
  } catch {
    // The next start compiles again; a half-written file is not left behind.
    try {
      unlinkSync(temporary);
    } catch {
      // it was never made, or was renamed
    }
  }
}
