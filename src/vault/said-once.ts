/**
 * Notices that run-often commands (exec, the shell hook) should give once per
 * user, not on every run: "your keys are in plain text", "the keychain is not
 * used because …". "Said" is remembered by an empty marker file per thing said
 * under $XDG_STATE_HOME/rolecall/TOPIC/ (it holds no secret); creating it with
 * O_EXCL makes the first process the one that speaks, however many run at once.
 */
import { closeSync, openSync, readdirSync, unlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Env } from '../config/config-paths.js';
import { ensurePrivateDir } from './private-files.js';

export interface SaidOnceOptions {
  /**
   * The topic holds one current thing at a time (the keychain's reason for
   * not being used): saying a new one forgets the others, so a reason that
   * comes back after another is said again.
   */
  readonly forgetOthers?: boolean;
}

/**
 * True the first time `marker` (a file name: letters, digits, `_`, `-`, `%`)
 * is asked for under `topic`, false after that. When the state directory is
 * not writable it is always true: saying it every time beats never.
 */
export function firstTimeSaying(env: Env, topic: string, marker: string, options: SaidOnceOptions = {}): boolean {
  const dir = join(stateHome(env), 'rolecall', topic);
  try {
    ensurePrivateDir(dir);
    closeSync(openSync(join(dir, marker), 'wx', 0o600));
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'EEXIST';
  }
  if (options.forgetOthers) forgetAllBut(dir, marker);
  return true;
}

function forgetAllBut(dir: string, marker: string): void {
  for (const name of readdirSync(dir)) {
    if (name === marker) continue;
    try {
      unlinkSync(join(dir, name));
    } catch {
      // Another process forgot it first.
    }
  }
}

/** XDG says a relative XDG_STATE_HOME is invalid and must be ignored. */
function stateHome(env: Env): string {
  return env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : join(env.HOME || homedir(), '.local', 'state');
}
