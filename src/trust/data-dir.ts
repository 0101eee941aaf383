/**
 * Where rolecall keeps what it must remember between runs but is not a
 * cache: the trust records of `.awsprofile` files (and, beside them, the
 * file vault). The hook is given the generation marker's path by hook-env.
 */
import { join } from 'node:path';
import type { Env } from '../config/config-paths.js';
import { xdgHome } from '../xdg-home.js';

export function rolecallDataDir(env: Env): string {
  return join(xdgHome(env, 'XDG_DATA_HOME'), 'rolecall');
}
