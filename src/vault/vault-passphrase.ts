/**
 * The file vault's passphrase: ROLECALL_FILE_PASSPHRASE, else asked on the
 * terminal without echo (once per process, unless the vault found the answer
 * wrong and asks again). It is registered as a secret at once, so no message
 * can carry it.
 */
import type { Env } from '../base/env.js';
import { askUpTo, TRIES } from '../prompt/ask-up-to.js';
import { promptLine } from '../prompt/terminal-prompt.js';
import { RolecallError } from '../base/errors.js';
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
    // Only `add` and `import` create a vault (exec does not, to cache a
    // session): say what the vault is before asking to invent a passphrase.
    if (creating) {
      asked = { value: await askNewPassphrase(where), from: 'terminal' };
      return asked;
    }
    const first = await promptLine(`rolecall: passphrase for the file vault ${where}: `, { echo: false });
    if (first === undefined) throw noTerminal(where);
    // An empty answer cannot open an existing vault (none is made with one):
    // the vault counts it as a wrong try, as it would any other.
    registerSecret(first);
    asked = { value: first, from: 'terminal' };
    return asked;
  };
}

/** Below this a passphrase is quick to guess offline from a copied vault; warned about, not refused. */
const SHORT_PASSPHRASE = 8;

function noTerminal(where: string): RolecallError {
  return new RolecallError(`the file vault ${where} needs a passphrase: set ${PASSPHRASE_VARIABLE}, or run rolecall from a terminal`);
}

/** A new passphrase, typed twice; two that differ are asked for again, up to three tries. */
async function askNewPassphrase(where: string): Promise<string> {
  return askUpTo<string>(async (attempt) => {
    // Said with the first question (on the terminal, only when there is one).
    const intro =
      attempt === 1
        ? `rolecall: a new encrypted file vault at ${where} will hold your keys and cached sessions; choose its passphrase (or set ${PASSPHRASE_VARIABLE}; Ctrl-C stops, nothing is written)\n`
        : '';
    const first = await promptLine(`${intro}rolecall: new passphrase for the file vault ${where}: `, { echo: false });
    if (first === undefined) throw noTerminal(where);
    if (first === '') throw new RolecallError('the passphrase is empty; nothing was changed');
    registerSecret(first);
    if (first.length < SHORT_PASSPHRASE) {
      process.stderr.write(`rolecall: warning: that passphrase is short (${first.length} characters); anyone with a copy of the vault could guess it quickly, so ${SHORT_PASSPHRASE} or more is better\n`);
    }
    const repeated = await promptLine('rolecall: the same passphrase again: ', { echo: false });
    if (repeated === first) return { answer: first };
    if (repeated === undefined) throw noTerminal(where);
    return { wrong: 'the two passphrases differ' };
  }, () => new RolecallError(`the two passphrases differ (${TRIES} tries); nothing was changed`));
}
