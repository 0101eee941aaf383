/**
 * Every command but the fast paths (--version, exec, credential-process, hook-env and __complete; see entry.ts, fast-paths.ts) runs
 * through clipanion here. The STS client and keytar are loaded only by the
 * code that calls them. Importing this file registers the commands and runs
 * nothing (the completion table's unit test reads `cli.definitions()`).
 */
import { errorLine } from '../base/errors.js';
import { EXIT_USAGE, signalled } from '../base/exit-status.js';
import { Builtins, Cli } from 'clipanion';
import { ExecCommand } from './exec-command.js';
import { reportError } from '../log/report-error.js';
import { HookCommand } from './hook-command.js';
import { HookEnvCommand } from './hook-env-command.js';
import { AllowCommand } from './allow-command.js';
import { DenyCommand } from './deny-command.js';
import { StatusCommand } from './status-command.js';
import { suggestNames } from '../config/suggest-names.js';
import { ROLECALL_VERSION } from './version.js';

/** A command's own error (a UsageError from execute) as one line on stderr, like every other. */
class RolecallCli extends Cli {
  override error(error: Error): string {
    reportError(error);
    return '';
  }
}

export const cli = new RolecallCli({
  binaryLabel: 'rolecall',
  binaryName: 'rolecall',
  binaryVersion: ROLECALL_VERSION,
  enableColors: false,
});
cli.register(Builtins.HelpCommand);
cli.register(Builtins.VersionCommand);
cli.register(ExecCommand);
cli.register((await import('./clear-command.js')).ClearCommand);
cli.register((await import('./add-command.js')).AddCommand);
cli.register((await import('./remove-command.js')).RemoveCommand);
cli.register((await import('./list-command.js')).ListCommand);
cli.register((await import('./import-command.js')).ImportCommand);
cli.register((await import('./login-command.js')).LoginCommand);
cli.register((await import('./rotate-command.js')).RotateCommand);
cli.register(HookCommand);
cli.register(HookEnvCommand);
cli.register(AllowCommand);
cli.register(DenyCommand);
cli.register(StatusCommand);
cli.register((await import('./export-command.js')).ExportCommand);
cli.register((await import('./credential-process-command.js')).CredentialProcessCommand);
cli.register((await import('./completion-command.js')).CompletionCommand);
cli.register((await import('./agent-command.js')).AgentCommand);
cli.register((await import('./lock-command.js')).LockCommand);
cli.register((await import('./sso-login-command.js')).SsoLoginCommand);
cli.register((await import('./sso-logout-command.js')).SsoLogoutCommand);
cli.register((await import('./sso-profiles-command.js')).SsoProfilesCommand);

/** Runs the command line `argv` (the arguments after `rolecall`); sets the exit status. */
export async function runCli(argv: readonly string[]): Promise<void> {
  // `rolecall help [CMD]` as people type it: clipanion takes --help after the
  // command's path (`rolecall CMD --help`), and alone for the overview.
  const args = argv[0] === 'help' ? [...argv.slice(1), '--help'] : [...argv];
  // A reader that went away (`rolecall list | head -1`) ends the command as SIGPIPE ends a C program's,
  // without Node's stack trace for the write it could not make.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(signalled('SIGPIPE'));
    throw error;
  });
  let command;
  try {
    command = cli.process(args, Cli.defaultContext);
  } catch (error) {
    // clipanion's own report is several lines of usage on stdout; ours is one
    // line on stderr that says where to look.
    process.stderr.write(`rolecall: ${syntaxError(error, args)}\n`);
    process.exitCode = EXIT_USAGE;
  }
  if (command) process.exitCode = await cli.run(command, Cli.defaultContext);
}

function syntaxError(error: unknown, args: readonly string[]): string {
  const first = errorLine(error).replace(/[;:]\s*did you mean.*$/i, '').replace(/[.:]\s*$/, '');
  const name = args[0];
  const definition = name === undefined ? undefined : cli.definitions().find((d) => d.path === `rolecall ${name}` || d.path.startsWith(`rolecall ${name} `));
  if (!definition && name !== undefined && !name.startsWith('-')) {
    // `sso login`, `sso logout`, `sso profiles` are one word here; the nearest name only, as a short word is near many.
    const commands = [...new Set(cli.definitions().map((d) => d.path.split(' ')[1] ?? '').filter(Boolean))];
    const hint = suggestNames(name, commands, 1);
    return `unknown command "${name}"${hint ? ` (did you mean ${hint}?)` : ''}; see rolecall --help`;
  }
  // `rolecall sso` alone, or `rolecall sso lgin`: a group of commands, each with its own --help.
  const group = name === undefined ? [] : cli.definitions().filter((d) => d.path.split(' ').length > 2 && d.path.startsWith(`rolecall ${name} `));
  const sub = args[1];
  if (group.length > 0 && !group.some((d) => d.path === `rolecall ${name} ${sub}`)) {
    const what = sub !== undefined && !sub.startsWith('-') ? `unknown command "${name} ${sub}"` : `"${name}" needs one of its commands`;
    return `${what}: ${group.map((d) => d.path.replace(/^rolecall /, '')).join(', ')}; see rolecall ${name} COMMAND --help`;
  }
  const help = definition ? `${group.length > 0 ? `rolecall ${name} ${sub}` : `rolecall ${name}`} --help` : 'rolecall --help';
  if (definition && /^Not enough positional arguments/i.test(first)) return `${missingOperands(definition.path, definition.usage)}; see ${help}`;
  return `${first || 'cannot parse the command line'}; see ${help}`;
}

/** "missing PROFILE (usage: rolecall add PROFILE)", from clipanion's "rolecall add [--backend #0] <PROFILE>". */
function missingOperands(path: string, usage: string): string {
  const operands = [...usage.matchAll(/<([^>-][^>]*)>/g)].map((m) => m[1] as string);
  if (operands.length === 0) return 'missing an argument';
  return `missing ${operands.join(' and ')} (usage: ${path} ${operands.join(' ')})`;
}
