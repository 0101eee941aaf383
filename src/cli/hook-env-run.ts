/**
 * What `rolecall hook-env SHELL` does, with or without clipanion: decide
 * (shell/hook-decision.ts), print the notices on stderr and the code for the
 * hook on stdout. At a steady prompt whose session is still good the decision
 * needs no session, so the caller hands in how to get one: the code behind it
 * (the config, the pipeline, the vault) is loaded only when a profile has to
 * be entered.
 */
import { EXIT_FAILED } from '../base/exit-status.js';
import { guarded } from '../log/report-error.js';
import { decideHook, type HookDecisionOptions } from '../shell/hook-decision.js';
import { renderHook } from '../shell/hook-render.js';
import { shellNamed } from '../shell/shells.js';

export interface HookEnvOutput {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

export async function runHookEnv(shellName: string, output: HookEnvOutput, session: HookDecisionOptions['session']): Promise<number> {
  return guarded(EXIT_FAILED, async () => {
    const shell = shellNamed(shellName);
    const decision = await decideHook({
      env: { ...process.env },
      now: Math.floor(Date.now() / 1000),
      clock: () => Math.floor(Date.now() / 1000),
      session,
    });
    for (const line of decision.messages) output.stderr.write(`${line}\n`);
    output.stdout.write(renderHook(shell, decision));
  });
}
