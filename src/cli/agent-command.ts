import { Command, Option } from 'clipanion';
import { agentStatusLines, runAgentInPlace, startAgentInBackground } from '../agent/agent-control.js';
import { EXIT_FAILED } from '../base/exit-status.js';
import { guarded } from '../log/report-error.js';
import { printLine } from './backend-option.js';

export class AgentCommand extends Command {
  static override paths = [['agent']];

  static override usage = Command.Usage({
    description: 'keep the unlocked file vault and fetched sessions in memory',
    details: `
      Starts the agent in the background, unless one runs already, and says where its socket is. The agent keeps in memory, for you alone, the file vault's key once a command has unlocked it and the sessions and keys commands have read from either backend, so a warm \`rolecall exec\` needs no passphrase, no scrypt and no keychain call. It never writes a secret to disk.

      Commands that open a vault start it by themselves; this command is for starting it ahead. It listens on \`$XDG_RUNTIME_DIR/rolecall/agent.sock\` (else under \`$XDG_STATE_HOME/rolecall/agent\`), a directory that must be yours with mode 0700. It exits after \`ROLECALL_AGENT_TTL\` seconds without a request (default 900), and at \`rolecall lock\`, forgetting everything. \`ROLECALL_AGENT=off\` turns it off: no agent is asked or started.

      \`--status\` says whether it runs, since when, and what it holds: which file vault it has unlocked, the profiles whose keys and sessions it has, and their expiries; never a secret.
    `,
    examples: [
      ['Start the agent now', 'rolecall agent'],
      ['What the agent holds', 'rolecall agent --status'],
      ['Run it in this terminal (what a command starting it runs)', 'rolecall agent --foreground'],
    ],
  });

  foreground = Option.Boolean('--foreground', false, { description: 'run the agent in this process, until its TTL or `rolecall lock`' });
  status = Option.Boolean('--status', false, { description: 'whether an agent runs, and what it holds (names and expiries only)' });

  override async execute(): Promise<number> {
    return guarded(EXIT_FAILED, async () => {
      const env = { ...process.env };
      const print = printLine(this.context.stdout);
      if (this.status) {
        for (const line of await agentStatusLines(env)) print(line);
      } else if (this.foreground) {
        await runAgentInPlace(env);
        // Its stdio may be a terminal: nothing is printed, and nothing else keeps it.
        process.exit(0);
      } else {
        print(await startAgentInBackground(env));
      }
    });
  }
}
