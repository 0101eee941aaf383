/**
 * Real interactive bash and zsh for the hook tests. A shell started with -i
 * and a script on stdin runs its prompt hooks (PROMPT_COMMAND, precmd)
 * before each command it reads, as at a terminal; `_dump NAME` after a step
 * records the environment the hook left, as one line on stdout, and a
 * marker on stderr so the notices can be told apart by step.
 *
 * `rolecall` on the shells' PATH is a counting wrapper (a fake in front of
 * the real built bin): each run appends a line to a file, which the script
 * counts with builtins only, so counting starts no process itself.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { TerminalSession } from '../helpers/terminal-session.js';
import { rolecallBin, repoRoot, runProcess, type Sandbox } from '../helpers/sandbox.js';
import { credentialsFile, randomKeys } from '../helpers/sts-world.js';

export interface ShellUnderTest {
  readonly label: string;
  readonly command: 'bash' | 'zsh';
  readonly args: readonly string[];
  readonly hookFile: string;
  /** The user's own prompt hooks, set up before the hook is sourced; they record $? and cd's. */
  readonly userHooks: string;
  /** Prints how the prompt hooks are installed, for one field of the dump. */
  readonly installedExpr: string;
  readonly expectInstalled: string;
}

export const SHELLS_UNDER_TEST: readonly ShellUnderTest[] = [
  {
    label: 'bash, PROMPT_COMMAND a string',
    command: 'bash',
    args: ['--norc', '--noprofile', '-i'],
    hookFile: join(repoRoot, 'shell', 'rolecall.bash'),
    userHooks: `PS1='$ '; PROMPT_COMMAND='_user_seen=$?'`,
    installedExpr: '"$PROMPT_COMMAND"',
    expectInstalled: '_rolecall_hook;_user_seen=$?',
  },
  {
    label: 'bash, PROMPT_COMMAND an array',
    command: 'bash',
    args: ['--norc', '--noprofile', '-i'],
    hookFile: join(repoRoot, 'shell', 'rolecall.bash'),
    userHooks: `PS1='$ '; PROMPT_COMMAND=('_user_seen=$?')`,
    installedExpr: '"${PROMPT_COMMAND[*]}"',
    expectInstalled: '_rolecall_hook _user_seen=$?',
  },
  {
    label: 'zsh, precmd_functions and chpwd_functions',
    command: 'zsh',
    args: ['-f', '-i'],
    hookFile: join(repoRoot, 'shell', 'rolecall.zsh'),
    userHooks: `PS1='%# '; _user_pc() { _user_seen=$?; }; precmd_functions=(_user_pc); _user_cd() { _user_cds=$((\${_user_cds-0}+1)); }; chpwd_functions=(_user_cd)`,
    installedExpr: '"${precmd_functions[*]}"',
    expectInstalled: '_rolecall_hook _user_pc',
  },
];

