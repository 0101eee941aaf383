/**
 * What the sso-login tests share: a config with an sso-session and SSO
 * profiles, and a $BROWSER of the test's own (a small script standing for a
 * browser, as a person's would be): it counts its runs, and visits the URL
 * it is given in the background as a browser would, following redirects
 * (the authorize page's to rolecall's loopback callback), unless the test
 * holds it (the person never signs in).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rolecallBin, runProcess, type RunOptions, type RunResult, type Sandbox } from '../helpers/sandbox.js';
import { SSO_CONFIG } from '../helpers/sso-world.js';

export const CONFIG = SSO_CONFIG;

const BROWSER_SCRIPT = `#!/bin/sh
echo "$PPID" >> "$HOME/browser-runs"
[ -e "$HOME/browser-hold" ] && exit 0
node "$HOME/visit.mjs" "$1" </dev/null >>"$HOME/visits.log" 2>&1 &
exit 0
`;

/** Waits VISIT_DELAY_MS (for a device code: the first polls see authorization_pending), then fetches the page as a browser would. */
const VISIT_SCRIPT = `
const delay = Number(process.env.VISIT_DELAY_MS ?? 0);
await new Promise((resolve) => setTimeout(resolve, delay));
const response = await fetch(process.argv[2]);
console.log(response.status);
`;

/** The sandbox's config, and its $BROWSER the test's script; no display, so nothing else could open a browser. */
export function withBrowser(box: Sandbox, config = CONFIG): Record<string, string> {
  box.write('.aws/config', config);
  box.write('browser.sh', BROWSER_SCRIPT, 0o755);
  box.write('visit.mjs', VISIT_SCRIPT);
  return { BROWSER: join(box.home, 'browser.sh') };
}

/** No browser to open at all. */
export const NO_BROWSER: Record<string, string> = { BROWSER: '', DISPLAY: '', WAYLAND_DISPLAY: '' };

/** How many times the browser was opened. */
export function browserRuns(box: Sandbox): string[] {
  const path = join(box.home, 'browser-runs');
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').filter(Boolean) : [];
}

/** rolecall in a session of its own (setsid): no controlling terminal, as under cron or CI. */
export function runWithoutTerminal(box: Sandbox, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runProcess(process.execPath, [rolecallBin, ...args], { env: { ...box.env, ...options.env }, cwd: box.home, detached: true }, options);
}
