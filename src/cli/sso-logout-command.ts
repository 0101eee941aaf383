import { Command, Option } from 'clipanion';
import { EXIT_FAILED } from '../base/exit-status.js';
import { enableDebug } from '../log/debug-log.js';
import { guarded } from '../log/report-error.js';
import { ssoLogout } from '../sso-commands/sso-logout.js';
import { backendOption, printLine } from './backend-option.js';

export class SsoLogoutCommand extends Command {
  static override paths = [['sso', 'logout']];

  static override usage = Command.Usage({
    description: 'sign out of IAM Identity Center and forget its token and role sessions',
    details: `
      Signs the IAM Identity Center token of PROFILE (default: AWS_PROFILE, else default), or of \`--sso-session NAME\`, out at the portal (Logout), forgets it (the vault, and the AWS CLI's cache where it holds rolecall's copy or the session is shared), and forgets the cached role sessions made from it: those of the session's SSO profiles and of every role chain over them. The next command that needs the session signs in again.
    `,
    examples: [
      ['Sign out of the session of a profile', 'rolecall sso logout dev'],
      ['Sign out of an sso-session', 'rolecall sso logout --sso-session corp'],
    ],
  });

  ssoSession = Option.String('--sso-session', { description: 'the [sso-session NAME] section to sign out of, instead of a profile' });
  backend = backendOption();
  debug = Option.Boolean('--debug', false, { description: 'each step on stderr (never a secret)' });
  profile = Option.String({ name: 'PROFILE', required: false });

  override async execute(): Promise<number> {
    enableDebug(this.debug);
    return guarded(EXIT_FAILED, () =>
      ssoLogout(
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
