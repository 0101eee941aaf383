/**
 * Opens a sign-in URL in the user's browser: `$BROWSER` when set (a command,
 * split on spaces, never through a shell, given the URL as its one last
 * argument, as xdg-open gives it), else `open` on macOS and `xdg-open`
 * elsewhere. The URL is a secret for its lifetime; this is the one process
 * it is handed to (the documented interface), and no message quotes it.
 */
import { spawn } from 'node:child_process';
import type { Env } from '../base/env.js';
import { RolecallError } from '../base/errors.js';
import { helperEnv } from '../credentials/helper-env.js';
import { debug } from '../log/debug-log.js';

/** A browser that stays in the foreground is left running after this long; an opener that exits is waited for. */
const WAIT_MS = 5_000;

export function browserCommand(env: Env, platform: NodeJS.Platform = process.platform): string[] {
  const words = (env.BROWSER ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length > 0) return words;
  return [platform === 'darwin' ? 'open' : 'xdg-open'];
}

export async function openInBrowser(env: Env, url: string): Promise<void> {
  const [file, ...args] = browserCommand(env) as [string, ...string[]];
  const from = env.BROWSER?.trim() ? `$BROWSER (${file})` : file;
  debug(`opening the sign-in URL with ${from}`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(file, [...args, url], { stdio: 'ignore', detached: true, env: helperEnv(env) });
    const timer = setTimeout(() => {
      child.unref();
      resolve();
    }, WAIT_MS);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new RolecallError(`cannot run ${from} to open the console (${error.code ?? 'failed'}); set BROWSER to your browser's command, or use --stdout to print the URL`));
    });
    child.on('exit', (status, signal) => {
      clearTimeout(timer);
      if (status === 0) resolve();
      else reject(new RolecallError(`${from} could not open the console (${signal ? `signal ${signal}` : `status ${status}`}); use --stdout to print the URL and open it yourself`));
    });
  });
}
