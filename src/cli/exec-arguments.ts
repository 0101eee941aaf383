/**
 * exec's own argument grammar, aws-vault style: options, then the profile,
 * then the command, with `--` optional after the profile. Parsed by hand
 * because everything after the profile belongs to the child untouched, which
 * clipanion's positional handling cannot express.
 */
import { ArgumentError } from '../base/errors.js';
import { checkedMfaToken } from './mfa-token.js';
import { parseDuration } from './parse-duration.js';

export interface ExecArguments {
  profile?: string;
  command: string[];
  durationSeconds?: number;
  region?: string;
  noSession: boolean;
  mfaToken?: string;
  backend?: string;
  debug: boolean;
  force: boolean;
  /** --server: the child fetches its credentials from rolecall's credential server, which refreshes them. */
  server: boolean;
  help: boolean;
}

const TAKES_VALUE = new Set(['--duration', '-d', '--region', '--mfa-token', '-t', '--backend']);

/** `command`: whose --help a mistake points to (credential-process reads the same grammar). */
export function parseExecArguments(args: readonly string[], command = 'exec'): ExecArguments {
  const parsed: ExecArguments = { command: [], noSession: false, debug: false, force: false, server: false, help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      parsed.command = args.slice(i + 1);
      return parsed;
    }
    if (arg.startsWith('-') && arg !== '-') {
      const eq = arg.indexOf('=');
      const name = eq > 0 ? arg.slice(0, eq) : arg;
      let value: string | undefined;
      if (TAKES_VALUE.has(name)) {
        value = eq > 0 ? arg.slice(eq + 1) : args[++i];
        if (value === undefined) throw new ArgumentError(`${name} needs a value`);
      } else if (eq > 0) {
        throw new ArgumentError(`${name} takes no value`);
      }
      applyOption(parsed, name, value, command);
      continue;
    }
    if (parsed.profile === undefined) {
      parsed.profile = arg;
      continue;
    }
    parsed.command = args.slice(i);
    return parsed;
  }
  return parsed;
}

function applyOption(parsed: ExecArguments, name: string, value: string | undefined, command: string): void {
  switch (name) {
    case '--duration':
    case '-d':
      parsed.durationSeconds = checkedDuration(value as string);
      return;
    case '--region':
      parsed.region = checkedRegion(value as string);
      return;
    case '--mfa-token':
    case '-t':
      parsed.mfaToken = checkedMfaToken(value as string);
      return;
    case '--backend':
      parsed.backend = checkedBackend(value as string);
      return;
    case '--no-session':
      parsed.noSession = true;
      return;
    case '--debug':
      parsed.debug = true;
      return;
    case '--force':
      parsed.force = true;
      return;
    case '--server':
      parsed.server = true;
      return;
    case '--help':
    case '-h':
      parsed.help = true;
      return;
    default:
      throw new ArgumentError(`unknown option ${name}; see rolecall ${command} --help`);
  }
}

/** The values of the options exec shares with export and credential-process, checked the same way for each. */
export function checkedDuration(value: string): number {
  const seconds = parseDuration(value);
  if (seconds === undefined) throw new ArgumentError(`--duration "${value}" is not a duration; use e.g. 900s, 15m, 1h or 12h`);
  return seconds;
}

export function checkedRegion(value: string): string {
  if (!/^[a-z0-9-]+$/.test(value)) throw new ArgumentError(`--region "${value}" is not a region name such as eu-west-1`);
  return value;
}

export function checkedBackend(value: string): string {
  if (value !== 'keychain' && value !== 'file') throw new ArgumentError(`--backend "${value}" is not a backend; use keychain or file`);
  return value;
}
