import { Command, Option } from 'clipanion';
import { ArgumentError } from '../base/errors.js';
import { EXIT_FAILED } from '../base/exit-status.js';
import { exportSession } from '../export/export-session.js';
import { FORMATS, isExportFormat } from '../export/export-formats.js';
import { enableDebug } from '../log/debug-log.js';
import { guarded } from '../log/report-error.js';
import { keepPrivate } from '../fs/private-files.js';
import { backendOption } from './backend-option.js';
import { checkedBackend, checkedDuration, checkedRegion } from './exec-arguments.js';
import { checkedMfaToken } from './mfa-token.js';

export class ExportCommand extends Command {
  static override paths = [['export']];

  static override usage = Command.Usage({
    description: "print a profile's session as shell code, a .env file, JSON or a credentials-file section",
    details: `
      Prints the variables \`rolecall exec\` gives a child (\`AWS_ACCESS_KEY_ID\`, \`AWS_SECRET_ACCESS_KEY\`, \`AWS_SESSION_TOKEN\`, \`AWS_CREDENTIAL_EXPIRATION\`, \`AWS_REGION\`, \`AWS_DEFAULT_REGION\`), from the same cached session, for a shell or a tool to take in. PROFILE defaults to \`AWS_PROFILE\`, else \`default\`.

      Formats (\`--format\`): \`sh\` (the default): \`export KEY='value'\` lines, safe to \`eval\` in bash and zsh whatever a value holds, and \`unset\` lines for what would win over the keys (\`AWS_PROFILE\`, \`AWS_DEFAULT_PROFILE\`, \`AWS_SECURITY_TOKEN\`, a token or expiry the session has not); \`fish\`: \`set -gx\` and \`set -e\`, for \`| source\`; \`env\`: \`KEY=value\` lines (no quoting, so a value with a line break is refused); \`dotenv\`: a \`.env\` file, values in single quotes; \`json\`: the credential_process JSON; \`ini\`: a credentials-file section named \`--section NAME\` (default: the profile's name).

      The output holds secrets: on a terminal rolecall says so on stderr; redirected into a file, it makes the file 0600 (readable by you alone) before writing, whatever the umask. Prefer \`rolecall exec\`, which puts the keys in one command's environment only; export is for shells and tools that cannot be started by rolecall.

      Options: \`--duration D\`, \`--region R\`, \`--no-session\`, \`--mfa-token CODE\`, \`--backend keychain|file\`, \`--debug\` (on stderr, never a secret), as for exec.
    `,
    examples: [
      ['Into this bash or zsh', 'eval "$(rolecall export prod-admin)"'],
      ['Into this fish', 'rolecall export prod-admin --format fish | source'],
      ['A .env file for docker compose', 'rolecall export prod-admin --format dotenv > .env'],
      ['A section for a tool that reads only the credentials file', 'rolecall export prod-admin --format ini --section tool > ~/.aws/tool-credentials'],
    ],
  });

  profile = Option.String({ name: 'PROFILE', required: false });
  format = Option.String('--format,-f', 'sh', { description: `${FORMATS.join(', ')} (default sh)` });
  section = Option.String('--section', { description: 'the ini format\'s section name (default: the profile)' });
  duration = Option.String('--duration,-d', { description: 'the session\'s lifetime: 900s, 15m, 1h, 12h' });
  region = Option.String('--region', { description: 'the region (AWS_REGION and the STS region)' });
  noSession = Option.Boolean('--no-session', false, { description: 'no GetSessionToken: keys as they are, or MFA on the role call' });
  mfaToken = Option.String('--mfa-token,-t', { description: 'the MFA code (prefer mfa_process or the prompt: argv is visible in ps)' });
  backend = backendOption();
  debug = Option.Boolean('--debug', false, { description: 'each step on stderr, never a secret' });

  override async execute(): Promise<number> {
    return guarded(EXIT_FAILED, async () => {
      enableDebug(this.debug);
      const format = this.format;
      if (!isExportFormat(format)) throw new ArgumentError(`--format "${format}" is not a format; use one of ${FORMATS.join(', ')}`);
      if (this.section !== undefined && format !== 'ini') throw new ArgumentError('--section is for --format ini');
      const text = await exportSession(
        { ...process.env },
        {
          format,
          ...(this.profile !== undefined ? { profile: this.profile } : {}),
          ...(this.section !== undefined ? { section: this.section } : {}),
          ...(this.duration !== undefined ? { durationSeconds: checkedDuration(this.duration) } : {}),
          ...(this.region !== undefined ? { region: checkedRegion(this.region) } : {}),
          ...(this.noSession ? { noSession: true } : {}),
          ...(this.mfaToken !== undefined ? { mfaToken: checkedMfaToken(this.mfaToken) } : {}),
          ...(this.backend !== undefined ? { backend: checkedBackend(this.backend) } : {}),
        },
      );
      // Seen on a screen, or in a terminal's scroll-back, the keys are as good as copied.
      if (process.stdout.isTTY) this.context.stderr.write('rolecall: the lines below hold secret keys: eval them or redirect them, rather than leave them on the screen\n');
      // Redirected into a file: one other users can read would hold the keys.
      if (this.context.stdout === process.stdout) keepPrivate(1);
      this.context.stdout.write(text);
    });
  }
}
