/** Reads and parses the two files; the only I/O of config resolution. */
import { readFileSync } from 'node:fs';
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
  const config = readIniFile(paths.config, env);
  const credentials = readIniFile(paths.credentials, env);
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

/** A missing file is an empty one, as for the AWS CLI. */
export function readIniFile(path: string, env: Env): IniFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return { sections: [] };
    throw new ConfigError(`${displayPath(path, env)}: cannot read it (${code ?? 'unknown error'})`);
  }
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
