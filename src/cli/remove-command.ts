import { Command, Option } from 'clipanion';
import { removeKeys } from '../admin/remove-keys.js';
import { EXIT_FAILED } from '../base/exit-status.js';
import { guarded } from '../log/report-error.js';
import { backendOption, printLine } from './backend-option.js';

export class RemoveCommand extends Command {
  static override paths = [['remove']];

  static override usage = Command.Usage({
    description: "delete a profile's keys from the keychain",
    details: `
      Deletes the access keys \`rolecall add\` or \`rolecall import\` stored for PROFILE, after a y/N question (\`--force\`: without one), and drops the cached sessions made from them: PROFILE's own and those of every role built on it, so the next \`rolecall exec\` over them has to start from keys again.

      The config file is not changed. Keys in \`~/.aws/credentials\` are not touched (rolecall says so when there are some).
    `,
    examples: [
      ['Delete the keys of profile base', 'rolecall remove base'],
      ['Without the question, from the file vault', 'rolecall remove base --force --backend file'],
    ],
  });

  force = Option.Boolean('--force', false, { description: 'do not ask' });
  backend = backendOption();
  profile = Option.String({ name: 'PROFILE' });

  override async execute(): Promise<number> {
    return guarded(EXIT_FAILED, () =>
      removeKeys({ ...process.env }, { profile: this.profile, force: this.force, ...(this.backend ? { backend: this.backend } : {}) }, printLine(this.context.stdout)),
    );
  }
}
