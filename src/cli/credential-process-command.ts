/**
 * `rolecall credential-process` as clipanion sees it: its --help and its
 * place in `rolecall --help`. The command itself runs from entry.ts, past
 * clipanion (credential-process-run.ts).
 */
import { Command, Option } from 'clipanion';
import { EXIT_OK, EXIT_USAGE } from '../base/exit-status.js';
import { parseOrReport, runCredentialProcess } from './credential-process-run.js';

export class CredentialProcessCommand extends Command {
  static override paths = [['credential-process']];

  static override usage = Command.Usage({
    description: "print a profile's session as credential_process JSON, for the AWS CLI and the SDKs",
    details: `
      Prints the Version 1 JSON (\`Version\`, \`AccessKeyId\`, \`SecretAccessKey\`, \`SessionToken\`, \`Expiration\`) that the AWS CLI and every AWS SDK read from a profile's \`credential_process\`, so any tool gets rolecall's keychain-backed, cached sessions. Nothing else ever reaches stdout.

      The session cache and single flight are exec's: a cached session makes no network call, and twenty tools starting at once make one STS call and ask one MFA code.

      The AWS CLI and the SDKs capture stdout and stderr, so rolecall asks for an MFA code or the file vault's passphrase on the terminal (/dev/tty). With no terminal it fails at once with one line on stderr: set \`mfa_process\`, or run \`rolecall exec PROFILE -- true\` (or enter a directory of the shell hook) first to cache the session.

      A profile whose \`credential_process\` runs \`rolecall credential-process\` back into itself (directly or through other profiles) is refused with one line (status 86).

      Options: \`--duration D\`, \`--region R\`, \`--no-session\`, \`--backend keychain|file\`, \`--debug\` (on stderr, never a secret), as for exec.
    `,
    examples: [
      ['What `credential_process = rolecall credential-process prod-admin` in a profile of ~/.aws/config runs', 'rolecall credential-process prod-admin'],
      ['The steps it takes, on stderr, without the JSON', 'rolecall credential-process prod-admin --debug >/dev/null'],
    ],
  });

  args = Option.Proxy();

  override async execute(): Promise<number> {
    const parsed = parseOrReport(this.args);
    if (!parsed) return EXIT_USAGE;
    if (parsed.help) {
      this.context.stdout.write(this.cli.usage(CredentialProcessCommand, { detailed: true }));
      return EXIT_OK;
    }
    return runCredentialProcess(parsed);
  }
}
