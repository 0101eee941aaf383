/**
 * The file vault's passphrase: ROLECALL_FILE_PASSPHRASE, else asked on the
 * terminal without echo (once per process, unless the vault found the answer
 * wrong and asks again). It is registered as a secret at once, so no message
 * can carry it.
 */
import type { Env } from '../config/config-paths.js';
import { promptLine } from '../credentials/terminal-prompt.js';
import { RolecallError } from '../errors.js';
import { registerSecret } from '../log/redact.js';

export const PASSPHRASE_VARIABLE = 'ROLECALL_FILE_PASSPHRASE';

export interface Passphrase {
  readonly value: string;
  /** Where it came from: only a person at the terminal is asked again after a wrong one. */
  readonly from: 'environment' | 'terminal';
}

export interface PassphrasePurpose {
  readonly creating: boolean;
  readonly where: string;
  /** The last answer did not open the vault: ask anew instead of returning it. */
  readonly again?: boolean;
}

export type PassphraseSource = (purpose: PassphrasePurpose) => Promise<Passphrase>;

export function passphraseFrom(env: Env): PassphraseSource {
  let asked: Passphrase | undefined;
  return async ({ creating, where, again }) => {
    const fromEnv = env[PASSPHRASE_VARIABLE];
    if (fromEnv) {
      registerSecret(fromEnv);
      return { value: fromEnv, from: 'environment' };
    }
    if (asked && !again) return asked;
    asked = undefined;
    // A first exec without a keychain gets here only to cache its session:
    // say what the vault is before asking to invent a passphrase for it.
    const question = creating
      ? `rolecall: a new encrypted file vault at ${where} will hold your keys and cached sessions; choose its passphrase (or set ${PASSPHRASE_VARIABLE}; Ctrl-C stops, nothing is written)\n` +
        `rolecall: new passphrase for the file vault ${where}: `
      : `rolecall: passphrase for the file vault ${where}: `;
    const first = await promptLine(question, { echo: false });
    if (first === undefined) {
      throw new RolecallError(`the file vault ${where} needs a passphrase: set ${PASSPHRASE_VARIABLE}, or run rolecall from a terminal`);
    }
    // An empty answer cannot open an existing vault (none is made with one):
    // the vault counts it as a wrong try, as it would any other.
    if (first === '' && creating) throw new RolecallError('the passphrase is empty; nothing was changed');
    registerSecret(first);
    if (creating) {
      const repeated = await promptLine('rolecall: the same passphrase again: ', { echo: false });
      if (repeated !== first) throw new RolecallError('the two passphrases differ; nothing was changed');
    }
    asked = { value: first, from: 'terminal' };
    return asked;
  };
}
