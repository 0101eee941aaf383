import { Command, Option } from 'clipanion';
import { importKeys } from '../admin/import-keys.js';
import { EXIT_FAILED } from '../base/exit-status.js';
import { guarded } from '../log/report-error.js';
import { backendOption, printLine } from './backend-option.js';

export class ImportCommand extends Command {
  static override paths = [['import']];

  static override usage = Command.Usage({
    description: 'move access keys from ~/.aws/credentials into the keychain',
    details: `
      Copies the static keys (\`aws_access_key_id\`, \`aws_secret_access_key\`, and \`aws_session_token\` if any) of each PROFILE, or of every profile that has some, from the credentials file (or, where botocore would take them from there, the config file) into the vault: the OS keychain, or the encrypted file vault (\`--backend\`, \`ROLECALL_BACKEND\`). A profile whose vault entry holds other keys is skipped unless \`--force\`.

      With \`--remove-plaintext\`, the key lines of the imported profiles are then deleted from the file, once the vault has been read back and holds the same keys. Every other line of the file stays as it was, and the file as it was is kept beside it (0600, named FILE.rolecall-backup-TIME): delete that copy once you have checked the result, since it still holds the keys in plain text.
    `,
    examples: [
      ['Import every profile with keys in ~/.aws/credentials', 'rolecall import'],
      ['Move the keys of base and delete them from the file', 'rolecall import base --remove-plaintext'],
    ],
  });

  removePlaintext = Option.Boolean('--remove-plaintext', false, { description: 'then delete the key lines from the file (a 0600 backup is kept)' });
  force = Option.Boolean('--force', false, { description: 'replace keys the vault already holds for a profile' });
  backend = backendOption();
  profiles = Option.Rest({ name: 'PROFILE' });

  override async execute(): Promise<number> {
    return guarded(EXIT_FAILED, () =>
      importKeys({ ...process.env }, {
        profiles: this.profiles,
        removePlaintext: this.removePlaintext,
        force: this.force,
        ...(this.backend ? { backend: this.backend } : {}),
      }, printLine(this.context.stdout)),
    );
  }
}
