/**
 * `rolecall hook-env SHELL`: what the prompt hook runs when it saw a change
 * (internal: no usage, so it stays out of `rolecall --help`). It prints code
 * for the hook to eval on stdout and notices on stderr. It never fails in a
 * way that leaves the hook without its state: whatever goes wrong is one line
 * on stderr and the shell stays as it was. The hook's own call runs the same
 * function (hook-env-run.ts) without clipanion: see entry.ts.
 */
import { Command, Option } from 'clipanion';
import { runHookEnv } from './hook-env-run.js';

export class HookEnvCommand extends Command {
  static override paths = [['hook-env']];

  shell = Option.String({ name: 'SHELL' });

  override async execute(): Promise<number> {
    return runHookEnv(this.shell, this.context, { session: async (profile, userEnv) => (await import('./hook-session.js')).hookSession(profile, userEnv) });
  }
}
