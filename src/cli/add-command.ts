import { Command, Option } from 'clipanion';
import { displayPath } from '../config/config-paths.js';
import { loadConfig } from '../config/load-config.js';
import type { StaticKeys } from '../config/plan.js';
import { maskKeyId } from '../log/redact.js';
import { RolecallError } from '../base/errors.js';
import { registerSecret } from '../log/redact.js';
import { stsEndpoint } from '../sts/sts-endpoint.js';
import { askKeys } from '../admin/ask-keys.js';
import { confirm } from '../prompt/confirm.js';
import { openVault } from '../pipeline/open-vault.js';
import { plaintextKeysFile } from '../config/key-pair.js';
import { checkProfileName, ensureProfileSection } from '../config/profile-section.js';
import { checkKeyShape, encodeKeys } from '../vault/stored-keys.js';
import { KEYS_SERVICE } from '../vault/vault.js';
import { backendOption, vaultPlace } from './backend-option.js';
import { EXIT_FAILED } from '../base/exit-status.js';
import { guarded } from '../log/report-error.js';

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
    const env = { ...process.env };
    return guarded(EXIT_FAILED, async () => {
      const profile = this.profile;
      checkProfileName(profile);
      loadConfig(env); // a broken config file is reported before anything is asked or stored
      const keys = this.fromEnv ? keysFromEnvironment(env) : await askKeys(profile);
      checkKeyShape(keys, this.fromEnv ? 'the environment' : 'what was typed');
      const vault = await openVault(env, this.backend ? { backend: this.backend } : {});
      const where = vaultPlace(vault);
      if (!this.force && (await vault.list(KEYS_SERVICE)).includes(profile)) {
        if (!(await confirm(`profile "${profile}" already has keys in ${where}; replace them?`, 'pass --force to replace them'))) {
          throw new RolecallError(`kept the keys already stored for profile "${profile}"`);
        }
      }
      if (this.verify) {
        const { getCallerIdentity } = await import('../sts/sts-client.js');
        const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || loadConfig(env).profiles.get(profile)?.values.region || 'us-east-1';
        const endpoint = stsEndpoint(env);
        const arn = await getCallerIdentity({ region, ...(endpoint ? { endpoint } : {}) }, keys);
        this.context.stdout.write(`${arn}\n`);
      }
      await vault.set(KEYS_SERVICE, profile, encodeKeys(keys));
      this.context.stdout.write(`stored the keys of profile "${profile}" (${maskKeyId(keys.accessKeyId)}) in ${where}\n`);
      const appended = await ensureProfileSection(env, profile);
      if (appended) this.context.stdout.write(`added [${profile === 'default' ? 'default' : `profile ${profile}`}] to ${displayPath(appended, env)}\n`);
      const plaintext = plaintextKeysFile(loadConfig(env), profile);
      if (plaintext) {
        this.context.stderr.write(
          `rolecall: ${displayPath(plaintext, env)} still has keys for "${profile}" in plain text; exec uses the vault's first, so delete them from that file\n`,
        );
      }
    });
  }
}

function keysFromEnvironment(env: NodeJS.ProcessEnv): StaticKeys {
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
  if (!accessKeyId || !secretAccessKey) {
    throw new RolecallError('--env needs both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment');
  }
  registerSecret(secretAccessKey);
  // A session token is not taken: the vault holds long-term keys, and the
  // shape check refuses a temporary (ASIA…) key without one.
  return { accessKeyId, secretAccessKey };
}
