import { RolecallError } from './errors.js';

/**
 * The environment a command runs with, as one plain map: the command layer
 * reads process.env once and passes this down, so nothing below it depends on
 * the real process's environment (tests give their own).
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** A setting in whole seconds (ROLECALL_MIN_TTL, ROLECALL_HELPER_TIMEOUT, …): `fallback` when unset or empty. */
export function wholeSeconds(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new RolecallError(`${name} is "${raw}"; it must be a whole number of seconds`);
  return Number(raw.trim());
}

