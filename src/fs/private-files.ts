/**
 * Writing files that hold (encrypted) secrets: 0700 directories, 0600 files,
 * and every write atomic (a temp file beside the target, fsync, rename), so a
 * reader sees the old content or the new one, never half of either, and a
 * crash leaves no torn file.
 */
import { nodeCrypto } from '../base/node-crypto.js';
import { chmodSync, closeSync, fchmodSync, fstatSync, fsyncSync, linkSync, mkdirSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

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

/** Creates the directory (and missing parents) 0700, and tightens it if it exists looser. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

function writeTemp(path: string, content: string | Uint8Array): string {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${nodeCrypto().randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
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
    throw error;
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
    throw error;
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
    throw error;
  }
}
