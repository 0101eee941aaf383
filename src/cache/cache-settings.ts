/**
 * The knobs of the session cache, read from the environment: how much life a
 * cached session must have left to be reused, how long a command waits for
 * another one that is getting the same session.
 */
import { wholeSeconds, type Env } from '../base/env.js';

/** A session is reused while at least this much of it remains (ROLECALL_MIN_TTL). */
export const DEFAULT_MIN_TTL_SECONDS = 5 * 60;
/** Long enough for a person to find their phone and type an MFA code (ROLECALL_LOCK_TIMEOUT). */
export const DEFAULT_LOCK_TIMEOUT_SECONDS = 120;

export function minTtlSeconds(env: Env): number {
  return wholeSeconds(env, 'ROLECALL_MIN_TTL', DEFAULT_MIN_TTL_SECONDS);
}

export function lockTimeoutSeconds(env: Env): number {
  return wholeSeconds(env, 'ROLECALL_LOCK_TIMEOUT', DEFAULT_LOCK_TIMEOUT_SECONDS);
}

/** The user set ROLECALL_LOCK_TIMEOUT: a cap they chose, even on a wait for a sign-in (cache/single-flight.ts). */
export function lockTimeoutChosen(env: Env): boolean {
  return (env.ROLECALL_LOCK_TIMEOUT ?? '') !== '';
}

/**
 * What a session handed to the SDKs of a child (exec --server) must have
 * left at least: the AWS CLI (botocore) refuses a fetched session with less
 * than 10 minutes left, so one the cache would still reuse under
 * ROLECALL_MIN_TTL's 5 minutes would fail there; a minute more for margin.
 * (Not its 15 minutes of advisory refresh: those would make every fetch of
 * a 900 s session an STS call; in that window botocore asks again, from the cache.)
 */
export const CREDENTIAL_SERVER_MIN_TTL_SECONDS = 11 * 60;
