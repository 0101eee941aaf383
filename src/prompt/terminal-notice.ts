/**
 * Lines for the person at the terminal while a command's own stdout and
 * stderr may be pipes (`rolecall credential-process` under an SDK,
 * `rolecall exec p -- cmd 2>log`): written to the controlling terminal,
 * /dev/tty. Undefined when there is none (cron, CI, a service).
 */
import { openSync, writeSync } from 'node:fs';

export type Say = (line: string) => void;

export function terminalNotice(): Say | undefined {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'w');
  } catch {
    return undefined;
  }
  return (line) => {
    writeSync(fd, `${line}\n`);
  };
}

/** For a command whose stderr is where its user reads (`rolecall sso login`), and where there is no terminal. */
export const stderrNotice: Say = (line) => {
  process.stderr.write(`${line}\n`);
};
