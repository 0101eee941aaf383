/**
 * Files that hold (encrypted) secrets or decisions: 0700 directories, 0600
 * files, and every write atomic (a temp file beside the target, fsync,
 * rename), so a reader sees the old content or the new one, never half of
 * either, and a crash or a full disk leaves no torn file. A rename replaces
 * a symlink planted at the target; it never writes through it.
 *
 * Read back, such a file must be the user's own, a regular file (a symlink
 * is not followed) and 0600: one that others can read or write is refused,
 * as ssh refuses a private key others can read, with the chmod that fixes
 * it; a directory that is a symlink is refused before anything is written
 * in it.
 */
import { nodeCrypto } from '../base/node-crypto.js';
import { chmodSync, closeSync, constants, existsSync, fchmodSync, fstatSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RolecallError } from '../base/errors.js';
import { isProcessAlive } from './process-liveness.js';

/**
 * A file secrets are about to be written into through `fd` (`rolecall export
 * > FILE`): the shell created it with the user's umask, usually 0644, which
 * lets every local user read the keys. A regular file of this user's that
 * others may read is made 0600 first; a pipe, a terminal or /dev/null is
 * left alone, and so is a file of someone else's (not ours to change).
 */
export function keepPrivate(fd: number): void {
  const stat = fstatSync(fd);
  if (stat.isFile() && stat.uid === process.geteuid?.() && (stat.mode & 0o077) !== 0) fchmodSync(fd, stat.mode & 0o700);
}

/** A file or directory of rolecall's that is not safe to use: a symlink, another user's, open to others. */
export class UnsafeFileError extends RolecallError {
  override readonly name = 'UnsafeFileError';
}

/** Creates the directory (and missing parents) 0700, and tightens it if it exists looser; a symlink or another user's is refused. */
export function ensurePrivateDir(dir: string): void {
  // Checked first too: a dangling link would otherwise read as "exists".
  if (lstatIfExists(dir)?.isSymbolicLink()) throw linkedDir(dir);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    // Node's recursive mkdir says ENOENT for a parent it cannot write in (a
    // read-only disk): the one level below an existing parent says why.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync(dirname(dir))) throw cannot('create', dir, error);
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (real) {
      throw cannot('create', dir, real);
    }
  }
  const stats = lstatSync(dir);
  if (stats.isSymbolicLink()) throw linkedDir(dir);
  const uid = process.geteuid?.();
  if (uid !== undefined && stats.uid !== uid) throw new UnsafeFileError(`${dir} is owned by uid ${stats.uid}, not by you (uid ${uid}); rolecall does not keep its files there`);
  if ((stats.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

function linkedDir(dir: string): UnsafeFileError {
  return new UnsafeFileError(`${dir} is a symbolic link, which rolecall does not follow: it keeps its files in a real directory of yours; remove the link`);
}

function lstatIfExists(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    // ENOTDIR: a file where a parent should be; mkdir then says so.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/**
 * The content of a private file, or undefined when there is none. Refused
 * (UnsafeFileError): a symlink (not followed), anything but a regular file,
 * a file of another user, a file others may read or write.
 */
export function readPrivateFile(path: string): Buffer | undefined {
  let fd: number;
  try {
    // O_NOFOLLOW: the check and the read are of one file, the one at `path`; O_NONBLOCK: a FIFO there is refused, not waited on.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new UnsafeFileError(`${path} is a symbolic link, which rolecall does not follow: remove it (rolecall writes a file of its own there)`);
    throw error;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new UnsafeFileError(`${path} is not a regular file: remove it`);
    const uid = process.geteuid?.();
    if (uid !== undefined && stats.uid !== uid) throw new UnsafeFileError(`${path} is owned by uid ${stats.uid}, not by you (uid ${uid}); rolecall does not use it: remove it`);
    if (process.platform !== 'win32' && (stats.mode & 0o077) !== 0) {
      throw new UnsafeFileError(`${path} is open to others (mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')}); rolecall refuses it, as ssh refuses a loose key: run chmod 600 ${path}`);
    }
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Removes a private file; false when there was none. A symlink is removed itself, never its target. */
export function removePrivateFile(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw cannot('remove', path, error);
  }
}

/**
 * A write that failed (a read-only or full disk, a directory not writable):
 * one line naming the file and the system's reason. Every write here is
 * atomic, so what was there before is as it was.
 */
function cannot(what: 'write' | 'create' | 'remove', path: string, error: unknown): Error {
  const failure = error as NodeJS.ErrnoException;
  if (error instanceof RolecallError || typeof failure?.code !== 'string') return error as Error;
  // Node's "ENOSPC: no space left on device, write" without its code and syscall.
  const reason = failure.message.replace(/^[A-Z0-9]+: /, '').replace(/, \w+(?: '.*')?$/, '');
  const kept = what === 'create' ? '' : `; ${what === 'remove' ? 'it is still there' : 'what was stored there is as it was'}`;
  return new RolecallError(`cannot ${what} ${path}: ${reason} (${failure.code})${kept}`);
}

function writeTemp(path: string, content: string | Uint8Array): string {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${nodeCrypto().randomBytes(6).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(temp, 'wx', 0o600);
  } catch (error) {
    throw cannot('write', path, error);
  }
  try {
    writeSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw cannot('write', path, error);
  }
  closeSync(fd);
  return temp;
}

/**
 * Replaces `path` atomically with `content`, 0600. The directory is left as
 * it is (the backup beside ~/.aws/credentials must not tighten ~/.aws): the
 * directories rolecall owns are made private with ensurePrivateDir.
 */
export function writePrivateFile(path: string, content: string | Uint8Array): void {
  const temp = writeTemp(path, content);
  try {
    renameSync(temp, path);
  } catch (error) {
    unlinkSync(temp);
    throw cannot('write', path, error);
  }
  sweepDeadTemps(path);
}

/**
 * The temp files of writes to `path` whose process died before its rename
 * (SIGKILL, a power cut): named after their pid, they go once it is not
 * running. A live writer's is left alone; a failure only leaves them for the
 * next write.
 */
function sweepDeadTemps(path: string): void {
  const prefix = `.${basename(path)}.`;
  try {
    for (const name of readdirSync(dirname(path))) {
      if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
      const pid = Number(name.slice(prefix.length).split('.')[0]);
      if (pid !== process.pid && !isProcessAlive(pid, undefined)) unlinkSync(join(dirname(path), name));
    }
  } catch {
    // Left for the next write.
  }
}

/**
 * Creates `path` with `content` only if it does not exist yet, atomically:
 * of several processes racing, exactly one wins. Returns false when the file
 * was already there (someone else's content stays).
 */
export function createPrivateFileOnce(path: string, content: string | Uint8Array): boolean {
  const temp = writeTemp(path, content);
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw cannot('write', path, error);
  } finally {
    unlinkSync(temp);
  }
}

/**
 * Replaces a file the user owns (~/.aws/config, ~/.aws/credentials)
 * atomically, keeping its mode, and writing through a symlink to its target
 * (dotfile managers link these files; a rename would break the link).
 */
export function replaceUserFile(path: string, content: string | Uint8Array, fallbackMode = 0o600): void {
  let target = path;
  let mode = fallbackMode;
  try {
    target = realpathSync(path);
    mode = statSync(target).mode & 0o7777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  }
  const temp = writeTemp(target, content);
  try {
    chmodSync(temp, mode);
    renameSync(temp, target);
  } catch (error) {
    unlinkSync(temp);
    throw cannot('write', target, error);
  }
}
