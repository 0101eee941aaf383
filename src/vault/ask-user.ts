/**
 * The questions `add`, `remove` and `import` ask on the terminal (never on
 * stdin, which may be a pipe): keys, with the secret not echoed, and y/N.
 */
import type { StaticKeys } from '../config/plan.js';
import { promptLine } from '../credentials/terminal-prompt.js';
import { RolecallError } from '../errors.js';
import { registerSecret } from '../log/redact.js';

/** True only for an explicit yes; `orElse` says what to do without a terminal. */
export async function confirm(question: string, orElse: string): Promise<boolean> {
  const answer = await promptLine(`${question} [y/N] `, { echo: true });
  if (answer === undefined) throw new RolecallError(`no terminal to ask "${question}" on; ${orElse}`);
  return /^(y|yes)$/i.test(answer.trim());
}

export async function askKeys(profile: string): Promise<StaticKeys> {
  const noTerminal = 'no terminal to ask for the keys on; pass --env with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set';
  const accessKeyId = await promptLine(`Access key ID for profile "${profile}": `, { echo: true });
  if (accessKeyId === undefined) throw new RolecallError(noTerminal);
  const secretAccessKey = await promptLine('Secret access key (not shown): ', { echo: false });
  if (secretAccessKey === undefined) throw new RolecallError(noTerminal);
  registerSecret(secretAccessKey.trim());
  return { accessKeyId: accessKeyId.trim(), secretAccessKey: secretAccessKey.trim() };
}
