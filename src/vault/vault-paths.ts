/** Where the file vault lives: $XDG_DATA_HOME/rolecall/vault, else ~/.local/share/rolecall/vault. */
import { join } from 'node:path';
import type { Env } from '../config/config-paths.js';
import { rolecallDataDir } from '../trust/data-dir.js';

export function fileVaultDir(env: Env): string {
  return join(rolecallDataDir(env), 'vault');
}
