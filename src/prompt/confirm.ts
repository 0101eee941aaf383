/** A y/N question on the terminal, as `add`, `remove` and `import` ask before replacing or deleting keys. */
import { RolecallError } from '../base/errors.js';
import { promptLine } from './terminal-prompt.js';

/** True only for an explicit yes; `orElse` says what to do without a terminal. */
export async function confirm(question: string, orElse: string): Promise<boolean> {
  const answer = await promptLine(`${question} [y/N] `, { echo: true });
  if (answer === undefined) throw new RolecallError(`no terminal to ask "${question}" on; ${orElse}`);
  return /^(y|yes)$/i.test(answer.trim());
}
