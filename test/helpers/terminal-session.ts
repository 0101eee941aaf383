/**
 * A program on a real pseudo-terminal (pseudo-terminal.ts), typed into a step
 * at a time: what it prints is read back as it comes, so a test can wait for
 * a prompt before it answers, as a person would.
 */
import { spawnOnTerminal } from './pseudo-terminal.js';

export interface TerminalSession {
  type(text: string): void;
  /** Resolves once `pattern` has shown `times` times in all the terminal printed. */
  waitFor(pattern: RegExp, times: number): Promise<void>;
  count(pattern: RegExp): number;
  shown(): string;
  close(): void;
}

export function openTerminal(argv: readonly string[], env: Record<string, string>, cwd: string): TerminalSession {
  const run = spawnOnTerminal(argv, { env, cwd });
  let shown = '';
  let changed: () => void = () => {};
  run.stdout.on('data', (chunk: Buffer) => {
    shown += chunk.toString();
    changed();
  });
  const count = (pattern: RegExp) => shown.match(pattern)?.length ?? 0;
  return {
    type: (text) => void run.stdin.write(text),
    count,
    shown: () => shown,
    waitFor: (pattern, times) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`waited 30 s for ${pattern} x${times}; the terminal showed:\n${shown.slice(-3000)}`)), 30_000);
        changed = () => {
          if (count(pattern) < times) return;
          clearTimeout(timer);
          changed = () => {};
          resolve();
        };
        changed();
      }),
    close: () => {
      run.stdin.end();
      run.kill('SIGKILL');
    },
  };
}
