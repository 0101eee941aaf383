/** Where the file vault lives: $XDG_DATA_HOME/rolecall/vault, else ~/.local/share/rolecall/vault. */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Env } from '../config/config-paths.js';

export function fileVaultDir(env: Env): string {
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  const dataHome = env.XDG_DATA_HOME && isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : join(env.HOME || homedir(), '.local', 'share');
  return join(dataHome, 'rolecall', 'vault');
}
