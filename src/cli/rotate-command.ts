import { Command, Option } from 'clipanion';
import { rotateKeys } from '../admin/rotate-keys.js';
import { EXIT_FAILED } from '../base/exit-status.js';
import { enableDebug } from '../log/debug-log.js';
import { guarded } from '../log/report-error.js';
import { backendOption, printLine } from './backend-option.js';
import { checkedMfaToken } from './mfa-token.js';

export class RotateCommand extends Command {
  static override paths = [['rotate']];

  static override usage = Command.Usage({
    description: "replace a profile's access key with a new one",
    details: `
      For the keys \`rolecall add\` or \`rolecall import\` stored for PROFILE: creates a new access key for their IAM user (IAM CreateAccessKey, through an MFA session when the profile has \`mfa_serial\`), stores it in the vault, checks it with STS GetCallerIdentity (waiting up to half a minute for IAM to spread it), deletes the old key (IAM DeleteAccessKey) and drops the cached sessions made from it.

      If a step fails, the pair that works stays stored, and the message says which key exists where and the \`aws iam\` command that cleans up. The user may hold two keys at most: with two already, delete the unused one first.

      Keys in \`~/.aws/credentials\` are not rotated: move them into the vault first with \`rolecall import PROFILE --remove-plaintext\`. \`AWS_ENDPOINT_URL_IAM\` and \`AWS_ENDPOINT_URL\` are honoured as for STS.
    `,
    examples: [
      ['Rotate the key of profile base', 'rolecall rotate base'],
      ['In the file vault, with the MFA code given', 'rolecall rotate base --backend file --mfa-token 123456'],
    ],
  });

  backend = backendOption();
  mfaToken = Option.String('--mfa-token,-t', { description: 'the MFA code, when the profile has mfa_serial (prefer the prompt: argv is visible in ps)' });
  debug = Option.Boolean('--debug', false, { description: 'each step on stderr, never a secret' });
  profile = Option.String({ name: 'PROFILE' });

  override async execute(): Promise<number> {
    enableDebug(this.debug);
    return guarded(EXIT_FAILED, () => {
      return rotateKeys(
        { ...process.env },
        { profile: this.profile, ...(this.backend ? { backend: this.backend } : {}), ...(this.mfaToken !== undefined ? { mfaToken: checkedMfaToken(this.mfaToken) } : {}) },
        printLine(this.context.stdout),
      );
    });
  }
}
