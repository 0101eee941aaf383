/**
 * The agent's two settings: ROLECALL_AGENT (on unless "off": "off" keeps
 * rolecall as it was before the agent, nothing asked and nothing started)
 * and ROLECALL_AGENT_TTL (seconds without a request before it exits).
 * A malformed value is an error before any work, as ROLECALL_MIN_TTL's is:
 * a typo must not silently leave secrets in memory longer than asked.
 */
import type { Env } from '../base/env.js';
import { RolecallError } from '../base/errors.js';

export const AGENT_VARIABLE = 'ROLECALL_AGENT';
export const AGENT_TTL_VARIABLE = 'ROLECALL_AGENT_TTL';
export const DEFAULT_AGENT_TTL_SECONDS = 900;
/** setTimeout's ceiling (about 24.8 days): a longer TTL would fire at once. */
const MAX_TTL_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** False under ROLECALL_AGENT=off. */
export function agentEnabled(env: Env): boolean {
  const value = env[AGENT_VARIABLE];
  if (value === undefined || value === '' || value === 'on') return true;
  if (value === 'off') return false;
  throw new RolecallError(`${AGENT_VARIABLE} is "${value}"; it must be on or off`);
}

/**
 * For what only the agent makes worth doing (asking for a ready answer,
 * keeping one): false under ROLECALL_AGENT=off, and for a malformed value,
 * which the whole way reports where it reads the setting.
 */
export function agentOnIfValid(env: Env): boolean {
  try {
    return agentEnabled(env);
  } catch {
    return false;
  }
}

export function agentTtlSeconds(env: Env): number {
  const value = env[AGENT_TTL_VARIABLE];
  if (value === undefined || value === '') return DEFAULT_AGENT_TTL_SECONDS;
  const seconds = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(seconds >= 1 && seconds <= MAX_TTL_SECONDS)) {
    throw new RolecallError(`${AGENT_TTL_VARIABLE} is "${value}"; it must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS}`);
  }
  return seconds;
}
