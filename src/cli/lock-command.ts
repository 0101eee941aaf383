import { Command } from 'clipanion';
import { lockAgent } from '../agent/agent-control.js';
import { EXIT_FAILED } from '../base/exit-status.js';
import { guarded } from '../log/report-error.js';
import { printLine } from './backend-option.js';

export class LockCommand extends Command {
  static override paths = [['lock']];

  static override usage = Command.Usage({
    description: 'make the agent forget everything it holds, and exit',
    details: `
      The agent (\`rolecall agent\`) drops the file vault's key and every session and key it holds, and exits. The next command reads the vault itself again (and asks for the file vault's passphrase), and starts a new agent. Says whether one was running. The vault and its cached sessions are not touched: \`rolecall clear\` drops sessions.
    `,
    examples: [['Lock before leaving the machine', 'rolecall lock']],
  });

  override async execute(): Promise<number> {
    return guarded(EXIT_FAILED, async () => {
      printLine(this.context.stdout)(await lockAgent({ ...process.env }));
    });
  }
}
