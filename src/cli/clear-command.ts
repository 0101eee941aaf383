import { Command, Option } from 'clipanion';
import { clearSessions } from '../admin/clear-sessions.js';
import { EXIT_FAILED } from '../base/exit-status.js';
import { guarded } from '../log/report-error.js';
import { backendOption, printLine } from './backend-option.js';

export class ClearCommand extends Command {
  static override paths = [['clear']];

  static override usage = Command.Usage({
    description: 'drop cached sessions',
    details: `
      Removes the sessions rolecall cached from STS (in the keychain, or the encrypted file vault), so the next command gets fresh ones (and asks for an MFA code again when its chain has one).

      Without PROFILE, every cached session goes. With PROFILE, the sessions its chain is made of go: its role, the roles below it, and the MFA session of its base keys (which other roles over the same keys share). Base keys stay; \`rolecall remove\` drops those.
    `,
    examples: [
      ['Drop every cached session', 'rolecall clear'],
      ['Drop the sessions of one profile and its chain', 'rolecall clear prod-admin'],
    ],
  });

  backend = backendOption();
  profile = Option.String({ required: false, name: 'PROFILE' });

  override async execute(): Promise<number> {
    return guarded(EXIT_FAILED, () =>
      clearSessions({ ...process.env }, { ...(this.profile !== undefined ? { profile: this.profile } : {}), ...(this.backend ? { backend: this.backend } : {}) }, printLine(this.context.stdout)),
    );
  }
}
