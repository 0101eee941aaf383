/** Where the file vault lives: $XDG_DATA_HOME/rolecall/vault, else ~/.local/share/rolecall/vault. */
import { join } from 'node:path';
import type { Env } from '../config/config-paths.js';
import { xdgHome } from '../xdg-home.js';

export function fileVaultDir(env: Env): string {
  return join(xdgHome(env, 'XDG_DATA_HOME'), 'rolecall', 'vault');
}
