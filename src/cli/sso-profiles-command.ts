import { Command } from 'clipanion';
import { ssoProfiles } from '../sso-commands/sso-profiles.js';
import { SsoSessionCommand } from './sso-session-command.js';

export class SsoProfilesCommand extends SsoSessionCommand {
  static override paths = [['sso', 'profiles']];

  static override usage = Command.Usage({
    description: 'print ready [profile …] sections for the accounts and roles IAM Identity Center gives you',
    details: `
      Lists every account and role the IAM Identity Center token of \`--sso-session NAME\` (or of PROFILE, default AWS_PROFILE, else default) can reach (ListAccounts, ListAccountRoles) and prints a \`[profile ACCOUNT-ROLE]\` section for each, ready to paste into ~/.aws/config: no account id or role name to write by hand. A name is never one of a profile the config has, and an account and role a profile of the same start URL already signs in to is a \`# … already configured as [profile X]\` comment instead, so the output can be appended again. The region of the sections is the profile's, else the sso_region. Signs in first when there is no usable token, as any command does.
    `,
    examples: [
      ['The roles of an sso-session, added to the config', 'rolecall sso profiles --sso-session corp >> ~/.aws/config'],
      ['The roles of the session a profile uses', 'rolecall sso profiles dev'],
    ],
  });

  protected run(...args: Parameters<typeof ssoProfiles>): Promise<number> {
    return ssoProfiles(...args);
  }
}
