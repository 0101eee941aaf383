/**
 * Starts a command on a real pseudo-terminal (util-linux `script`), as a
 * person at a terminal would run it.
 *
 * script(1) runs the command through `$SHELL -c`. Whether that shell execs
 * the command or waits for it differs between shells (dash waits), and a
 * waiting shell shares the terminal's foreground group: a Ctrl-C typed in
 * the test then kills the shell, and script reports 130 whatever the
 * command did. `exec` and a fixed /bin/sh make the command itself the
 * terminal's process on every machine.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, "'\\''")}'`;
}

export function spawnOnTerminal(argv: readonly string[], options: { env: Record<string, string>; cwd?: string }): ChildProcessWithoutNullStreams {
  const command = `exec ${argv.map(shellQuote).join(' ')}`;
  return spawn('script', ['-q', '-f', '-e', '-c', command, '/dev/null'], {
    env: { ...options.env, SHELL: '/bin/sh' },
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}
