import { homedir } from 'node:os';
import { join } from 'node:path';

import type { Env } from '../base/env.js';

export interface ConfigPaths {
  readonly config: string;
  readonly credentials: string;
}

/**
 * Where the AWS CLI looks: AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, else ~/.aws.
 * A variable set to the empty string names no file at all (botocore reads no
 * config then), rather than falling back to ~/.aws.
 */
export function configPaths(env: Env): ConfigPaths {
  const home = env.HOME || homedir();
  return {
    config: expandPath(env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config'), env, home),
    credentials: expandPath(env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials'), env, home),
  };
}

/** os.path.expandvars then os.path.expanduser, as botocore does with these paths. */
function expandPath(path: string, env: Env, home: string): string {
  const expanded = path.replace(/\$(\w+)|\$\{([^}]+)\}/g, (whole, bare?: string, braced?: string) => {
    const value = env[(bare ?? braced) as string];
    return value === undefined ? whole : value;
  });
  if (expanded === '~') return home;
  if (expanded.startsWith('~/')) return join(home, expanded.slice(2));
  return expanded;
}

/** ~ for the home directory, so messages stay short and do not leak the layout. */
export function displayPath(path: string, env: Env): string {
  const home = env.HOME || homedir();
  return path.startsWith(`${home}/`) ? `~/${path.slice(home.length + 1)}` : path;
}
