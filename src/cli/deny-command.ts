import { Command, Option } from 'clipanion';
import { displayPath } from '../config/config-paths.js';
import { terminalSafe } from '../log/terminal-text.js';
import { TrustStore } from '../trust/trust-store.js';
import { EXIT_FAILED } from '../base/exit-status.js';
import { guarded } from '../log/report-error.js';
import { targetAwsprofile } from '../trust/target-file.js';

export class DenyCommand extends Command {
  static override paths = [['deny']];

  static override usage = Command.Usage({
    description: "block a directory's .awsprofile",
    details: `
      Blocks the nearest \`.awsprofile\` at or above DIR (default: the current directory), whatever it says now or later, until \`rolecall allow\`. A shell that has its profile active leaves it at its next prompt, without a \`cd\`; the hook says nothing more about the file.
    `,
    examples: [['Stop using the file that applies here', 'rolecall deny']],
  });

  dir = Option.String({ name: 'DIR', required: false });

  override async execute(): Promise<number> {
    return guarded(EXIT_FAILED, async () => {
      const path = targetAwsprofile(process.env, this.dir);
      new TrustStore(process.env).deny(path);
      this.context.stdout.write(`rolecall: denied ${terminalSafe(displayPath(path, process.env))}\n`);
    });
  }
}
