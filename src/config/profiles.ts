/**
 * Turns the two parsed files into profiles the way botocore does:
 * `[profile NAME]` (NAME split like a shell word, so it may be quoted) and
 * `[default]` in the config file, `[NAME]` in the credentials file, and the
 * credentials file wins key by key.
 */
import type { IniFile } from './ini-parser.js';
import { shlexSplit } from './python-strings.js';

export type FileKind = 'config' | 'credentials';

export interface Profile {
  readonly name: string;
  /** Keys lower-cased, values as written (already merged across the files). */
  readonly values: Readonly<Record<string, string>>;
  /** Which file each key came from, for messages. */
  readonly origin: Readonly<Record<string, FileKind>>;
  /** Which files define this profile at all. */
  readonly files: readonly FileKind[];
  /**
   * Each file's own section, unmerged: botocore takes a key pair from one
   * file only (its credentials-file provider, then its config-file provider).
   */
  readonly byFile: Readonly<Partial<Record<FileKind, Readonly<Record<string, string>>>>>;
}

export type Profiles = ReadonlyMap<string, Profile>;

export function profileNameOfConfigSection(section: string): string | undefined {
  if (section === 'default') return 'default';
  if (!section.startsWith('profile')) return undefined;
  const words = shlexSplit(section);
  return words && words.length === 2 ? words[1] : undefined;
}

export function buildProfiles(config: IniFile, credentials: IniFile): Profiles {
  type Building = { values: Record<string, string>; origin: Record<string, FileKind>; files: FileKind[]; byFile: Partial<Record<FileKind, Record<string, string>>> };
  const profiles = new Map<string, Building>();
  for (const section of config.sections) {
    const name = profileNameOfConfigSection(section.name);
    if (name === undefined) continue;
    // A later section for the same name replaces the earlier one, as a Python dict assignment does.
    profiles.set(name, {
      values: { ...section.values },
      origin: Object.fromEntries(Object.keys(section.values).map((k) => [k, 'config' as const])),
      files: ['config'],
      byFile: { config: section.values },
    });
  }
  for (const section of credentials.sections) {
    const existing = profiles.get(section.name);
    if (!existing) {
      profiles.set(section.name, {
        values: { ...section.values },
        origin: Object.fromEntries(Object.keys(section.values).map((k) => [k, 'credentials' as const])),
        files: ['credentials'],
        byFile: { credentials: section.values },
      });
      continue;
    }
    Object.assign(existing.values, section.values);
    for (const key of Object.keys(section.values)) existing.origin[key] = 'credentials';
    existing.files.push('credentials');
    existing.byFile.credentials = section.values;
  }
  return new Map([...profiles].map(([name, p]) => [name, { name, ...p }]));
}
