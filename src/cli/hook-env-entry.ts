/**
 * dist/hook-env.cjs, what `rolecall hook-env SHELL` loads (entry.ts sends the
 * prompt hook's call here): the decision and its rendering, about 17 KB of
 * CommonJS, where the commands' bundle would cost a steady prompt's hook-env
 * about 10 ms more to compile. Entering a profile needs the pipeline: the
 * call is then handed to dist/commands.cjs, which entry.ts loads when asked
 * (see SessionSource).
 */
import { processOutput, runHookEnv } from './hook-env-run.js';

export async function runHookEnvCommand(shellName: string, commands: () => typeof import('./fast-paths.js')): Promise<void> {
  process.exitCode = await runHookEnv(shellName, processOutput, {
    elsewhere: () => commands().hookEnvWithSession(shellName),
  });
}
