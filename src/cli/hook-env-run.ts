/**
 * What `rolecall hook-env SHELL` does, with or without clipanion: decide
 * (shell/hook-decision.ts), print the notices on stderr and the code for the
 * hook on stdout. At a steady prompt whose session is still good the decision
 * needs no session, so the caller says where one comes from: the code behind
 * it (the config, the pipeline, the vault) is loaded only when a profile has
 * to be entered.
 */
import { EXIT_FAILED } from '../base/exit-status.js';
import { writeStdout } from '../base/write-stdout.js';
import { guarded } from '../log/report-error.js';
import { decideHook, type HookDecisionOptions } from '../shell/hook-decision.js';
import { renderHook } from '../shell/hook-render.js';
import { shellNamed } from '../shell/shells.js';

export interface HookEnvOutput {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/**
 * The process's own output for the prompt hook, which reads stdout through a
 * pipe (`eval "$(rolecall hook-env bash)"`) at every prompt: written to the
 * descriptor (base/write-stdout.ts), because making process.stdout's stream
 * for a pipe costs each prompt about 6 ms, a sixth of node's own start;
 * stderr's stream is made only when there is a notice to print.
 */
export const processOutput: HookEnvOutput = {
  stdout: { write: (text: string) => void writeStdout(text) },
  get stderr() {
    return process.stderr;
  },
};

export type SessionSource =
  | { readonly session: HookDecisionOptions['session'] }
  /**
   * dist/hook-env.cjs has no pipeline: a decision that needs a session is
   * dropped unsaid and the whole call handed to `elsewhere` (dist/commands.cjs),
   * which decides again with one. So no error crosses from one bundle to the
   * other, where its class (a Ctrl-C's CancelledError) would not be known.
   */
  | { readonly elsewhere: () => Promise<number> };

export async function runHookEnv(shellName: string, output: HookEnvOutput, source: SessionSource): Promise<number> {
  return guarded(EXIT_FAILED, async () => {
    const shell = shellNamed(shellName);
    let handedOver = false;
    const session: HookDecisionOptions['session'] =
      'session' in source
        ? source.session
        : async () => {
            handedOver = true;
            throw new Error('handed over');
          };
    const decision = await decideHook({
      env: { ...process.env },
      now: Math.floor(Date.now() / 1000),
      clock: () => Math.floor(Date.now() / 1000),
      session,
    });
    if (handedOver && 'elsewhere' in source) return source.elsewhere();
    for (const line of decision.messages) output.stderr.write(`${line}\n`);
    const code = renderHook(shell, decision);
    if (code) output.stdout.write(code);
  });
}
