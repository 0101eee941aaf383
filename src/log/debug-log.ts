/**
 * --debug: one line per step on stderr, scrubbed of every registered secret,
 * each ending in the time since the process started (as the `debug` package
 * does), so a slow step (the keychain, STS, a prompt) shows where it is.
 * process.uptime, not perf_hooks: that module costs every exec its load.
 */
import { redact } from './redact.js';

let enabled = false;
let noted = false;

export function enableDebug(on: boolean): void {
  enabled = on;
}

export function isDebug(): boolean {
  return enabled;
}

export function debug(message: string): void {
  if (enabled) process.stderr.write(`rolecall: debug: ${redact(message)} +${Math.round(process.uptime() * 1000)}ms\n`);
}

/** A one-line note for the user (not debug): capped durations, fallbacks. */
export function note(message: string): void {
  noted = true;
  process.stderr.write(`rolecall: ${redact(message)}\n`);
}

/** Whether this process has said a note: a command that did is not answered without saying it again (agent/ready-answer.ts). */
export function anyNoteSaid(): boolean {
  return noted;
}
