/** Reads and parses the two files; the only I/O of config resolution. */
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { ConfigError } from '../base/errors.js';
import { registerSecret } from '../log/redact.js';
import { configPaths, displayPath, type ConfigPaths } from './config-paths.js';
import type { Env } from '../base/env.js';
import { decodeConfigBytes, IniSyntaxError, parseIni, parseNestedValue, type IniFile } from './ini-parser.js';
import { buildProfiles, type Profiles } from './profiles.js';
import { ssoSessionSections, type SsoSessionSections } from './sso-session.js';

export interface LoadedConfig {
  readonly paths: ConfigPaths;
  readonly profiles: Profiles;
  /** The `[sso-session NAME]` sections of the config file. */
  readonly ssoSessions: SsoSessionSections;
}

export function loadConfig(env: Env): LoadedConfig {
  const paths = configPaths(env);
  return configOfFiles(readIniFile(paths.config, env), readIniFile(paths.credentials, env), paths);
}

/** The two files' bytes (undefined: no file) as the AWS CLI reads them; the same as loadConfig, without reading the disk. */
export function configOfBytes(config: Uint8Array | undefined, credentials: Uint8Array | undefined, paths: ConfigPaths, env: Env): LoadedConfig {
  const parse = (bytes: Uint8Array | undefined, path: string) => (bytes === undefined ? { sections: [] } : parseIniBytes(bytes, path, env));
  return configOfFiles(parse(config, paths.config), parse(credentials, paths.credentials), paths);
}

function configOfFiles(config: IniFile, credentials: IniFile, paths: ConfigPaths): LoadedConfig {
  registerFileSecrets(config);
  registerFileSecrets(credentials);
  return { paths, profiles: buildProfiles(config, credentials), ssoSessions: ssoSessionSections(config) };
}

/**
 * Secrets kept in the files are registered the moment they are read, so no
 * message can carry one, even where it was pasted under another key too.
 */
const SECRET_KEYS = ['aws_secret_access_key', 'aws_session_token', 'aws_security_token'];

function registerFileSecrets(ini: IniFile): void {
  for (const section of ini.sections) {
    for (const [key, value] of Object.entries(section.values)) {
      if (SECRET_KEYS.includes(key.toLowerCase())) registerSecret(value.trim());
    }
  }
}

/**
 * A missing file is an empty one, as for the AWS CLI; so is anything that is
 * not a regular file (a directory, a FIFO, a device), which botocore skips
 * (os.path.isfile). Opened without blocking and checked on the open file: a
 * FIFO read would wait for a writer forever.
 */
export function readIniFile(path: string, env: Env): IniFile {
  const bytes = regularFileBytes(path, env);
  return typeof bytes === 'string' || bytes === undefined ? { sections: [] } : parseIniBytes(bytes, path, env);
}

export const NOT_A_FILE = 'not a regular file';

/** One file's bytes read as botocore reads them, its sub-settings (`s3 =`) included; a ConfigError names `path` and the line. */
function parseIniBytes(bytes: Uint8Array, path: string, env: Env): IniFile {
  try {
    const ini = parseIni(decodeConfigBytes(bytes));
    for (const section of ini.sections) {
      for (const [key, value] of Object.entries(section.values)) {
        try {
          parseNestedValue(value);
        } catch (error) {
          throw new IniSyntaxError(section.line, `in [${section.name}], ${key}: ${(error as Error).message}`);
        }
      }
    }
    return ini;
  } catch (error) {
    if (error instanceof IniSyntaxError) {
      throw new ConfigError(`${displayPath(path, env)}:${error.line}: ${error.reason}`);
    }
    throw error;
  }
}

/**
 * The file's bytes; undefined when there is none; NOT_A_FILE when the path
 * is something else, which readers take for no file and writers refuse.
 */
export function regularFileBytes(path: string, env: Env): Buffer | undefined | typeof NOT_A_FILE {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) return NOT_A_FILE;
    return readFileSync(fd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'EISDIR') return NOT_A_FILE;
    throw new ConfigError(`${displayPath(path, env)}: cannot read it (${code ?? 'unknown error'})`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
