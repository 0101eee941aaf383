/**
 * Runs the command with the terminal inherited and reports its status the
 * way GNU env does: the child's own status, 128+N when it died of signal N,
 * 126 when it cannot be run, 127 when it is not found. Signals sent to
 * rolecall alone (kill PID) are passed on, so supervisors that signal the
 * process they started still reach the real program.
 *
 * node:child_process itself, not execa: with the terminal inherited there is
 * nothing to buffer or strip, and loading execa (and its dozen packages) was
 * about a fifth of a warm exec's own cost. execa stays for the helpers that
 * rolecall reads the output of (mfa_process, credential_process).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EXIT_NOT_EXECUTABLE, EXIT_NOT_FOUND, signalled } from '../base/exit-status.js';
import { statFields } from '../fs/process-liveness.js';

export const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;

/**
 * Signals typed at a terminal (Ctrl-C, Ctrl-\\), which it sends to its whole
 * foreground process group. The child shares our group, so when we are in
 * the terminal's foreground it has already got the signal: passing it on
 * would make one Ctrl-C two (terraform, for one, stops hard on the second).
 * Node cannot tell who sent a signal, so an INT or QUIT sent to rolecall
 * alone with kill is not passed on then (the README says so). A hangup is
 * passed on always: a `kill -HUP` to rolecall is a request to reach the
 * command, and a second HUP to a command whose terminal is gone harms nothing.
 */
const TERMINAL_SIGNALS: ReadonlySet<string> = new Set(['SIGINT', 'SIGQUIT']);

/** True when our process group is the foreground group of our terminal (Linux /proc). */
function inTerminalForeground(): boolean {
  const fields = statFields('self');
  if (!fields) return false;
  const pgrp = Number(fields[2]);
  const tpgid = Number(fields[5]);
  return tpgid > 0 && tpgid === pgrp;
}


export interface ChildOutcome {
  readonly status: number;
  /** Set when the command could not be started at all. */
  readonly startError?: string;
}

export async function runChild(command: string, args: readonly string[], env: Record<string, string>): Promise<ChildOutcome> {
  // GNU env: an empty command name is a command that is not found.
  if (command === '') return { status: EXIT_NOT_FOUND, startError: "'': command not found" };
  // Handlers go in before the spawn, so no signal falls between the two; one
  // that arrives before the child exists is delivered as soon as it does.
  let child: ChildProcess | undefined;
  const pending: NodeJS.Signals[] = [];
  const handlers = FORWARDED_SIGNALS.map((signal) => {
    const handler = () => {
      if (TERMINAL_SIGNALS.has(signal) && inTerminalForeground()) return;
      if (child) child.kill(signal);
      else pending.push(signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  try {
    let started: ChildProcess;
    try {
      // Like exec(2): the child's life is not tied to ours, no exit handler
      // is installed, and a forwarded signal never turns into a SIGKILL
      // later: the child decides how long its own shutdown takes.
      started = spawn(command, args, { stdio: 'inherit', env });
    } catch (error) {
      return cannotRun(command, (error as NodeJS.ErrnoException).code);
    }
    child = started;
    const ended = new Promise<ChildOutcome>((resolve) => {
      let running = false;
      started.once('spawn', () => (running = true));
      started.once('exit', (code, signal) => resolve(signal ? { status: signalled(signal) } : { status: code ?? EXIT_NOT_EXECUTABLE }));
      // Before 'spawn', an error is the command that could not start; after it, a failed kill, which the exit still follows.
      started.on('error', (error: NodeJS.ErrnoException) => {
        if (!running) resolve(cannotRun(command, error.code));
      });
    });
    for (const signal of pending.splice(0)) started.kill(signal);
    return await ended;
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}

/** GNU env's statuses for a command that did not start: 127 when it is not found, else 126. */
function cannotRun(command: string, code: string | undefined): ChildOutcome {
  if (code === 'ENOENT') return { status: EXIT_NOT_FOUND, startError: `${command}: command not found` };
  return { status: EXIT_NOT_EXECUTABLE, startError: `${command}: cannot run it (${code ?? 'unknown error'})` };
}
