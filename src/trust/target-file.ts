/** The `.awsprofile` that `rolecall allow/deny/status [DIR]` is about. */
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Env } from '../base/env.js';
import { displayPath } from '../config/config-paths.js';
import { RolecallError } from '../base/errors.js';
import { terminalSafe } from '../log/terminal-text.js';
import { logicalCwd, logicalPath } from '../fs/logical-cwd.js';
import { AWSPROFILE, findAwsprofile } from './awsprofile-file.js';

/** DIR (default: here) and up, as the hook looks; a path to the file itself is taken as it is. */
export function targetAwsprofile(env: Env, dir: string | undefined): string {
  const start = dir === undefined ? logicalCwd(env) : logicalPath(env, dir);
  // A mistyped DIR would otherwise walk up to a file above it and trust (or block) that one.
  if (dir !== undefined && !existsSync(start)) throw new RolecallError(`${shown(start, env)} does not exist`);
  if (isFile(start)) {
    if (basename(start) === AWSPROFILE) return start;
    throw new RolecallError(`${shown(start, env)} is a file; name its directory, or the ${AWSPROFILE} itself`);
  }
  const found = findAwsprofile(start);
  if (!found) throw new RolecallError(`no ${AWSPROFILE} in ${shown(start, env)} or any directory above it`);
  return found;
}

/** A path as the user may have typed or tab-completed it: a hostile name must not write to the terminal. */
function shown(path: string, env: Env): string {
  return terminalSafe(displayPath(path, env));
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
