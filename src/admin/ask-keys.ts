/**
 * The questions `add`, `remove` and `import` ask on the terminal (never on
 * stdin, which may be a pipe): keys, with the secret not echoed, and y/N.
 */
import type { StaticKeys } from '../config/plan.js';
import { promptLine } from '../prompt/terminal-prompt.js';
import { RolecallError } from '../base/errors.js';
import { registerSecret } from '../log/redact.js';
import { accessKeyIdProblem } from '../vault/stored-keys.js';

/** True only for an explicit yes; `orElse` says what to do without a terminal. */
export async function confirm(question: string, orElse: string): Promise<boolean> {
  const answer = await promptLine(`${question} [y/N] `, { echo: true });
  if (answer === undefined) throw new RolecallError(`no terminal to ask "${question}" on; ${orElse}`);
  return /^(y|yes)$/i.test(answer.trim());
}

/** Tries at the access key id, as for a mistyped passphrase. */
const KEY_ID_ATTEMPTS = 3;

export async function askKeys(profile: string): Promise<StaticKeys> {
  const noTerminal = 'no terminal to ask for the keys on; pass --env with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set';
  // The id's shape is checked as soon as it is typed: a typo is asked again
  // at once, not found after the secret has been pasted too.
  let accessKeyId: string | undefined;
  for (let attempt = 1; accessKeyId === undefined; attempt++) {
    const typed = await promptLine(`Access key ID for profile "${profile}": `, { echo: true });
    if (typed === undefined) throw new RolecallError(noTerminal);
    const problem = accessKeyIdProblem(typed.trim());
    if (!problem) accessKeyId = typed.trim();
    else if (attempt === KEY_ID_ATTEMPTS) throw new RolecallError(`what was typed: ${problem} (${KEY_ID_ATTEMPTS} tries); nothing was stored`);
    else process.stderr.write(`rolecall: ${problem}; try again\n`);
  }
  const secretAccessKey = await promptLine('Secret access key (not shown): ', { echo: false });
  if (secretAccessKey === undefined) throw new RolecallError(noTerminal);
  registerSecret(secretAccessKey.trim());
  return { accessKeyId, secretAccessKey: secretAccessKey.trim() };
}
