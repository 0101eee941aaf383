/**
 * The command line, past entry.ts. `rolecall exec …` and `rolecall
 * credential-process …` — the commands people and tools run all day — go
 * straight to their code without loading the CLI framework, and so does
 * `rolecall __complete …`, which the completion scripts run at each TAB where
 * dist/complete.cjs has gone (the prompt hook's `hook-env` has a bundle of
 * its own, see entry.ts);
 * everything else (and their --help) goes through clipanion in main.ts.
 *
 * The bundle follows that split: dist/commands.cjs is this file with the
 * fast paths in it (one CommonJS file: each extra module file costs a start
 * about a millisecond, and the ES module loader more), and dist/main.js is
 * the rest of the CLI, an ES module loaded only when asked for, through
 * `openMain`, which entry.ts gives (this bundle holds no import(): see
 * bundle-loader.ts).
 */
import { readyForm } from '../agent/ready-answer.js';
import { EXIT_ROLECALL_FAILED, EXIT_USAGE, exitNow } from '../base/exit-status.js';
import { writeStdout } from '../base/write-stdout.js';

/** `hook-env SHELL` with the pipeline at hand: dist/hook-env.cjs hands its call here when a profile has to be entered. */
export async function hookEnvWithSession(shellName: string): Promise<number> {
  const [{ processOutput, runHookEnv }, { hookSession }] = await Promise.all([import('./hook-env-run.js'), import('./hook-session.js')]);
  return runHookEnv(shellName, processOutput, { session: hookSession });
}

/** How dist/main.js, the clipanion CLI, is opened: an ES module import, which only entry.ts can make. */
export type OpenMain = () => Promise<typeof import('./main.js')>;

export async function runCommandLine(args: readonly string[], openMain: OpenMain): Promise<void> {
  // The words a ready answer of this command line is kept under (entry.ts asked the agent for one already).
  const ready = readyForm(args)?.words;
  if (args[0] === 'exec') {
    const { parseOrReport, runExec } = await import('./exec-run.js');
    const parsed = parseOrReport(args.slice(1));
    if (!parsed) process.exitCode = EXIT_ROLECALL_FAILED;
    else if (parsed.help) await runCli(args, openMain);
    else exitNow(await runExec({ ...parsed, ...(ready ? { ready } : {}) }));
  } else if (args[0] === 'credential-process') {
    const { parseOrReport, runCredentialProcess } = await import('./credential-process-run.js');
    const parsed = parseOrReport(args.slice(1));
    if (!parsed) process.exitCode = EXIT_USAGE;
    else if (parsed.help) await runCli(args, openMain);
    else exitNow(await runCredentialProcess({ ...parsed, ...(ready ? { ready } : {}) }));
  } else if (args[0] === '__complete') {
    // The scripts run dist/complete.cjs (faster); this is their way when that file has gone.
    const { completionReply } = await import('./complete-run.js');
    await writeStdout(completionReply(args.slice(1), { ...process.env }).map((line) => `${line}\n`).join(''));
  } else {
    await runCli(args, openMain);
  }
}

async function runCli(args: readonly string[], openMain: OpenMain): Promise<void> {
  await (await openMain()).runCli(args);
}
