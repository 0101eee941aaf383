/**
 * The MFA code, from --mfa-token, else the profile's mfa_process (its
 * stdout), else a prompt on the terminal. A code is six digits; anything else
 * is refused before it reaches STS.
 */
import { CredentialError, RolecallError } from '../base/errors.js';
import type { Env } from '../base/env.js';
import type { MfaDevice } from '../config/plan.js';
import { debug } from '../log/debug-log.js';
import { registerSecret } from '../log/redact.js';
import { askUpTo } from '../prompt/ask-up-to.js';
import { promptLine } from '../prompt/terminal-prompt.js';
import { runHelper } from './helper-process.js';

const MFA_CODE = /^\d{6}$/;

/** Marks a refusal as one every process waiting on this one would meet too. */
function sharedWithWaiters(error: RolecallError): RolecallError {
  error.sharedWithWaiters = true;
  return error;
}

export interface MfaCodeSource {
  /** --mfa-token, already checked. */
  readonly given?: string;
  /** The environment rolecall was started with, which mfa_process inherits (less rolecall's own secrets). */
  readonly env: Env;
  /** How this command can be given a code when there is no terminal; exec's: --mfa-token or mfa_process. */
  readonly withoutTerminal?: string;
  /**
   * Why no prompt may be shown now, when none may (exec --server refreshing
   * while the command owns the terminal): a code needed then is an error
   * that says so, not a question typed into the command's screen.
   */
  readonly noPrompt?: string;
}

export async function mfaCode(device: MfaDevice, source: MfaCodeSource): Promise<string> {
  if (source.given) {
    registerSecret(source.given);
    debug(`MFA code for ${device.serial} from --mfa-token`);
    return source.given;
  }
  if (device.process) {
    debug(`MFA code for ${device.serial} from mfa_process of profile "${device.profile}"`);
    const description = `mfa_process of profile "${device.profile}"`;
    const result = await runHelper(description, '/bin/sh', ['-c', device.process], source.env);
    if (result.exitCode !== 0) throw new CredentialError(`${description} exited with status ${result.exitCode}`);
    const code = result.stdout.trim();
    registerSecret(code);
    // What mfa_process prints it would print for every waiter too.
    if (!MFA_CODE.test(code)) throw sharedWithWaiters(new RolecallError(`the MFA code from mfa_process of profile "${device.profile}" is not six digits`));
    return code;
  }
  if (source.noPrompt) {
    throw new RolecallError(`profile "${device.profile}" needs a new MFA code for ${device.serial}, and rolecall cannot ask for it: ${source.noPrompt}; set mfa_process, or run the command again to type a code`);
  }
  return askUpTo<string>(
    async () => {
      const answer = await promptLine(`MFA code for ${device.serial}: `, { echo: true });
      if (answer === undefined) {
        // Not shared with the processes waiting on this one (base/errors.ts): they may have a terminal or --mfa-token.
        throw new RolecallError(`profile "${device.profile}" needs an MFA code for ${device.serial} and there is no terminal to ask on; ${source.withoutTerminal ?? 'pass --mfa-token CODE or set mfa_process'}`);
      }
      const code = answer.trim();
      registerSecret(code);
      return MFA_CODE.test(code) ? { answer: code } : { wrong: 'an MFA code is six digits' };
    },
    // Three wrong tries at the terminal: the person there gave up, as with a
    // Ctrl-C, so the waiting processes must not ask them again, one by one.
    () => sharedWithWaiters(new RolecallError('the MFA code from the terminal is not six digits')),
  );
}
