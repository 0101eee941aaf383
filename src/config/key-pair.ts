/**
 * Which file a profile's key pair comes from, and what it is: the one rule
 * that exec, import, list, add and remove share. botocore takes a pair from
 * one file only, the credentials file first, never an id from one and a
 * secret from the other; of the two token names it reads aws_security_token
 * (the older) before aws_session_token. (Whether exec uses that pair at all
 * is the Plan's to say: config/resolve-profile.ts puts a credential_process
 * between the two files, as botocore's providers do.)
 */
import type { LoadedConfig } from './load-config.js';
import type { StaticKeys } from './plan.js';
import type { FileKind, Profile } from './profiles.js';

/** The complete key pair of one file's section, or undefined. */
export function keyPairIn(section: Readonly<Record<string, string>> | undefined): StaticKeys | undefined {
  const accessKeyId = section?.aws_access_key_id;
  const secretAccessKey = section?.aws_secret_access_key;
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = section.aws_security_token || section.aws_session_token;
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

/** The first file, in botocore's order, whose section holds a complete key pair. */
export function keyPairOf(profile: Profile | undefined): { readonly file: FileKind; readonly keys: StaticKeys } | undefined {
  for (const file of ['credentials', 'config'] as const) {
    const keys = keyPairIn(profile?.byFile[file]);
    if (keys) return { file, keys };
  }
  return undefined;
}

/** The plain-text file that holds a key pair for `profile`, if any (the credentials file first). */
export function plaintextKeysFile(config: LoadedConfig, profile: string): string | undefined {
  const pair = keyPairOf(config.profiles.get(profile));
  return pair && config.paths[pair.file];
}
