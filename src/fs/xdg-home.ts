/**
 * The XDG base directories rolecall keeps its files under. The spec says a
 * relative path in one of these variables is invalid and must be ignored: it
 * would put the files wherever the command happens to run.
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Env } from '../base/env.js';

const FALLBACKS = {
  XDG_CACHE_HOME: ['.cache'],
  XDG_DATA_HOME: ['.local', 'share'],
  XDG_STATE_HOME: ['.local', 'state'],
} as const;

export function xdgHome(env: Env, variable: keyof typeof FALLBACKS): string {
  const value = env[variable];
  return value && isAbsolute(value) ? value : join(env.HOME || homedir(), ...FALLBACKS[variable]);
}
