import { Command, Option, UsageError } from 'clipanion';
import { RolecallError } from '../errors.js';
import { sessionFor } from '../credentials/profile-session.js';
import { childEnv } from '../exec/child-env.js';
import { runChild } from '../exec/run-child.js';
import { debug, enableDebug } from '../log/debug-log.js';
import { parseExecArguments } from './exec-arguments.js';
import { guarded, reportError } from './report-error.js';
import { sessionExtensions } from './session-extensions.js';

/** GNU env's status for "the tool itself failed before running the command". */
export const EXIT_ROLECALL_FAILED = 125;

export class ExecCommand extends Command {
  static override paths = [['exec']];

  static override usage = Command.Usage({
    description: 'run a command with temporary AWS credentials for a profile',
    details: `
      Resolves PROFILE from \`~/.aws/config\` and \`~/.aws/credentials\` (\`AWS_CONFIG_FILE\`, \`AWS_SHARED_CREDENTIALS_FILE\`) as the AWS CLI does, gets a session from STS (GetSessionToken with MFA, AssumeRole, role chains), and runs COMMAND with \`AWS_ACCESS_KEY_ID\`, \`AWS_SECRET_ACCESS_KEY\`, \`AWS_SESSION_TOKEN\`, \`AWS_CREDENTIAL_EXPIRATION\`, \`AWS_REGION\`, \`AWS_DEFAULT_REGION\` and \`ROLECALL_PROFILE\` in its environment. \`AWS_PROFILE\` and any other keys are removed from it.

      PROFILE defaults to \`AWS_PROFILE\`, else \`default\`. Without COMMAND, runs \`$SHELL\`.

      When the chain has an \`mfa_serial\`, rolecall asks for one code and calls GetSessionToken with it, then assumes every role with that session: one code serves every role over the same keys. The code comes from \`--mfa-token\`, else the profile's \`mfa_process\`, else a prompt on the terminal.

      Options: \`--duration D\` (900s, 15m, 1h, 12h; the last session's lifetime), \`--region R\`, \`--no-session\` (no GetSessionToken: keys as they are, or MFA on the role call), \`--mfa-token CODE\`, \`--force\` (allow exec inside exec), \`--debug\` (each step on stderr, never a secret).

      Exit status: the command's own; 128+N when it died of signal N; 125 when rolecall failed; 126 when the command cannot be run; 127 when it is not found.
    `,
    examples: [
      ['Run terraform as the prod-admin role', 'rolecall exec prod-admin -- terraform plan'],
      ['Check who you are', 'rolecall exec prod-admin -- aws sts get-caller-identity'],
      ['A 12-hour session in another region', 'rolecall exec --duration 12h --region eu-west-1 dev -- ./deploy.sh'],
      ['A shell with the credentials', 'rolecall exec billing-dev'],
    ],
  });

  args = Option.Proxy();

  override async execute(): Promise<number> {
    let parsed;
    try {
      parsed = parseExecArguments(this.args);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      reportError(error);
      return EXIT_ROLECALL_FAILED;
    }
    if (parsed.help) {
      this.context.stdout.write(this.cli.usage(ExecCommand, { detailed: true }));
      return 0;
    }
    enableDebug(parsed.debug);
    const env = { ...process.env };
    const profile = parsed.profile ?? (env.AWS_PROFILE || 'default');
    let child: { command: string; args: string[]; env: Record<string, string> } | undefined;
    const status = await guarded(EXIT_ROLECALL_FAILED, async () => {
      if (env.ROLECALL_PROFILE && !parsed.force) {
        throw new RolecallError(
          `already inside \`rolecall exec\` for profile "${env.ROLECALL_PROFILE}" (ROLECALL_PROFILE is set); exit that shell first, or pass --force`,
        );
      }
      const { plan, credentials } = await sessionFor({
        profile,
        env,
        ...(parsed.region ? { region: parsed.region } : {}),
        ...(parsed.durationSeconds !== undefined ? { durationSeconds: parsed.durationSeconds } : {}),
        noSession: parsed.noSession,
        ...(parsed.mfaToken ? { mfaToken: parsed.mfaToken } : {}),
        extend: await sessionExtensions(env),
      });
      const [command, ...args] = parsed.command.length > 0 ? parsed.command : [env.SHELL || '/bin/sh'];
      child = { command: command as string, args, env: childEnv(env, plan.profile, credentials, plan.region) };
    });
    if (!child) return status;
    debug(`running ${child.command}`);
    const outcome = await runChild(child.command, child.args, child.env);
    if (outcome.startError) process.stderr.write(`rolecall: ${outcome.startError}\n`);
    return outcome.status;
  }
}
