/**
 * How `rolecall export` writes a session for each reader: shells (sh for
 * bash and zsh, fish) read their lines as data whatever a value holds; env,
 * dotenv and ini are files other programs parse, and a value one of them
 * cannot carry is refused rather than written so that it reads back as
 * something else.
 */
import { ArgumentError, RolecallError } from '../base/errors.js';
import type { Credentials } from '../config/credentials.js';
import { checkVariableName, exportLine, unsetLine } from '../shell/ansi-c-quote.js';
import { isoSeconds } from '../exec/child-env.js';
import { credentialJson } from './credential-json.js';
import { backslashSingleQuote } from '../shell/backslash-quote.js';

export const FORMATS = ['sh', 'env', 'fish', 'dotenv', 'json', 'ini'] as const;
export type ExportFormat = (typeof FORMATS)[number];

export function isExportFormat(name: string): name is ExportFormat {
  return (FORMATS as readonly string[]).includes(name);
}

export interface ExportedSession {
  /** Set, in this order. */
  readonly variables: Readonly<Record<string, string>>;
  /** Unset: what would win over the variables. */
  readonly removed: readonly string[];
  readonly credentials: Credentials;
  /** The ini format's section name. */
  readonly section: string;
}

export function renderExport(format: ExportFormat, session: ExportedSession): string {
  const set = Object.entries(session.variables);
  switch (format) {
    case 'sh':
      return lines([...set.map(([name, value]) => exportLine(name, value)), ...session.removed.map(unsetLine)]);
    case 'fish':
      return lines([...set.map(([name, value]) => `set -gx ${checkVariableName(name)} ${backslashSingleQuote(value)}`), ...session.removed.map((name) => `set -e ${checkVariableName(name)}`)]);
    case 'env':
      return lines(set.map(([name, value]) => `${checkVariableName(name)}=${oneLine(name, value, 'env')}`));
    case 'dotenv':
      return lines(set.map(([name, value]) => `${checkVariableName(name)}=${backslashSingleQuote(unexpanded(name, value))}`));
    case 'json':
      return credentialJson(session.credentials);
    case 'ini':
      return iniSection(session);
  }
}

function lines(list: readonly string[]): string {
  return list.map((line) => `${line}\n`).join('');
}

/**
 * python-dotenv expands `${NAME}` in every value, quoted or not, and has no
 * escape for it: such a value would read back as something else.
 */
function unexpanded(name: string, value: string): string {
  if (value.includes('${')) throw new RolecallError(`${name} holds "\${", which .env readers such as python-dotenv expand; use --format sh, fish or json`);
  return value;
}

/** `KEY=value` has no quoting: a newline would start a new entry. */
function oneLine(name: string, value: string, format: string): string {
  if (/[\r\n]/.test(value)) throw new RolecallError(`${name} holds a line break, which the ${format} format cannot carry; use --format sh, fish, dotenv or json`);
  return value;
}

/**
 * A credentials-file section as botocore reads it (RawConfigParser: no
 * interpolation; `#` and `;` start comments only at a line's start; spaces
 * around a value are dropped; an indented line continues the value above).
 */
function iniSection(session: ExportedSession): string {
  const { credentials, section } = session;
  if (!section || /[\]\r\n]/.test(section) || section.trim() !== section) {
    throw new ArgumentError(`--section "${section}" cannot be a section name: no "]", line break, or spaces at its ends`);
  }
  const pairs: [string, string][] = [
    ['aws_access_key_id', credentials.accessKeyId],
    ['aws_secret_access_key', credentials.secretAccessKey],
    ...(credentials.sessionToken ? [['aws_session_token', credentials.sessionToken] as [string, string]] : []),
  ];
  const body = pairs.map(([key, value]) => {
    const text = oneLine(key, value, 'ini');
    if (text.trim() !== text || text === '') throw new RolecallError(`${key} starts or ends with a space, which a credentials file drops; use --format json or sh`);
    return `${key} = ${text}`;
  });
  const expires = credentials.expiration ? [`# expires ${isoSeconds(credentials.expiration)}: run rolecall export again then`] : [];
  return lines([`[${section}]`, ...expires, ...body]);
}
