import { Command, Option } from 'clipanion';
import { dropSessions, profilesBuiltOn } from '../cache/session-admin.js';
import { displayPath } from '../config/config-paths.js';
import { loadConfig } from '../config/load-config.js';
import { resolveProfile } from '../config/resolve-profile.js';
import { RolecallError } from '../base/errors.js';
import { confirm } from '../prompt/confirm.js';
import { openVault } from '../pipeline/open-vault.js';
import { plaintextKeysFile } from '../config/key-pair.js';
import { KEYS_SERVICE } from '../vault/vault.js';
import { backendOption, vaultPlace } from './backend-option.js';
import { EXIT_FAILED } from '../base/exit-status.js';
import { guarded } from '../log/report-error.js';

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
    const env = { ...process.env };
    return guarded(EXIT_FAILED, async () => {
      const profile = this.profile;
      const vault = await openVault(env, this.backend ? { backend: this.backend } : {});
      const where = vaultPlace(vault);
      const stored = (await vault.list(KEYS_SERVICE)).includes(profile);
      if (stored && !this.force && !(await confirm(`delete the keys of profile "${profile}" from ${where}?`, 'pass --force to delete them'))) {
        throw new RolecallError(`kept the keys of profile "${profile}"`);
      }
      const removed = stored && (await vault.remove(KEYS_SERVICE, profile));
      const dropped = await dropSessions(vault, profilesBuiltOn(env, profile));
      const sessions = dropped > 0 ? `; dropped ${dropped} cached session${dropped === 1 ? '' : 's'} made from them` : '';
      const plaintext = plaintextKeysFile(loadConfig(env), profile);
      const still = plaintext ? ` (${displayPath(plaintext, env)} still has keys for it in plain text)` : '';
      if (!removed) throw new RolecallError(`profile "${profile}" has no keys in ${where}${still}${sessions}${keysOwnerHint(env, profile)}`);
      this.context.stdout.write(`deleted the keys of profile "${profile}" from ${where}${sessions}${still}\n`);
    });
  }
}

/**
 * `rolecall remove ROLE-PROFILE` is a natural slip: the keys belong to the
 * profile at the bottom of its chain, so name that one. Nothing when the
 * chain cannot be resolved (its own error is exec's to give).
 */
function keysOwnerHint(env: NodeJS.ProcessEnv, profile: string): string {
  try {
    const { paths, profiles } = loadConfig(env);
    const plan = resolveProfile(profiles, { profile, env, paths });
    if (plan.source.kind !== 'profileKeys' || plan.source.profile === profile) return '';
    return `; it is a role over the keys of profile "${plan.source.profile}": \`rolecall remove ${plan.source.profile}\` deletes those`;
  } catch {
    return '';
  }
}
