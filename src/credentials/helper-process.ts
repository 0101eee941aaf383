/**
 * How rolecall runs a helper process (mfa_process, credential_process) and
 * reads its answer. The helper has the user's terminal (stdin and stderr:
 * it may ask for a PIN or a touch of a security key) and the environment of
 * helper-env.ts. What rolecall reads of it is bounded, so a broken helper
 * ends the command with one line instead of holding it:
 *
 * - its stdout, up to HELPER_OUTPUT_LIMIT: an answer is a code or a JSON
 *   document of a few KB; a helper printing without end is stopped, not
 *   buffered into memory;
 * - its time, ROLECALL_HELPER_TIMEOUT seconds (default 5 minutes: a sign-in
 *   in a browser or a push to a phone fits; a helper that hangs ends). 0
 *   waits as long as it takes, as the AWS CLI does.
 */
// execa is loaded only when a helper process actually runs: the cached path never needs it here.
import { wholeSeconds, type Env } from '../base/env.js';
import { CredentialError } from '../base/errors.js';
import { helperEnv } from './helper-env.js';

/** 1 MiB: a session token is about 1 KB, the JSON around it a few hundred bytes. */
export const HELPER_OUTPUT_LIMIT = 1024 * 1024;
export const DEFAULT_HELPER_TIMEOUT_SECONDS = 5 * 60;

export function helperTimeoutSeconds(env: Env): number {
  return wholeSeconds(env, 'ROLECALL_HELPER_TIMEOUT', DEFAULT_HELPER_TIMEOUT_SECONDS);
}

export interface HelperOutput {
  readonly exitCode: number;
  readonly stdout: string;
}

/**
 * Runs `file` with `args` (no shell of rolecall's: mfa_process passes
 * /bin/sh -c itself); its exit status and stdout, final newline stripped.
 * A helper that cannot start, dies of a signal, takes too long or prints too
 * much is a CredentialError naming `description` ("mfa_process of profile "p"").
 */
export async function runHelper(description: string, file: string, args: readonly string[], env: Env): Promise<HelperOutput> {
  const timeoutSeconds = helperTimeoutSeconds(env);
  const { default: execa } = await import('execa');
  const child = execa(file, args, {
    reject: false,
    stdin: 'inherit',
    stderr: 'inherit',
    env: helperEnv(env),
    extendEnv: false,
    maxBuffer: HELPER_OUTPUT_LIMIT,
  });
  // Our own timer, not execa's: its flag could lose a race with the child's exit on a loaded
  // machine, and the stopped helper was then reported as killed by someone else.
  let timedOut = false;
  const timer =
    timeoutSeconds > 0
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGTERM');
          // What the helper started (a pipeline's other side) may hold its stdout open; the answer is not waited for.
          child.stdout?.destroy();
        }, timeoutSeconds * 1000)
      : undefined;
  const result = await child.finally(() => clearTimeout(timer));
  if (timedOut) {
    throw new CredentialError(`${description} did not finish within ${timeoutSeconds}s (ROLECALL_HELPER_TIMEOUT), so it was stopped`);
  }
  if ((result as { name?: string }).name === 'MaxBufferError') {
    // The pipe is closed; a helper that stops writing without exiting is ended too.
    child.kill('SIGKILL');
    throw new CredentialError(`${description} printed more than ${HELPER_OUTPUT_LIMIT / 1024 / 1024} MiB, which is no credential or code, so it was stopped`);
  }
  if (result.exitCode === undefined || result.exitCode === null) {
    const why = result.signal ? `was killed by ${result.signal}` : `could not run (${(result as { code?: string }).code ?? 'error'})`;
    throw new CredentialError(`${description} ${why}`);
  }
  return { exitCode: result.exitCode, stdout: String(result.stdout) };
}
