/**
 * When exec takes a profile's keys from a plain-text file, it says once per
 * profile that `rolecall import` would move them into the vault. "Once" is
 * remembered by an empty marker file per profile under XDG_STATE_HOME (it
 * holds no secret); creating it with O_EXCL makes the first process the one
 * that speaks, however many run at once.
 */
import { closeSync, openSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { displayPath, type Env } from '../config/config-paths.js';
import { loadConfig } from '../config/load-config.js';
import { debug, note } from '../log/debug-log.js';
import { ensurePrivateDir } from './private-files.js';
import { encodeName } from './vault-names.js';

/** The plain-text file exec will read `profile`'s keys from, when it has them in one. */
export function plaintextKeysFile(env: Env, profile: string): string | undefined {
  const { paths, profiles } = loadConfig(env);
  const found = profiles.get(profile);
  if (!found) return undefined;
  // botocore takes a key pair from one file: the credentials file first.
  for (const kind of ['credentials', 'config'] as const) {
    const section = found.byFile[kind];
    if (section?.aws_access_key_id && section.aws_secret_access_key) return paths[kind];
  }
  return undefined;
}

export function noticePlaintextKeys(env: Env, profile: string, file: string): void {
  const shown = displayPath(file, env);
  debug(`keys of profile "${profile}" from ${shown}, in plain text`);
  if (!firstTime(env, profile)) return;
  note(`profile "${profile}" takes its keys from ${shown} in plain text; \`rolecall import ${profile} --remove-plaintext\` moves them into the vault (said once)`);
}

function firstTime(env: Env, profile: string): boolean {
  const stateHome = env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : join(env.HOME || homedir(), '.local', 'state');
  const dir = join(stateHome, 'rolecall', 'plaintext-noticed');
  try {
    ensurePrivateDir(dir);
    closeSync(openSync(join(dir, encodeName(profile)), 'wx', 0o600));
    return true;
  } catch (error) {
    // Already said (EEXIST); or the state directory is not writable, and
    // then saying it every time beats never.
    return (error as NodeJS.ErrnoException).code !== 'EEXIST';
  }
}
