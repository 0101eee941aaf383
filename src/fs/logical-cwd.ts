/**
 * The directory as the shell names it: $PWD when it is this directory
 * (symlinks unresolved, as `cd` keeps them), else the physical path. The hook
 * walks $PWD up to find .awsprofile; the program must walk the same route.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Env } from '../base/env.js';

export function logicalCwd(env: Env, physical: string = process.cwd()): string {
  const pwd = env.PWD;
  if (!pwd || !pwd.startsWith('/')) return physical;
  try {
    const a = statSync(pwd);
    const b = statSync(physical);
    return a.dev === b.dev && a.ino === b.ino ? pwd : physical;
  } catch {
    return physical;
  }
}

/** A directory argument, relative to the logical cwd. */
export function logicalPath(env: Env, path: string): string {
  return resolve(logicalCwd(env), path);
}
