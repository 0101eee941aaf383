/**
 * The entry point, bundled into dist/rolecall.mjs. It stays small on
 * purpose: the STS client and keytar are loaded only by the code that calls
 * them, so a cached `rolecall exec` starts about as fast as node itself.
 */
import { Builtins, Cli } from 'clipanion';
import { ExecCommand } from './exec-command.js';
import { HookCommand } from './hook-command.js';
import { HookEnvCommand } from './hook-env-command.js';
import { AllowCommand } from './allow-command.js';
import { DenyCommand } from './deny-command.js';
import { StatusCommand } from './status-command.js';

const cli = new Cli({
  binaryLabel: 'rolecall',
  binaryName: 'rolecall',
  binaryVersion: '0.1.0',
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
cli.register(HookCommand);
cli.register(HookEnvCommand);
cli.register(AllowCommand);
cli.register(DenyCommand);
cli.register(StatusCommand);

const status = await cli.run(process.argv.slice(2), Cli.defaultContext);
process.exitCode = status;
