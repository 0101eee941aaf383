import { Command, Option } from 'clipanion';
import { displayPath } from '../config/config-paths.js';
import { loadConfig } from '../config/load-config.js';
import type { StaticKeys } from '../config/plan.js';
import { maskKeyId } from '../log/redact.js';
import { RolecallError } from '../base/errors.js';
import { note } from '../log/debug-log.js';
import { registerSecret } from '../log/redact.js';
import { openVault } from '../pipeline/open-vault.js';
import { whileLocked } from '../config/while-locked.js';
import { removePlaintextKeys } from '../config/plaintext-removal.js';
import { checkKeyShape, decodeKeys, encodeKeys } from '../vault/stored-keys.js';
import { KEYS_SERVICE } from '../vault/vault.js';
import { backendOption, vaultPlace } from './backend-option.js';
import { EXIT_FAILED } from '../base/exit-status.js';
import { guarded } from '../log/report-error.js';

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
    const env = { ...process.env };
    return guarded(EXIT_FAILED, async () => {
      const config = loadConfig(env);
      const found = new Map<string, { keys: StaticKeys; file: 'credentials' | 'config' }>();
      for (const [name, profile] of config.profiles) {
        // botocore takes a key pair from one file, the credentials file first.
        for (const kind of ['credentials', 'config'] as const) {
          const section = profile.byFile[kind];
          if (!section?.aws_access_key_id || !section.aws_secret_access_key) continue;
          const token = section.aws_session_token || section.aws_security_token;
          registerSecret(section.aws_secret_access_key);
          registerSecret(token);
          found.set(name, { keys: { accessKeyId: section.aws_access_key_id, secretAccessKey: section.aws_secret_access_key, ...(token ? { sessionToken: token } : {}) }, file: kind });
          break;
        }
      }
      const wanted = this.profiles.length > 0 ? [...new Set(this.profiles)] : [...found.keys()].sort();
      if (wanted.length === 0) {
        this.context.stdout.write(`no profile has keys in ${displayPath(config.paths.credentials, env)}: nothing to import\n`);
        return 0;
      }
      for (const name of wanted) {
        if (!found.has(name)) {
          const why = config.profiles.has(name) ? 'has no keys in the credentials or config file' : 'is not in the config or credentials file';
          throw new RolecallError(`profile "${name}" ${why}; nothing was imported`);
        }
      }
      const vault = await openVault(env, this.backend ? { backend: this.backend } : {});
      const where = vaultPlace(vault);
      const imported = new Map<'credentials' | 'config', Set<string>>();
      let failed = 0;
      for (const name of wanted) {
        const { keys, file } = found.get(name) as { keys: StaticKeys; file: 'credentials' | 'config' };
        const shown = displayPath(config.paths[file], env);
        try {
          checkKeyShape(keys, `${shown}, profile "${name}"`);
          const existing = await vault.get(KEYS_SERVICE, name);
          if (existing !== undefined && !this.force && !holdsKeys(existing, keys, name, vault.backend)) {
            throw new RolecallError(`profile "${name}": ${where} already holds other keys for it; skipped (--force replaces them)`);
          }
          await vault.set(KEYS_SERVICE, name, encodeKeys(keys));
          // Read back before anything is deleted from the file.
          const back = await vault.get(KEYS_SERVICE, name);
          if (back === undefined || encodeKeys(decodeKeys(back, name, vault.backend)) !== encodeKeys(keys)) {
            throw new RolecallError(`profile "${name}": ${where} did not give the keys back as stored; the file was left as it is`);
          }
          this.context.stdout.write(`imported the keys of profile "${name}" (${maskKeyId(keys.accessKeyId)}) from ${shown} into ${where}\n`);
          imported.set(file, (imported.get(file) ?? new Set()).add(name));
        } catch (error) {
          if (!(error instanceof RolecallError)) throw error;
          note(error.message);
          failed++;
        }
      }
      if (this.removePlaintext) {
        for (const [file, names] of imported) {
          const path = config.paths[file];
          // Under the same lock as `add`'s append to the config file.
          const removal = await whileLocked(env, path, () => removePlaintextKeys(path, file, names));
          if (removal.backup) {
            this.context.stdout.write(
              `deleted ${removal.removed} key line${removal.removed === 1 ? '' : 's'} from ${displayPath(path, env)}; the file as it was is in ${displayPath(removal.backup, env)} (0600): delete it once you have checked\n`,
            );
          }
        }
      } else if (imported.size > 0) {
        this.context.stdout.write('the keys are still in the file too; `rolecall import --remove-plaintext` deletes them there\n');
      }
      return failed > 0 ? 1 : 0;
    });
  }
}

/** Whether a stored value is these very keys (a value that is not keys at all is not). */
function holdsKeys(stored: string, keys: StaticKeys, name: string, backend: string): boolean {
  try {
    return encodeKeys(decodeKeys(stored, name, backend)) === encodeKeys(keys);
  } catch {
    return false;
  }
}
