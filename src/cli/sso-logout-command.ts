import { Command } from 'clipanion';
import { ssoLogout } from '../sso-commands/sso-logout.js';
import { SsoSessionCommand } from './sso-session-command.js';

export class SsoLogoutCommand extends SsoSessionCommand {
  static override paths = [['sso', 'logout']];

  static override usage = Command.Usage({
    description: 'sign out of IAM Identity Center and forget its token and role sessions',
    details: `
      Signs the IAM Identity Center token of PROFILE (default: AWS_PROFILE, else default), or of \`--sso-session NAME\`, out at the portal (Logout; the AWS CLI's copy too when it holds another token), forgets it (the vault, and the session's file in the AWS CLI's cache, ~/.aws/sso/cache), and forgets the cached role sessions made from it: those of the session's SSO profiles and of every role chain over them. The next command that needs the session signs in again.
    `,
    examples: [
      ['Sign out of the session of a profile', 'rolecall sso logout dev'],
      ['Sign out of an sso-session', 'rolecall sso logout --sso-session corp'],
    ],
  });

  protected run(...args: Parameters<typeof ssoLogout>): Promise<number> {
    return ssoLogout(...args);
  }
}
