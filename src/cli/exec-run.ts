/**
 * `rolecall exec` as a command, free of clipanion: the entry point calls it
 * directly for the common case, so a cached exec loads only what it uses.
 * It parses, has exec/prepare-child.ts get the session and the child's
 * environment (a failure there is status 125), and runs the child.
 */
import { EXIT_ROLECALL_FAILED } from '../base/exit-status.js';
import { prepareChild, type ChildSpec } from '../exec/prepare-child.js';
import { debug, enableDebug } from '../log/debug-log.js';
import { parseExecArguments, type ExecArguments } from './exec-arguments.js';
import type { ReadyForm } from '../agent/ready-answer.js';
import { failureStatus, reportedOr } from '../log/report-error.js';

/** Parses exec's arguments; undefined after reporting a mistake. */
export function parseOrReport(args: readonly string[]): ExecArguments | undefined {
  return reportedOr(() => parseExecArguments(args));
}

export async function runExec(parsed: ExecArguments & { readonly ready?: ReadyForm['words'] }): Promise<number> {
  enableDebug(parsed.debug);
  let child: ChildSpec;
  try {
    child = await prepareChild({ ...process.env }, parsed);
  } catch (error) {
    return failureStatus(error, EXIT_ROLECALL_FAILED);
  }
  // Loading since prepareChild's warm-up; awaited only now, with the credentials in hand.
  const { runChild } = await import('../exec/run-child.js');
  debug(`starting ${child.command}`);
  let outcome;
  try {
    outcome = await runChild(child.command, child.args, child.env);
  } finally {
    // The credential server lives exactly as long as the child.
    await child.closeServer?.();
  }
  debug(`${child.command} ended: status ${outcome.status}`);
  if (outcome.startError) process.stderr.write(`rolecall: ${outcome.startError}\n`);
  return outcome.status;
}
