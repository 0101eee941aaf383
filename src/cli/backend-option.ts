/** What the vault commands share: the --backend option, and how they print their core's report. */
import { Option } from 'clipanion';
import type { Report } from '../admin/report.js';

export function backendOption(): string | undefined {
  return Option.String('--backend', { description: 'keychain or file (default: ROLECALL_BACKEND, else the keychain when it answers)' });
}

export function printReport(stdout: NodeJS.WritableStream, report: Report): void {
  for (const line of report.out) stdout.write(`${line}\n`);
}
