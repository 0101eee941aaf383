/**
 * The agent's socket directory and the checks made on it before every
 * connect and before listening. Whoever can write in that directory can put
 * a socket of their own there and be handed the vault's key, so it must be a
 * real directory (not a symlink, which could point anywhere), owned by this
 * user, with no group or other bits; the socket in it must be a socket of
 * ours. So must the directories above it be: whoever can write in one can
 * rename the agent's directory away between the check and the connect and
 * plant their own; the parents rolecall-dirs names (XDG_RUNTIME_DIR, or the
 * state home down) must be this user's, writable by no one else, as systemd
 * requires of XDG_RUNTIME_DIR, and the directories above those must be this
 * user's or root's, writable by no one else unless sticky (/tmp), as OpenSSH
 * requires of the path to authorized_keys. Anything else is refused with one
 * line naming the path and what is wrong, and the command carries on without
 * the agent. (The checks of directories live in fs/trusted-directories.ts. The connect itself goes by path: Node's net has no connectat,
 * and with every directory on the way writable only by this user or root,
 * no one else can swap one between the check and the connect.)
 */
import { mkdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../base/env.js';
import { RolecallError } from '../base/errors.js';
import { agentSocketDir, agentSocketParents } from '../fs/rolecall-dirs.js';
import { ancestorsProblem, lstatOrMissing, ownDirectoryProblem } from '../fs/trusted-directories.js';

const SOCKET_NAME = 'agent.sock';
/** sun_path is 108 bytes on Linux, one of them the terminating NUL (104 on macOS). */
export const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

export interface AgentPlace {
  readonly dir: string;
  readonly socket: string;
  /** The directories above `dir` that must be the user's alone, top first. */
  readonly parents: readonly string[];
}

/** A directory or socket that must not be used, with why. */
export class AgentPlaceError extends RolecallError {
  override readonly name = 'AgentPlaceError';
}

export function agentPlace(env: Env): AgentPlace {
  const dir = agentSocketDir(env);
  return { dir, socket: join(dir, SOCKET_NAME), parents: agentSocketParents(env) };
}

/** Why `place` cannot be used (a path too long, a directory open to others …); undefined when it can, or does not exist yet. */
export function placeProblem(place: AgentPlace): string | undefined {
  const length = Buffer.byteLength(place.socket);
  if (length > MAX_SOCKET_PATH_BYTES) {
    return `the agent's socket path ${place.socket} is ${length} bytes, more than the ${MAX_SOCKET_PATH_BYTES} a Unix socket allows; set XDG_RUNTIME_DIR to a shorter directory`;
  }
  const aboveProblem = ancestorsProblem(place.parents[0] ?? place.dir, "the agent's directory");
  if (aboveProblem) return aboveProblem;
  for (const parent of place.parents) {
    const stats = lstatOrMissing(parent);
    // Missing: nothing to connect to yet; preparePlace makes it 0700 and checks again.
    if (stats === undefined) return undefined;
    const problem = ownDirectoryProblem(stats);
    if (problem) return `the agent's parent directory ${parent} ${problem}`;
  }
  const dir = lstatOrMissing(place.dir);
  if (dir === undefined) return undefined;
  const dirProblem = ownPrivateProblem(dir, 'directory');
  if (dirProblem) return `the agent's directory ${place.dir} ${dirProblem}`;
  const socket = lstatOrMissing(place.socket);
  if (socket === undefined) return undefined;
  const socketProblem = ownPrivateProblem(socket, 'socket');
  return socketProblem ? `the agent's socket ${place.socket} ${socketProblem}` : undefined;
}

/** Creates the directory (0700) when missing, then checks it; throws an AgentPlaceError when it cannot be used. */
export function preparePlace(place: AgentPlace): void {
  const early = placeProblem(place);
  if (early) throw new AgentPlaceError(early);
  // Parents made here are rolecall's own (a state home); XDG_RUNTIME_DIR exists already.
  mkdirSync(place.dir, { recursive: true, mode: 0o700 });
  const problem = placeProblem(place);
  if (problem) throw new AgentPlaceError(problem);
}

/** What is wrong with a directory or socket for holding secrets; undefined when nothing. */
function ownPrivateProblem(stats: Stats, kind: 'directory' | 'socket'): string | undefined {
  if (stats.isSymbolicLink()) return 'is a symbolic link; it must be a real ' + kind;
  if (kind === 'directory' ? !stats.isDirectory() : !stats.isSocket()) return `is not a ${kind}`;
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) return `is owned by uid ${stats.uid}, not by you (uid ${uid})`;
  // A socket's own bits matter little on Linux inside a 0700 directory, and
  // some systems ignore them: the directory is the guard; still, ours is 0600.
  if ((stats.mode & 0o077) !== 0) return `is open to others (mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')}); it must be ${kind === 'directory' ? '0700' : '0600'}`;
  return undefined;
}
