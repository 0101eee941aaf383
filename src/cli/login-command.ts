import { Command, Option } from 'clipanion';
import { EXIT_FAILED } from '../base/exit-status.js';
import { consoleLogin } from '../console/console-login.js';
import { enableDebug } from '../log/debug-log.js';
import { guarded } from '../log/report-error.js';
import { backendOption, printLine } from './backend-option.js';
import { checkedDuration } from './exec-arguments.js';

export class LoginCommand extends Command {
  static override paths = [['login']];

  static override usage = Command.Usage({
    description: 'open the AWS console signed in as a profile',
    details: `
      Gets PROFILE's session as \`rolecall exec\` does (the same cache, one MFA code for the day), exchanges it at the AWS federation endpoint for a sign-in token, and opens the console with it: in \`$BROWSER\` when set (a command, given the URL as its one argument), else \`xdg-open\` (\`open\` on macOS). \`--stdout\` prints the URL instead.

      A role's session signs in as it is, for \`--duration\` (default 1h, 15m to 12h, never past the session's own end). A profile with plain keys gets a federated user's session first (STS GetFederationToken, named rolecall-USER), with the permissions of the keys' user; it takes no MFA.

      \`--path\` is the console page to open, in the profile's region: \`/s3/home\`, \`/ec2/home\`. The sign-in host follows the region's partition (signin.aws.amazon.com, signin.amazonaws.cn, signin.amazonaws-us-gov.com); \`AWS_ENDPOINT_URL_SIGNIN\` replaces it.

      The URL signs in whoever has it until it expires (15 minutes to use it, then the session's length): rolecall never logs it or passes it to any process but the browser command; with \`--stdout\`, keep it out of shared terminals and shell history.
    `,
    examples: [
      ['The console as the prod-admin role', 'rolecall login prod-admin'],
      ['The S3 page, for 4 hours', 'rolecall login prod-admin --path /s3/home --duration 4h'],
      ['Print the URL, for another browser profile', 'rolecall login prod-admin --stdout'],
    ],
  });

  stdout = Option.Boolean('--stdout', false, { description: 'print the sign-in URL instead of opening it' });
  consolePath = Option.String('--path', { description: 'the console page to open, e.g. /s3/home' });
  duration = Option.String('--duration,-d', { description: 'the console session: 15m to 12h (default 1h)' });
  backend = backendOption();
  debug = Option.Boolean('--debug', false, { description: 'each step on stderr (never a secret, never the URL)' });
  profile = Option.String({ name: 'PROFILE', required: false });

  override async execute(): Promise<number> {
    enableDebug(this.debug);
    return guarded(EXIT_FAILED, () => {
      const durationSeconds = this.duration === undefined ? undefined : checkedDuration(this.duration);
      return consoleLogin(
        { ...process.env },
        {
          ...(this.profile !== undefined ? { profile: this.profile } : {}),
          stdout: this.stdout,
          ...(this.consolePath !== undefined ? { path: this.consolePath } : {}),
          ...(durationSeconds !== undefined ? { durationSeconds } : {}),
          ...(this.backend ? { backend: this.backend } : {}),
        },
        printLine(this.context.stdout),
      );
    });
  }
}
