/**
 * The first link of a chain: where the keys come from before any STS call.
 * Each provider does one thing; the SDK's own providers serve the instance
 * metadata and container endpoints (loaded only when a profile uses them).
 */
import type { Env } from '../base/env.js';
import type { StaticKeys } from '../config/plan.js';
import { CredentialError, RolecallError, errorLine } from '../base/errors.js';
import { registerSecret } from '../log/redact.js';
import type { CredentialProvider, Credentials } from '../config/credentials.js';

/** Where a vault looked and found no keys, named in the one error line ("the file vault (not using the keychain: …)"). */
export interface VaultMiss {
  readonly missingFrom: string;
}

/** Looks a profile's keys up in the vault; when it has none, says which vault that was. */
export type VaultKeyLookup = (profile: string) => Promise<StaticKeys | VaultMiss | undefined>;

export class ProfileKeysProvider implements CredentialProvider {
  readonly description: string;
  private keys: Promise<Credentials> | undefined;

  constructor(
    private readonly profile: string,
    private readonly fileKeys: StaticKeys | undefined,
    private readonly lookupVault: VaultKeyLookup | undefined,
  ) {
    this.description = `keys of profile "${profile}"`;
  }

  /**
   * Read once per process: the session cache reads the key id to name a
   * session, and the STS step below it then needs the same keys again.
   */
  retrieve(): Promise<Credentials> {
    this.keys ??= this.lookUp();
    return this.keys;
  }

  private async lookUp(): Promise<Credentials> {
    const stored = this.lookupVault ? await this.lookupVault(this.profile) : undefined;
    if (stored && 'accessKeyId' in stored) return stored;
    if (this.fileKeys) return this.fileKeys;
    // One line that names the vault actually looked in, so the fix it gives stores the keys where exec will look.
    const where = stored ? ` in ${stored.missingFrom}` : '';
    const storeThem = stored ? 'to store them there' : 'to store them in the vault';
    throw new RolecallError(
      `profile "${this.profile}" has no keys${where}: run \`rolecall add ${this.profile}\` ${storeThem}, or set aws_access_key_id and aws_secret_access_key in the credentials file`,
    );
  }
}

export class EnvironmentKeysProvider implements CredentialProvider {
  readonly description = 'keys from the environment (credential_source = Environment)';

  constructor(
    private readonly env: Env,
    private readonly profile: string,
  ) {}

  async retrieve(): Promise<Credentials> {
    const accessKeyId = this.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = this.env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
      throw new RolecallError(`profile "${this.profile}" has credential_source = Environment but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set`);
    }
    const sessionToken = this.env.AWS_SESSION_TOKEN || this.env.AWS_SECURITY_TOKEN;
    registerSecret(secretAccessKey);
    registerSecret(sessionToken);
    return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  }
}

type SdkProvider = () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }>;

/** Instance metadata (IMDSv2) or the ECS container endpoint, through the SDK's providers. */
export class SdkSourceProvider implements CredentialProvider {
  readonly description: string;

  constructor(
    private readonly which: 'instanceMetadata' | 'ecsContainer',
    private readonly profile: string,
  ) {
    this.description = which === 'instanceMetadata' ? 'EC2 instance metadata (IMDSv2)' : 'ECS container credentials endpoint';
  }

  async retrieve(): Promise<Credentials> {
    const imds = await import('@smithy/credential-provider-imds');
    const provider: SdkProvider =
      this.which === 'instanceMetadata' ? imds.fromInstanceMetadata({ timeout: 1000, maxRetries: 1 }) : imds.fromContainerMetadata({ timeout: 1000, maxRetries: 1 });
    try {
      const c = await provider();
      registerSecret(c.secretAccessKey);
      registerSecret(c.sessionToken);
      return {
        accessKeyId: c.accessKeyId,
        secretAccessKey: c.secretAccessKey,
        ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
        ...(c.expiration ? { expiration: c.expiration } : {}),
      };
    } catch (error) {
      throw new CredentialError(`profile "${this.profile}": ${this.description} gave no credentials: ${errorLine(error)}`);
    }
  }
}
