import { Command, Option } from 'clipanion';
import type { Env } from '../base/env.js';
import type { SessionRequest } from '../sso-commands/named-sso-session.js';
import { ssoLogin } from '../sso-commands/sso-login.js';
import { SsoSessionCommand } from './sso-session-command.js';

export class SsoLoginCommand extends SsoSessionCommand {
  static override paths = [['sso', 'login']];

  static override usage = Command.Usage({
    description: 'sign in to IAM Identity Center (SSO) for a profile or an sso-session',
    details: `
      Signs in to the IAM Identity Center of PROFILE (default: AWS_PROFILE, else default), or of the \`[sso-session NAME]\` section given with \`--sso-session\`, and keeps the token in the vault (the keychain, or the encrypted file), never in plain text unless shared.

      Where a browser can be opened, the sign-in page opens in it and the browser comes back to rolecall on a loopback address (http://127.0.0.1:PORT/oauth/callback; the authorization-code flow with PKCE, as the AWS CLI v2 does). The browser is \`$BROWSER\` when set (a command given the URL as its argument), else \`xdg-open\` (\`open\` on macOS, \`wslview\` under WSL). \`--use-device-code\`, or no browser here, signs in with a device code instead: open the URL shown on any device and check the code. \`--no-browser\` (or ROLECALL_NO_BROWSER=1) prints the URL, and the code, instead of opening it; a browser command that fails does the same, and the sign-in waits on.

      The token comes with a refresh token (scopes from sso_registration_scopes, sso:account:access when unset): commands renew it without a browser until the refresh token itself ends. The client registration is kept until it expires. Commands that need a token and find none sign in on their own; this command is for doing it ahead.

      \`--share-with-aws-cli\` (or \`rolecall_share_sso_cache = true\` in the sso-session section) also writes the token to ~/.aws/sso/cache in the AWS CLI's format, mode 0600, so \`aws --profile P\` and the SDKs use it: that file is plain text. A token shared once stays shared: every refresh of it is written there again, until \`rolecall sso logout\`, which removes the file.
    `,
    examples: [
      ['Sign in for a profile', 'rolecall sso login dev'],
      ['Sign in for an sso-session, from another device', 'rolecall sso login --sso-session corp --use-device-code'],
      ['Print the URL instead of opening it', 'rolecall sso login dev --no-browser'],
      ['Share the token with the AWS CLI', 'rolecall sso login dev --share-with-aws-cli'],
    ],
  });

  useDeviceCode = Option.Boolean('--use-device-code', false, { description: 'sign in with a code, on any device' });
  noBrowser = Option.Boolean('--no-browser', false, { description: 'print the sign-in URL (and code) instead of opening a browser' });
  shareWithAwsCli = Option.Boolean('--share-with-aws-cli', false, { description: "also write the token to the AWS CLI's cache (plain text, 0600)" });

  protected run(processEnv: Env, request: SessionRequest & { readonly backend?: string }, print: (line: string) => void): Promise<number> {
    return ssoLogin(processEnv, { ...request, useDeviceCode: this.useDeviceCode, noBrowser: this.noBrowser, shareWithAwsCli: this.shareWithAwsCli }, print);
  }
}
