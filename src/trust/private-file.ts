/**
 * Files only the user may read: 0600 in 0700 directories, written whole or
 * not at all (temp file + rename), so a shell reading the generation file at
 * its prompt never sees half of one.
 */
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';

export function ensurePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  // mkdir's mode is masked by the umask and leaves existing dirs alone.
  chmodSync(path, 0o700);
}

export function writePrivateFile(path: string, content: string): void {
  ensurePrivateDir(dirname(path));
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, content, { mode: 0o600, flag: 'wx' });
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
