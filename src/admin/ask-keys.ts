/**
 * The keys `rolecall add` asks for on the terminal (never on stdin, which
 * may be a pipe), the secret not echoed.
 */
import type { StaticKeys } from '../config/plan.js';
import { askUpTo, TRIES } from '../prompt/ask-up-to.js';
import { promptLine } from '../prompt/terminal-prompt.js';
import { RolecallError } from '../base/errors.js';
import { registerSecret } from '../log/redact.js';
import { accessKeyIdProblem } from '../vault/stored-keys.js';

export async function askKeys(profile: string): Promise<StaticKeys> {
  const noTerminal = 'no terminal to ask for the keys on; pass --env with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set';
  // The id's shape is checked as soon as it is typed: a typo is asked again
  // at once, not found after the secret has been pasted too.
  const accessKeyId = await askUpTo<string>(
    async () => {
      const typed = await promptLine(`Access key ID for profile "${profile}": `, { echo: true });
      if (typed === undefined) throw new RolecallError(noTerminal);
      const problem = accessKeyIdProblem(typed.trim());
      return problem ? { wrong: problem } : { answer: typed.trim() };
    },
    (problem) => new RolecallError(`what was typed: ${problem} (${TRIES} tries); nothing was stored`),
  );
  const secretAccessKey = await promptLine('Secret access key (not shown): ', { echo: false });
  if (secretAccessKey === undefined) throw new RolecallError(noTerminal);
  registerSecret(secretAccessKey.trim());
  return { accessKeyId, secretAccessKey: secretAccessKey.trim() };
}
