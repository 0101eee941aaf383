/** --debug: one line per step on stderr, scrubbed of every registered secret. */
import { redact } from './redact.js';

let enabled = false;

export function enableDebug(on: boolean): void {
  enabled = on;
}

export function isDebug(): boolean {
  return enabled;
}

export function debug(message: string): void {
  if (enabled) process.stderr.write(`rolecall: debug: ${redact(message)}\n`);
}

/** A one-line note for the user (not debug): capped durations, fallbacks. */
export function note(message: string): void {
  process.stderr.write(`rolecall: ${redact(message)}\n`);
}
