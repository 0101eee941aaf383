import { Command, Option } from 'clipanion';
import { dropSessions, profilesOfChain } from '../cache/session-admin.js';
import { loadConfig } from '../config/load-config.js';
import { didYouMean } from '../config/suggest-names.js';
import { RolecallError } from '../base/errors.js';
import { openVault } from '../pipeline/open-vault.js';
import { EXIT_FAILED } from '../base/exit-status.js';
import { guarded } from '../log/report-error.js';

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

  backend = Option.String('--backend', { description: 'keychain or file (default: ROLECALL_BACKEND, else the keychain when it answers)' });
  profile = Option.String({ required: false, name: 'PROFILE' });

  override async execute(): Promise<number> {
    const env = { ...process.env };
    return guarded(EXIT_FAILED, async () => {
      const profile = this.profile;
      const which = profile === undefined ? undefined : profilesOfChain(env, profile);
      const vault = await openVault(env, this.backend ? { backend: this.backend } : {});
      const dropped = await dropSessions(vault, which);
      const profiles = profile !== undefined && dropped === 0 ? loadConfig(env).profiles : undefined;
      if (profile !== undefined && profiles && !profiles.has(profile)) {
        throw new RolecallError(`profile "${profile}" is not in the config and has no cached sessions${didYouMean(profile, [...profiles.keys()])}`);
      }
      const where = profile === undefined ? '' : ` of profile "${profile}" and its chain`;
      this.context.stdout.write(`cleared ${dropped} cached session${dropped === 1 ? '' : 's'}${where} (${vault.backend} vault)\n`);
    });
  }
}
