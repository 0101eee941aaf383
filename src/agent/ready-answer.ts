/**
 * A ready answer: what a plain `rolecall exec PROFILE -- CMD` or `rolecall
 * credential-process PROFILE` ended with (the child's session variables,
 * the JSON printed), kept by the agent so that the same command asked again
 * is answered with one request, before rolecall loads the code that reads
 * the config, builds the pipeline and asks the vault. This file holds the
 * rule of when two commands are the same: the words, the part of the
 * environment that can change an answer, and the stamps of the files the
 * profile was read from. What an answer depends on besides (the vault items
 * read, each by its signature) travels with it, and the agent checks it
 * again at every hit (agent-server.ts).
 *
 * The environment: every variable the code that resolves a profile reads is
 * an AWS_*, ROLECALL_* or XDG_* variable, or HOME or USER (a unit test holds
 * src to that); the rest (PATH, TERM, PWD …) cannot change the answer, so a
 * command run from another terminal still finds it. ROLECALL_FILE_PASSPHRASE
 * is left out: an answer never needs the vault opened, and the passphrase
 * has no business in the agent.
 */
import { isAbsolute } from 'node:path';
import type { Env } from '../base/env.js';
import { configPaths } from '../config/config-paths.js';

/**
 * How long the first command to miss an answer is taken to be resolving it
 * (agent/ready-store.ts), and so the longest a command waits for another's
 * answer before going the whole way: a cold resolve with one STS call, on a
 * loaded machine.
 */
export const RESOLVING_MS = 10_000;

const KEYED_PREFIXES = ['AWS_', 'ROLECALL_', 'XDG_'] as const;
const KEYED_NAMES: ReadonlySet<string> = new Set(['HOME', 'USER']);
const NEVER_KEYED: ReadonlySet<string> = new Set(['ROLECALL_FILE_PASSPHRASE']);
/** The variables that name the two files: a `$` in them would make the path depend on any variable at all. */
const PATH_VARIABLES = ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'] as const;

/** True for a variable that is part of a ready answer's name. */
export function isKeyedVariable(name: string): boolean {
  return !NEVER_KEYED.has(name) && (KEYED_NAMES.has(name) || KEYED_PREFIXES.some((prefix) => name.startsWith(prefix)));
}

/**
 * The part of `env` a ready answer is known by; undefined when no answer can
 * be: a file path built from other variables, or a relative one (the agent,
 * which stamps the files, runs in another directory).
 */
export function keyedEnv(env: Env): Record<string, string> | undefined {
  if (PATH_VARIABLES.some((name) => env[name]?.includes('$'))) return undefined;
  const paths = configPaths(env);
  if (!isAbsolute(paths.config) || !isAbsolute(paths.credentials)) return undefined;
  const keyed: Record<string, string> = {};
  for (const name in env) {
    const value = env[name];
    if (value !== undefined && isKeyedVariable(name)) keyed[name] = value;
  }
  return keyed;
}

/** The one name of an answer: the same words, keyed environment and file stamps, and nothing else, give the same name. */
export function readyAnswerName(words: readonly string[], env: Readonly<Record<string, string>>, stamps: readonly string[]): string {
  const sorted = Object.keys(env).sort().map((name) => [name, env[name]]);
  return JSON.stringify([words, sorted, stamps]);
}

/**
 * A vault item an answer was made from, with the signature it was read
 * under (agent-vault.ts), and where the agent finds the signature again: a
 * file vault item's own file, or a keychain item's generation marker.
 */
export interface ReadyDependency {
  readonly service: string;
  readonly account: string;
  readonly signature: string;
  readonly signedBy: { readonly fileVault: string } | { readonly markers: string };
}

/**
 * The command lines answered from a ready answer: exactly `exec PROFILE --
 * CMD…` and `credential-process PROFILE`, with no option (an option, --debug
 * among them, takes the whole way), and the words that name the answer.
 */
export interface ReadyForm {
  readonly words: readonly [string, string];
  /** exec's command and its arguments; absent for credential-process. */
  readonly command?: readonly string[];
}

export function readyForm(args: readonly string[]): ReadyForm | undefined {
  const [verb, profile] = args;
  if (profile === undefined || profile === '' || profile.startsWith('-')) return undefined;
  if (verb === 'credential-process' && args.length === 2) return { words: [verb, profile] };
  if (verb === 'exec' && args[2] === '--' && args.length > 3) return { words: [verb, profile], command: args.slice(3) };
  return undefined;
}
