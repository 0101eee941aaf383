import { Command, Option } from 'clipanion';
import { EXIT_OK, EXIT_ROLECALL_FAILED } from '../base/exit-status.js';
import { parseOrReport, runExec } from './exec-run.js';

export class ExecCommand extends Command {
  static override paths = [['exec']];

  static override usage = Command.Usage({
    description: 'run a command with temporary AWS credentials for a profile',
    details: `
      Resolves PROFILE from \`~/.aws/config\` and \`~/.aws/credentials\` (\`AWS_CONFIG_FILE\`, \`AWS_SHARED_CREDENTIALS_FILE\`) as the AWS CLI does, gets a session from STS (GetSessionToken with MFA, AssumeRole, role chains), and runs COMMAND with \`AWS_ACCESS_KEY_ID\`, \`AWS_SECRET_ACCESS_KEY\`, \`AWS_SESSION_TOKEN\`, \`AWS_CREDENTIAL_EXPIRATION\`, \`AWS_REGION\`, \`AWS_DEFAULT_REGION\` and \`ROLECALL_PROFILE\` in its environment. \`AWS_PROFILE\` and any other keys are removed from it.

      PROFILE defaults to \`AWS_PROFILE\`, else \`default\`. Without COMMAND, runs \`$SHELL\`.

      When the chain has an \`mfa_serial\`, rolecall asks for one code and calls GetSessionToken with it, then assumes every role with that session: one code serves every role over the same keys. The code comes from \`--mfa-token\`, else the profile's \`mfa_process\`, else a prompt on the terminal.

      An IAM Identity Center profile (\`sso_session\` or \`sso_start_url\`, with \`sso_account_id\` and \`sso_role_name\`) gets its role credentials with GetRoleCredentials in \`sso_region\`, cached like every session; it can be the \`source_profile\` of a role. The token is the one \`rolecall sso login\` kept, or one the AWS CLI left in \`~/.aws/sso/cache\`; with none still valid, one line says to run \`rolecall sso login PROFILE\` (status 125).

      With \`--server\`, COMMAND gets no keys: rolecall serves them on 127.0.0.1 (a random port) for as long as COMMAND runs, as an ECS container's credential endpoint, through \`AWS_CONTAINER_CREDENTIALS_FULL_URI\` and \`AWS_CONTAINER_AUTHORIZATION_TOKEN\` (a random token, only in COMMAND's environment). The AWS CLI and every SDK fetch credentials there and again before they expire, so a command that runs for hours keeps working: each fetch gets the cached session while it has 11 minutes (or \`ROLECALL_MIN_TTL\`, if more) left, else a new one. The first session, and any MFA prompt, come before COMMAND starts; a later session that needs a new MFA code (the MFA session lasts 8 hours) comes only from \`mfa_process\`, else that fetch fails with a line on stderr. Refused when \`[default]\` has credentials of its own, which the SDKs would take first.

      Options: \`--duration D\` (900s, 15m, 1h, 12h; the last session's lifetime), \`--region R\`, \`--backend keychain|file\` (where keys and cached sessions live; default \`ROLECALL_BACKEND\`, else the keychain when it answers), \`--no-session\` (no GetSessionToken: keys as they are, or MFA on the role call), \`--mfa-token CODE\`, \`--force\` (allow exec inside exec), \`--server\` (a credential server instead of keys, for long runs), \`--debug\` (each step on stderr, never a secret).

      Environment: \`ROLECALL_BACKEND\`, \`ROLECALL_FILE_PASSPHRASE\` (the file vault's passphrase; never passed on), \`ROLECALL_MIN_TTL\` (seconds a cached session must have left, default 300), \`ROLECALL_LOCK_TIMEOUT\` (seconds to wait for another rolecall fetching the same session, default 120).

      Exit status: the command's own; 128+N when it died of signal N; 125 when rolecall failed; 126 when the command cannot be run; 127 when it is not found.
    `,
    examples: [
      ['Run terraform as the prod-admin role', 'rolecall exec prod-admin -- terraform plan'],
      ['Check who you are', 'rolecall exec prod-admin -- aws sts get-caller-identity'],
      ['A 12-hour session in another region', 'rolecall exec --duration 12h --region eu-west-1 dev -- ./deploy.sh'],
      ['A shell with the credentials', 'rolecall exec billing-dev'],
      ['Hours of terraform, past the first session', 'rolecall exec --server prod-admin -- terraform apply'],
    ],
  });

  args = Option.Proxy();

  override async execute(): Promise<number> {
    const parsed = parseOrReport(this.args);
    if (!parsed) return EXIT_ROLECALL_FAILED;
    if (parsed.help) {
      this.context.stdout.write(this.cli.usage(ExecCommand, { detailed: true }));
      return EXIT_OK;
    }
    return runExec(parsed);
  }
}
