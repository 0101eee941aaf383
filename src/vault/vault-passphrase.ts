/**
 * The file vault's passphrase: ROLECALL_FILE_PASSPHRASE, else asked once per
 * process on the terminal without echo. It is registered as a secret at
 * once, so no message can carry it.
 */
import type { Env } from '../config/config-paths.js';
import { promptLine } from '../credentials/terminal-prompt.js';
import { RolecallError } from '../errors.js';
import { registerSecret } from '../log/redact.js';

export const PASSPHRASE_VARIABLE = 'ROLECALL_FILE_PASSPHRASE';

export interface Passphrase {
  readonly value: string;
  /** Where it came from, for "wrong passphrase" messages. */
  readonly from: 'environment' | 'terminal';
}

export type PassphraseSource = (purpose: { creating: boolean; where: string }) => Promise<Passphrase>;

export function passphraseFrom(env: Env): PassphraseSource {
  let asked: Passphrase | undefined;
  return async ({ creating, where }) => {
    const fromEnv = env[PASSPHRASE_VARIABLE];
    if (fromEnv) {
      registerSecret(fromEnv);
      return { value: fromEnv, from: 'environment' };
    }
    if (asked) return asked;
    const question = creating ? `rolecall: new passphrase for the file vault ${where}: ` : `rolecall: passphrase for the file vault ${where}: `;
    const first = await promptLine(question, { echo: false });
    if (first === undefined) {
      throw new RolecallError(`the file vault ${where} needs a passphrase: set ${PASSPHRASE_VARIABLE}, or run rolecall from a terminal`);
    }
    if (first === '') throw new RolecallError('the passphrase is empty; nothing was changed');
    registerSecret(first);
    if (creating) {
      const again = await promptLine('rolecall: the same passphrase again: ', { echo: false });
      if (again !== first) throw new RolecallError('the two passphrases differ; nothing was changed');
    }
    asked = { value: first, from: 'terminal' };
    return asked;
  };
}
