/**
 * Whether a directory rolecall keeps things in can be swapped or written by
 * someone else: the agent's socket directory (whoever writes there is handed
 * the vault's key) and the compile cache (whoever writes there chooses code
 * every rolecall runs). The directories rolecall owns must be real ones,
 * this user's, writable by no one else; the directories above them must be
 * this user's or root's, writable by no one else unless sticky (/tmp), as
 * OpenSSH requires of the path to authorized_keys: whoever can write in one
 * can rename what is below it away between a check and a use, and plant
 * their own.
 */
import { lstatSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';

/** What is wrong with a directory of rolecall's own (a real one, this user's, writable by no one else); undefined when nothing. */
export function ownDirectoryProblem(stats: Stats): string | undefined {
  if (stats.isSymbolicLink()) return 'is a symbolic link; it must be a real directory';
  if (!stats.isDirectory()) return 'is not a directory';
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) return `is owned by uid ${stats.uid}, not by you (uid ${uid})`;
  if ((stats.mode & 0o022) !== 0) return `is writable by others (mode ${modeText(stats)}); it must not be`;
  return undefined;
}

/**
 * The directories from the root down to `top`'s parent, followed through
 * symbolic links (each link sits in a directory checked before it): owned by
 * this user or root, and writable by no one else unless sticky. `what` names
 * what lies under them, for the line ("the agent's directory").
 */
export function ancestorsProblem(top: string, what: string): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  const chain: string[] = [];
  for (let dir = dirname(top); ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of chain) {
    const stats = statOrMissing(dir, statSync);
    if (stats === undefined) return undefined;
    if (stats.uid !== uid && stats.uid !== 0) return `${what} is under ${dir}, owned by uid ${stats.uid}, neither you (uid ${uid}) nor root`;
    if ((stats.mode & 0o022) !== 0 && (stats.mode & 0o1000) === 0) return `${what} is under ${dir}, writable by others (mode ${modeText(stats)})`;
  }
  return undefined;
}

/** The directory's own stat (not followed), or undefined when it does not exist. */
export function lstatOrMissing(path: string): Stats | undefined {
  return statOrMissing(path, lstatSync);
}

function statOrMissing(path: string, stat: (path: string) => Stats): Stats | undefined {
  try {
    return stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function modeText(stats: Stats): string {
  return (stats.mode & 0o7777).toString(8).padStart(4, '0');
}
