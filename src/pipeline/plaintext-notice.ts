/**
 * When exec takes a profile's keys from a plain-text file, it says once per
 * profile (said-once.ts remembers) that `rolecall import` would move them
 * into the vault.
 */
import { displayPath } from '../config/config-paths.js';
import type { Env } from '../base/env.js';
import { loadConfig } from '../config/load-config.js';
import { debug, note } from '../log/debug-log.js';
import { firstTimeSaying } from '../log/said-once.js';
import { encodeName } from '../fs/file-names.js';

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
  if (!firstTimeSaying(env, 'plaintext-noticed', encodeName(profile))) return;
  note(`profile "${profile}" takes its keys from ${shown} in plain text; \`rolecall import ${profile} --remove-plaintext\` moves them into the vault (said once)`);
}
