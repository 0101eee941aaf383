/**
 * The entry point, bundled into dist/rolecall.mjs. It stays small on
 * purpose: the STS client and keytar are loaded only by the code that calls
 * them, so a cached `rolecall exec` starts about as fast as node itself.
 */
import { Builtins, Cli } from 'clipanion';
import { ExecCommand } from './exec-command.js';

const cli = new Cli({
  binaryLabel: 'rolecall',
  binaryName: 'rolecall',
  binaryVersion: '0.1.0',
  enableColors: false,
});
cli.register(Builtins.HelpCommand);
cli.register(Builtins.VersionCommand);
cli.register(ExecCommand);

const status = await cli.run(process.argv.slice(2), Cli.defaultContext);
process.exitCode = status;
