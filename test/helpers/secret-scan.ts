/**
 * Where the secret-scanning tests look for a secret, in one place: the files
 * under a sandbox's HOME (its runtime and state directories are under it),
 * the argv (and, when asked, the environment) of every process on the
 * machine while rolecall runs, polled from /proc as `ps` reads it, and any
 * text (stdout, stderr, a helper's dump). A secret is found as it is and, in
 * files and text, as base64, base64url or hex at any alignment, so an
 * encoding step in a writer does not hide it. A short secret (a six-digit
 * MFA code) is looked for as a whole word only: inside a timestamp or an
 * account id it would be noise.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from './sandbox.js';

/** Below this length a secret is matched as a whole word, and not in encoded forms (they would match by chance). */
const SHORT = 16;

/** The ways `secret` could be written down without being written as it is. */
export function encodedForms(secret: string): string[] {
  if (secret.length < SHORT) return [];
  const forms = new Set<string>([Buffer.from(secret).toString('hex'), Buffer.from(secret).toString('hex').toUpperCase()]);
  // Inside a longer encoded text the secret starts at any of 3 byte offsets:
  // one of these three encodings, less the last group (which depends on what follows), is in it.
  for (let offset = 0; offset < 3; offset++) {
    const bytes = Buffer.from(secret.slice(offset));
    for (const encoding of ['base64', 'base64url'] as const) forms.add(bytes.toString(encoding).replace(/=+$/, '').slice(0, -4));
  }
  return [...forms];
}

function wholeWord(secret: string): RegExp {
  return new RegExp(`(?<![A-Za-z0-9])${secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9])`);
}

/** Whether `text` holds `secret`, as it is or (a long one) encoded. */
export function holdsSecret(text: string, secret: string, encoded = true): boolean {
  if (secret.length < SHORT) return wholeWord(secret).test(text);
  return text.includes(secret) || (encoded && encodedForms(secret).some((form) => text.includes(form)));
}

/** The secrets of `secrets` that `text` holds. */
export function secretsIn(text: string, secrets: readonly string[], encoded = true): string[] {
  return secrets.filter((secret) => holdsSecret(text, secret, encoded));
}

/** Every file under the sandbox HOME that holds one of the secrets (as it is), relative to HOME. */
export function filesHolding(sandbox: Sandbox, secrets: readonly string[]): string[] {
  return filesUnder(sandbox.home)
    .filter((file) => {
      const bytes = readFileSync(join(sandbox.home, file));
      return secrets.some((s) => bytes.includes(s));
    })
    .sort();
}

/** Every file under the sandbox HOME that holds one of the secrets as it is or encoded (base64, hex): file → the secrets found. */
export function filesHoldingAnyForm(sandbox: Sandbox, secrets: readonly string[]): Record<string, number> {
  const found: Record<string, number> = {};
  for (const file of filesUnder(sandbox.home)) {
    // latin1: every byte is one character, so a binary file's bytes are searched as they are.
    const hits = secretsIn(readFileSync(join(sandbox.home, file), 'latin1'), secrets);
    if (hits.length > 0) found[file] = hits.length;
  }
  return found;
}

/** Regular files under `dir`, relative to it (sockets and the like are not read). */
function filesUnder(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.push(join(entry.parentPath, entry.name).slice(dir.length + 1));
  }
  return files;
}

/** One process as seen once: its argv, its parent and (when watched) its environment. */
export interface SeenProcess {
  readonly pid: number;
  readonly ppid: number;
  /** The argv, words joined by spaces. */
  readonly argv: string;
  readonly argvWords: readonly string[];
  /** NAME=value entries, when the environment was watched and readable. */
  readonly environ: readonly string[];
}

/**
 * Polls /proc every few milliseconds (5 unless told; each round reads every
 * process's argv, so a round costs about 2 ms of CPU on a machine of a hundred
 * processes) while a command runs and keeps each
 * process once per argv (before exec a fork shows its parent's argv; after,
 * its own), with its environment when `environ` is set: the secrets are
 * often known only afterwards (a token moto or a fake made), so the whole
 * record is checked at the end.
 */
export function watchProcesses(options: { environ?: boolean; everyMs?: number } = {}): { seen(): SeenProcess[]; stop(): SeenProcess[] } {
  const seen = new Map<string, SeenProcess>();
  const scan = () => {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const words = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        if (words.at(-1) === '') words.pop();
        const argv = words.join(' ');
        const key = `${entry}\0${argv}`;
        if (seen.has(key)) continue;
        // The field after the command's name in parentheses, which may itself hold spaces.
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const environ = options.environ ? readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').filter(Boolean) : [];
        seen.set(key, { pid: Number(entry), ppid, argv, argvWords: words, environ });
      } catch {
        continue; // gone already, or not ours to read
      }
    }
  };
  scan();
  const timer = setInterval(scan, options.everyMs ?? 5);
  timer.unref(); // a test that fails before stop() must not keep the file's process alive
  return {
    /** What was seen so far, the watch going on (tests running at once share one watcher). */
    seen() {
      scan();
      return [...seen.values()];
    },
    stop() {
      clearInterval(timer);
      scan();
      return [...seen.values()];
    },
  };
}

/** The argv of every process seen while it runs that holds one of `secrets` (known before the run). */
export function watchArgv(secrets: readonly string[]): { stop(): string[] } {
  const watcher = watchProcesses();
  return {
    stop: () =>
      watcher
        .stop()
        .filter((seen) => secrets.some((s) => seen.argv.includes(s)))
        .map((seen) => `${seen.pid}: ${seen.argv.slice(0, 200)}`),
  };
}
