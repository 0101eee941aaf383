/**
 * `rolecall hook-env SHELL`: what the prompt hook runs when it saw a change
 * (internal: no usage, so it stays out of `rolecall --help`). It prints code
 * for the hook to eval on stdout and notices on stderr. It never fails in a
 * way that leaves the hook without its state: whatever goes wrong is one line
 * on stderr and the shell stays as it was.
 */
import { Command, Option } from 'clipanion';
import { commandContext } from '../pipeline/command-context.js';
import { sessionFor } from '../pipeline/profile-session.js';
import { decideHook } from '../shell/hook-decision.js';
import { renderHook } from '../shell/hook-render.js';
import { shellNamed } from '../shell/shells.js';
import { EXIT_FAILED } from '../base/exit-status.js';
import { guarded } from '../log/report-error.js';

export class HookEnvCommand extends Command {
  static override paths = [['hook-env']];

  shell = Option.String({ name: 'SHELL' });

  override async execute(): Promise<number> {
    return guarded(EXIT_FAILED, async () => {
      const shell = shellNamed(this.shell);
      const decision = await decideHook({
        env: { ...process.env },
        now: Math.floor(Date.now() / 1000),
        clock: () => Math.floor(Date.now() / 1000),
        session: async (profile, userEnv) => {
          const { plan, credentials } = await sessionFor({ profile }, commandContext(userEnv, { processEnv: process.env }));
          return { region: plan.region, credentials };
        },
      });
      for (const line of decision.messages) this.context.stderr.write(`${line}\n`);
      this.context.stdout.write(renderHook(shell, decision));
    });
  }
}
