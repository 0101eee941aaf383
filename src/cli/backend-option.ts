/** What the vault commands share: the --backend option, and where their core prints. */
import { Option } from 'clipanion';
import type { Print } from '../admin/report.js';

export function backendOption(): string | undefined {
  return Option.String('--backend', { description: 'keychain or file (default: ROLECALL_BACKEND, else the keychain when it answers)' });
}

/** What an admin function prints, line by line, on the command's stdout. */
export function printLine(stdout: NodeJS.WritableStream): Print {
  return (line) => void stdout.write(`${line}\n`);
}
