/**
 * Notices that run-often commands (exec, the shell hook) should give once per
 * user, not on every run: "your keys are in plain text", "the keychain is not
 * used because …". "Said" is remembered by an empty marker file per thing said
 * under $XDG_STATE_HOME/rolecall/TOPIC/ (it holds no secret); creating it with
 * O_EXCL makes the first process the one that speaks, however many run at once.
 */
import { closeSync, openSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../base/env.js';
import { hashedName } from '../fs/hashed-name.js';
import { noticeDir } from '../fs/rolecall-dirs.js';
import { ensurePrivateDir } from '../fs/private-files.js';

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
  const dir = noticeDir(env, topic);
  try {
    ensurePrivateDir(dir);
    closeSync(openSync(join(dir, marker), 'wx', 0o600));
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'EEXIST';
  }
  if (options.forgetOthers) forgetAllBut(dir, marker);
  return true;
}

/** A marker for a thing said that is free text (a reason, a profile name): a bounded, safe file name. */
export function markerFor(text: string): string {
  return hashedName([text]);
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
