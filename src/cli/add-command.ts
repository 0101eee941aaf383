import { Command, Option } from 'clipanion';
import { addKeys } from '../admin/add-keys.js';
import { EXIT_FAILED } from '../base/exit-status.js';
import { guarded } from '../log/report-error.js';
import { backendOption, printLine } from './backend-option.js';

export class AddCommand extends Command {
  static override paths = [['add']];

  static override usage = Command.Usage({
    description: "store a profile's access keys in the keychain",
    details: `
      Asks on the terminal for the access key id and the secret access key (the secret is not shown) and stores them in the vault: the OS keychain, or the encrypted file vault where there is no usable keychain (\`--backend\`, \`ROLECALL_BACKEND\`). \`rolecall exec\` looks there before \`~/.aws/credentials\`.

      With \`--env\`, the keys come from \`AWS_ACCESS_KEY_ID\` and \`AWS_SECRET_ACCESS_KEY\` instead. Never pass a secret as an argument: it would show in \`ps\` and in your shell history.

      When the config file has no section for PROFILE, \`[profile PROFILE]\` is appended to it (nothing else in the file changes), so that roles can name it as their \`source_profile\`.

      \`--verify\` asks STS who the keys belong to (GetCallerIdentity) and prints the ARN before storing them. Keys already stored for PROFILE are replaced only after a y/N question, or with \`--force\`.
    `,
    examples: [
      ['Store keys for profile base, typing them in', 'rolecall add base'],
      ['Store the keys in the environment, checking them with STS first', 'rolecall add base --env --verify'],
      ['Use the encrypted file vault', 'rolecall add base --backend file'],
    ],
  });

  fromEnv = Option.Boolean('--env', false, { description: 'take the keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY' });
  verify = Option.Boolean('--verify', false, { description: 'check the keys with STS GetCallerIdentity and print the ARN' });
  force = Option.Boolean('--force', false, { description: 'replace stored keys without asking' });
  backend = backendOption();
  profile = Option.String({ name: 'PROFILE' });

  override async execute(): Promise<number> {
    return guarded(EXIT_FAILED, () =>
      addKeys({ ...process.env }, {
        profile: this.profile,
        fromEnv: this.fromEnv,
        verify: this.verify,
        force: this.force,
        ...(this.backend ? { backend: this.backend } : {}),
      }, printLine(this.context.stdout)),
    );
  }
}
