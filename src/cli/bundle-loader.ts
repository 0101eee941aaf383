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
 * V8 checks its cached code against the source's length only, so the cache
 * file is named after the bundle's size and modification time and the Node
 * version: a rebuilt or upgraded bundle never meets the code of another. The
 * cache holds compiled code and the source's own literals, never a value
 * computed at run time (no secret can reach it). It is code this process will
 * run, so it is taken only from a file of this user's that no one else may
 * write, in a directory made 0700; anything else is ignored.
 *
 * The bundles must hold no import() (vm.Script on Node 20 cannot run one
 * without an experimental flag): esbuild turns theirs into require, and what
 * must stay an ES module import (dist/main.js) is given to them by entry.ts.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** What Node's CommonJS loader passes a module, in its order. */
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const WRAPPER_TAIL = '\n});';
/** How many caches of other builds of the same bundle stay beside the one written. */
const KEPT_OTHER_BUILDS = 3;

export function loadBundle(file: string, cacheDir: string | undefined): unknown {
  const load = nodeModule.createRequire(file);
  if (!cacheDir) return load(file);
  const bundle = statSync(file);
  const cacheFile = join(cacheDir, `${cachePrefix(file)}${bundle.size}-${Math.trunc(bundle.mtimeMs)}-${process.version}-${process.arch}.v8`);
  const cached = ownCacheBytes(cacheFile);
  const script = new Script(`${WRAPPER_HEAD}${readFileSync(file, 'utf8')}${WRAPPER_TAIL}`, { filename: file, ...(cached ? { cachedData: cached } : {}) });
  if (!cached || script.cachedDataRejected) process.once('exit', () => writeCache(cacheDir, cacheFile, cachePrefix(file), script));
  const module = { exports: {} as unknown, filename: file, id: file, loaded: false };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, load, module, file, dirname(file));
  module.loaded = true;
  return module.exports;
}

/** What every cache file of this bundle's is named with first, whichever build it was of. */
function cachePrefix(file: string): string {
  return `${basename(file).replace(/\.c?js$/, '')}-`;
}

/** The cache file's bytes when it is this user's own and only this user may write it; else nothing (it will be written anew). */
function ownCacheBytes(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.uid !== process.getuid?.() || (stat.mode & 0o022) !== 0) return undefined;
    const bytes = Buffer.allocUnsafe(stat.size);
    let read = 0;
    while (read < bytes.length) {
      const n = readSync(fd, bytes, read, bytes.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return bytes.subarray(0, read);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Best effort: a cache that cannot be written costs the next start its compile, nothing more. */
function writeCache(cacheDir: string, cacheFile: string, prefix: string, script: Script): void {
  try {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    // 'wx': a file planted at the temporary name is not written through.
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
    // the next start compiles again
  }
}
