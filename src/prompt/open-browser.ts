/**
 * Opens a sign-in URL in the user's browser: `$BROWSER` when set (a command,
 * split on spaces, never through a shell, given the URL as its one last
 * argument, as xdg-open gives it), else `open` on macOS, `wslview` under
 * WSL and `xdg-open` elsewhere. The URL is a secret for its lifetime; this is
 * the one process it is handed to (the documented interface), and no message
 * quotes it. Used by `rolecall login` (the console) and IAM Identity Center
 * sign-in; each says in `instead` what to do when no browser opens.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Env } from '../base/env.js';
import { RolecallError } from '../base/errors.js';
import { debug } from '../log/debug-log.js';

/** A browser that stays in the foreground is left running after this long; an opener that exits is waited for. */
const WAIT_MS = 5_000;

export interface BrowserOpening {
  /** What the page is, for messages: "the console", "the IAM Identity Center sign-in page". */
  readonly page: string;
  /** What to do instead when it cannot be opened, in words of the command that opens it: "use --stdout to print the URL and open it yourself". */
  readonly instead: string;
  /**
   * The environment the browser command runs with: the caller's helper
   * environment (credentials/helper-env.ts), without rolecall's own secrets.
   */
  readonly childEnv: Record<string, string>;
}

export function browserCommand(env: Env, platform: NodeJS.Platform = process.platform): string[] {
  const words = (env.BROWSER ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length > 0) return words;
  if (platform === 'darwin') return ['open'];
  // WSL has no desktop of its own: wslview hands the URL to Windows' browser.
  return [env.WSL_DISTRO_NAME ? 'wslview' : 'xdg-open'];
}

/**
 * Whether a browser can be expected to open at all: $BROWSER is set, or this
 * is macOS, or the opener is on PATH and (outside WSL) there is a display to
 * open it on. A login that cannot open one asks on the terminal instead.
 */
export function canOpenBrowser(env: Env, platform: NodeJS.Platform = process.platform): boolean {
  if (env.BROWSER?.trim()) return true;
  if (platform === 'darwin') return true;
  const [opener] = browserCommand(env, platform) as [string];
  if (!env.WSL_DISTRO_NAME && !env.DISPLAY && !env.WAYLAND_DISPLAY) return false;
  return onPath(env, opener);
}

function onPath(env: Env, file: string): boolean {
  return (env.PATH ?? '').split(delimiter).some((directory) => {
    if (!directory) return false;
    try {
      accessSync(join(directory, file), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export async function openInBrowser(env: Env, url: string, opening: BrowserOpening): Promise<void> {
  const [file, ...args] = browserCommand(env) as [string, ...string[]];
  const from = env.BROWSER?.trim() ? `$BROWSER (${file})` : file;
  debug(`opening the sign-in URL with ${from}`);
  // Imported here: a bundle hoists imports to its top, and most commands open no browser.
  const { spawn } = await import('node:child_process');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(file, [...args, url], { stdio: 'ignore', detached: true, env: opening.childEnv });
    const timer = setTimeout(() => {
      child.unref();
      resolve();
    }, WAIT_MS);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new RolecallError(`cannot run ${from} to open ${opening.page} (${error.code ?? 'failed'}); set BROWSER to your browser's command, or ${opening.instead}`));
    });
    child.on('exit', (status, signal) => {
      clearTimeout(timer);
      if (status === 0) resolve();
      else reject(new RolecallError(`${from} could not open ${opening.page} (${signal ? `signal ${signal}` : `status ${status}`}); ${opening.instead}`));
    });
  });
}
