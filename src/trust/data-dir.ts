/**
 * Where rolecall keeps what it must remember between runs but is not a
 * cache: the trust records of `.awsprofile` files. XDG says a relative
 * XDG_DATA_HOME is to be ignored; the shell hook computes the same path with
 * the same rule, so both look at the same generation file.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Env } from '../config/config-paths.js';

export function rolecallDataDir(env: Env): string {
  const xdg = env.XDG_DATA_HOME;
  const base = xdg && xdg.startsWith('/') ? xdg : join(env.HOME || homedir(), '.local', 'share');
  return join(base, 'rolecall');
}