/** Writes bin/rolecall, the counting wrapper; returns the bin directory. */
export function countingWrapper(dir: string, callsFile: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(callsFile, '');
  const wrapper = join(bin, 'rolecall');
  writeFileSync(wrapper, `#!/bin/sh\n# fake in front of the real bin: counts runs\necho "$*" >> '${callsFile}'\nexec '${process.execPath}' '${rolecallBin}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  return bin;
}

/** Shell functions the script uses: POSIX syntax that bash and zsh both read. */
export function dumpFunctions(shell: ShellUnderTest, callsFile: string): string {
  return `
_calls() { _n=0; while IFS= read -r _l; do _n=$((_n+1)); done < '${callsFile}'; printf %s "$_n"; }
_dump() {
  echo "@@$1" >&2
  printf '@@%s' "$1"
  printf '\\tprofile=%s' "\${ROLECALL_PROFILE-<unset>}"
  printf '\\tAWS_PROFILE=%s' "\${AWS_PROFILE-<unset>}"
  printf '\\tAWS_DEFAULT_PROFILE=%s' "\${AWS_DEFAULT_PROFILE-<unset>}"
  printf '\\tkey=%s' "\${AWS_ACCESS_KEY_ID-<unset>}"
  printf '\\tsecret=%s' "\${AWS_SECRET_ACCESS_KEY:+set}"
  if [ "\${AWS_SESSION_TOKEN-}" = user-token ]; then printf '\\ttoken=user-token'; else printf '\\ttoken=%s' "\${AWS_SESSION_TOKEN:+session}"; fi
  printf '\\texpiration=%s' "\${AWS_CREDENTIAL_EXPIRATION:+set}"
  printf '\\tregion=%s' "\${AWS_REGION-<unset>}"
  printf '\\tdefaultRegion=%s' "\${AWS_DEFAULT_REGION-<unset>}"
  printf '\\tcalls=%s' "$(_calls)"
  printf '\\tuserSeen=%s' "\${_user_seen-}"
  printf '\\tuserCds=%s' "\${_user_cds-}"
  printf '\\tinstalled=%s' ${shell.installedExpr}
  printf '\\n'
}
`;
}

export type Dump = Readonly<Record<string, string>> & { readonly step: string };

export interface ShellRun {
  readonly dumps: readonly Dump[];
  /** stderr of each step, up to its dump. */
  readonly stepStderr: Readonly<Record<string, string>>;
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number | null;
}

export async function runInteractive(shell: ShellUnderTest, env: Record<string, string>, cwd: string, script: string): Promise<ShellRun> {
  const result = await runProcess(shell.command, shell.args, { env, cwd }, { input: `${script}\nexit 0\n`, timeoutMs: 120_000 });
  const dumps: Dump[] = [];
  for (const line of result.stdout.split('\n')) {
    const at = line.indexOf('@@');
    if (at === -1) continue;
    const [step, ...fields] = line.slice(at + 2).split('\t');
    dumps.push({ step: step as string, ...Object.fromEntries(fields.map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)])) } as Dump);
  }
  const stepStderr: Record<string, string> = {};
  let rest = result.stderr;
  for (const dump of dumps) {
    const marker = `@@${dump.step}\n`;
    const at = rest.indexOf(marker);
    stepStderr[dump.step] = at === -1 ? '' : rest.slice(0, at);
    if (at !== -1) rest = rest.slice(at + marker.length);
  }
  return { dumps, stepStderr, stdout: result.stdout, stderr: result.stderr, status: result.status };
}

/** The exported AWS_* and ROLECALL_* variables of the shell on `terminal`, sorted, one a line. */
export async function exportedAwsVariables(terminal: TerminalSession, label: string): Promise<string> {
  // The typed line echoes `%s`, not the label, so only the output matches the markers.
  terminal.type(`printf '@@%s-begin@@\\n' ${label}; env | grep -E '^(AWS_|ROLECALL_)' | LC_ALL=C sort; printf '@@%s-end@@\\n' ${label}\n`);
  await terminal.waitFor(new RegExp(`@@${label}-end@@`, 'g'), 1);
  const shown = new RegExp(`@@${label}-begin@@\\r?\\n([\\s\\S]*?)@@${label}-end@@`).exec(terminal.shown());
  assert.ok(shown, `the variables after ${label}:\n${terminal.shown().slice(-2000)}`);
  return (shown[1] ?? '').replace(/\r/g, '');
}

/** One entry per shell program, for tests where how the prompt hooks are installed does not matter. */
export const ONE_OF_EACH_SHELL: readonly ShellUnderTest[] = SHELLS_UNDER_TEST.filter((s, i, all) => all.findIndex((o) => o.command === s.command) === i);

/** moto's fixed answer to GetSessionToken: a profile of static keys gets this key id through the hook. */
export const DEV_KEY = 'AKIAIOSFODNN7EXAMPLE';

/** dev (static keys) and mfa, a role over dev that needs an MFA code (no mfa_process). */
export const DEV_AND_MFA_CONFIG = `
[profile dev]
region = eu-west-1

[profile mfa]
role_arn = arn:aws:iam::123456789012:role/MfaAdmin
source_profile = dev
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = eu-west-1
`;

export interface HookHome {
  readonly callsFile: string;
  /** The shells' environment: the sandbox's, the counting wrapper first on PATH, and the user's own variables. */
  readonly env: Record<string, string>;
  /** How many times the shells ran `rolecall hook-env`. */
  hookEnvRuns(): number;
}

/**
 * A sandbox home for the hook: `config`, dev's keys in ~/.aws/credentials,
 * ~/tree/DIR/.awsprofile naming each profile of `projects` (with a sub/
 * under it), and the counting wrapper. Nothing is allowed yet.
 */
export function hookHome(box: Sandbox, config: string, projects: Readonly<Record<string, string>>, userEnv: Readonly<Record<string, string>> = {}): HookHome {
  box.write('.aws/config', config);
  box.write('.aws/credentials', credentialsFile({ dev: randomKeys() }));
  for (const [dir, profile] of Object.entries(projects)) {
    mkdirSync(join(box.home, 'tree', dir, 'sub'), { recursive: true });
    writeFileSync(join(box.home, 'tree', dir, '.awsprofile'), `${profile}\n`);
  }
  const callsFile = join(box.home, 'calls');
  const bin = countingWrapper(box.home, callsFile);
  return {
    callsFile,
    env: { ...box.env, PATH: `${bin}:${box.env.PATH ?? '/usr/bin:/bin'}`, TERM: 'dumb', ...userEnv },
    hookEnvRuns: () => readFileSync(callsFile, 'utf8').split('\n').filter((l) => l.startsWith('hook-env')).length,
  };
}
