/**
 * `rolecall add` makes the profile exist for the AWS CLI and for rolecall by
 * appending `[profile NAME]` to the config file when it has no section for
 * it. Appending only: every byte already in the file stays where it was (a
 * newline is added first when the file does not end with one).
 */
import type { Env } from '../base/env.js';
import { configPaths, displayPath } from './config-paths.js';
import { loadConfig, NOT_A_FILE, regularFileBytes } from './load-config.js';
import { RolecallError } from '../base/errors.js';
import { whileLocked } from './while-locked.js';
import { replaceUserFile } from '../fs/private-files.js';

/**
 * Names rolecall can write a section for that botocore reads back as the
 * same name: no white space (botocore splits the header like a shell
 * command line), no quotes, backslashes or brackets, no control characters.
 */
export function checkProfileName(name: string): void {
  // eslint-disable-next-line no-control-regex
  if (!name || /[\s"'\\[\]\u0000-\u001f\u007f\u0085\u00a0\u2028\u2029]/.test(name)) {
    throw new RolecallError(`"${name.replace(/[\u0000-\u001f]/g, '?')}" cannot be a profile name for rolecall: use letters, digits and - _ . @ + = , / (no spaces, quotes or brackets)`);
  }
}

/**
 * Appends the section when the config file has none for `profile`; returns
 * the file when it did. Under a lock: the check and the write must see the
 * same file, or two adds at once lose a section or write one twice.
 */
export async function ensureProfileSection(env: Env, profile: string): Promise<string | undefined> {
  const path = configPaths(env).config;
  return whileLocked(env, path, () => appendSectionIfMissing(env, path, profile));
}

function appendSectionIfMissing(env: Env, path: string, profile: string): string | undefined {
  if (loadConfig(env).profiles.get(profile)?.files.includes('config')) return undefined;
  const read = regularFileBytes(path, env);
  if (read === NOT_A_FILE) {
    // A FIFO or a directory the AWS CLI reads as no file: nothing to append to, and never replaced by one.
    throw new RolecallError(`${displayPath(path, env)} is not a regular file, so [${sectionName(profile)}] was not added to it; make it a file, or add the section where your config is`);
  }
  const before = read ?? Buffer.alloc(0);
  const text = before.toString('utf8');
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const separator = before.length > 0 && !text.endsWith('\n') && !text.endsWith('\r') ? newline : '';
  const header = `[${sectionName(profile)}]`;
  replaceUserFile(path, Buffer.concat([before, Buffer.from(`${separator}${header}${newline}`, 'utf8')]), 0o600);
  return path;
}

function sectionName(profile: string): string {
  return profile === 'default' ? 'default' : `profile ${profile}`;
}
