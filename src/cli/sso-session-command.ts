/** What the `sso` commands share: a profile or --sso-session NAME, --backend, --debug, and guarded execution. */
import { Command, Option } from 'clipanion';
import type { Env } from '../base/env.js';
import { EXIT_FAILED } from '../base/exit-status.js';
import { enableDebug } from '../log/debug-log.js';
import { guarded } from '../log/report-error.js';
import type { SessionRequest } from '../sso-commands/named-sso-session.js';
import { backendOption, printLine } from './backend-option.js';

export abstract class SsoSessionCommand extends Command {
  ssoSession = Option.String('--sso-session', { description: 'the [sso-session NAME] section, instead of a profile' });
  backend = backendOption();
  debug = Option.Boolean('--debug', false, { description: 'each step on stderr (never a secret)' });
  profile = Option.String({ name: 'PROFILE', required: false });

  /** The one core function of the command, given the environment, the session named, and where to print. */
  protected abstract run(processEnv: Env, request: SessionRequest & { readonly backend?: string }, print: (line: string) => void): Promise<number>;

  override async execute(): Promise<number> {
    enableDebug(this.debug);
    return guarded(EXIT_FAILED, () =>
      this.run(
        { ...process.env },
        {
          ...(this.profile !== undefined ? { profile: this.profile } : {}),
          ...(this.ssoSession !== undefined ? { ssoSession: this.ssoSession } : {}),
          ...(this.backend ? { backend: this.backend } : {}),
        },
        printLine(this.context.stdout),
      ),
    );
  }
}
