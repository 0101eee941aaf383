/**
 * `rolecall import --remove-plaintext`: deletes the key lines of the given
 * profiles from a credentials (or config) file, and nothing else: every
 * other line keeps its bytes and its line ending. The file as it was is
 * kept beside it, 0600, so a mistake can be undone.
 *
 * Lines are read with configparser's rules (ini-parser.ts): a section
 * header is `[NAME]` at the start of a stripped line, `#` and `;` start
 * comments, and a line indented deeper than its key continues that key's
 * value (removed with it).
 */
import { readFileSync } from 'node:fs';
import { pyStrip, pyIsSpace } from './python-strings.js';
import { profileNameOfConfigSection } from './profiles.js';
import { writePrivateFile, replaceUserFile } from '../fs/private-files.js';

export const KEY_NAMES = ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'aws_security_token'];

export interface Removal {
  /** How many lines went. */
  readonly removed: number;
  /** The copy of the file as it was, when anything was removed. */
  readonly backup?: string;
}

export function removePlaintextKeys(path: string, kind: 'config' | 'credentials', profiles: ReadonlySet<string>, now = new Date()): Removal {
  const original = readFileSync(path, 'utf8');
  // Split keeping each line's own ending, so the rest is rebuilt byte for byte.
  const lines = original.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
  const kept: string[] = [];
  let inTarget = false;
  /** Indent of the last key line (configparser's indent_level); undefined right after a header. */
  let keyIndent: number | undefined;
  let dropping = false;
  let removed = 0;
  for (const line of lines) {
    const body = line.replace(/(?:\r\n|\r|\n)$/, '');
    const stripped = pyStrip(body);
    if (stripped === '' || /^[#;]/.test(stripped)) {
      kept.push(line); // blank lines and comments belong to no key
      continue;
    }
    const indent = indentOf(body);
    if (keyIndent !== undefined && indent > keyIndent) {
      // A continuation of the key above: it goes with that key.
      if (dropping) removed++;
      else kept.push(line);
      continue;
    }
    dropping = false;
    const header = /^\[(.+)\]/.exec(stripped);
    if (header) {
      const name = kind === 'config' ? profileNameOfConfigSection(header[1] as string) : header[1];
      inTarget = name !== undefined && profiles.has(name);
      keyIndent = undefined;
      kept.push(line);
      continue;
    }
    keyIndent = indent;
    const key = /^(.*?)\s*[=:]/.exec(stripped)?.[1];
    if (inTarget && key !== undefined && KEY_NAMES.includes(pyStrip(key).toLowerCase())) {
      removed++;
      dropping = true;
      continue;
    }
    kept.push(line);
  }
  if (removed === 0) return { removed };
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const backup = `${path}.rolecall-backup-${stamp}`;
  writePrivateFile(backup, original);
  replaceUserFile(path, kept.join(''));
  return { removed, backup };
}

function indentOf(line: string): number {
  let i = 0;
  while (i < line.length && pyIsSpace(line[i] as string)) i++;
  return i;
}
