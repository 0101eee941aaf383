/**
 * When exec takes a profile's keys from a plain-text file (the Plan names
 * it), it says once per profile (log/said-once.ts remembers) that
 * `rolecall import` would move them into the vault.
 */
import { displayPath } from '../config/config-paths.js';
import type { Env } from '../base/env.js';
import { debug, note } from '../log/debug-log.js';
import { firstTimeSaying } from '../log/said-once.js';
import { encodeName } from '../fs/file-names.js';

export function noticePlaintextKeys(env: Env, profile: string, file: string): void {
  const shown = displayPath(file, env);
  debug(`keys of profile "${profile}" from ${shown}, in plain text`);
  if (!firstTimeSaying(env, 'plaintext-noticed', encodeName(profile))) return;
  note(`profile "${profile}" takes its keys from ${shown} in plain text; \`rolecall import ${profile} --remove-plaintext\` moves them into the vault (said once)`);
}
