import { Command, Option } from 'clipanion';
import { EXIT_FAILED } from '../base/exit-status.js';
import { enableDebug } from '../log/debug-log.js';
import { guarded } from '../log/report-error.js';
import { ssoProfiles } from '../sso-commands/sso-profiles.js';
import { backendOption, printLine } from './backend-option.js';

export class SsoProfilesCommand extends Command {
  static override paths = [['sso', 'profiles']];

  static override usage = Command.Usage({
    description: 'print ready [profile …] sections for the accounts and roles IAM Identity Center gives you',
    details: `
      Lists every account and role the IAM Identity Center token of \`--sso-session NAME\` (or of PROFILE, default AWS_PROFILE, else default) can reach (ListAccounts, ListAccountRoles) and prints a \`[profile ACCOUNT-ROLE]\` section for each, ready to paste into ~/.aws/config: no account id or role name to write by hand. The region of the sections is the profile's, else the sso_region. Signs in first when there is no usable token, as any command does.
    `,
    examples: [
      ['The roles of an sso-session, added to the config', 'rolecall sso profiles --sso-session corp >> ~/.aws/config'],
      ['The roles of the session a profile uses', 'rolecall sso profiles dev'],
    ],
  });

  ssoSession = Option.String('--sso-session', { description: 'the [sso-session NAME] section to list, instead of a profile' });
  backend = backendOption();
  debug = Option.Boolean('--debug', false, { description: 'each step on stderr (never a secret)' });
  profile = Option.String({ name: 'PROFILE', required: false });

  override async execute(): Promise<number> {
    enableDebug(this.debug);
    return guarded(EXIT_FAILED, () =>
      ssoProfiles(
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
