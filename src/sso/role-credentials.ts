/**
 * The first link of an SSO profile's chain: GetRoleCredentials of its
 * account's role, with the session's token. The pipeline caches what it
 * gives like every session (pipeline/build-pipeline.ts), so a warm command
 * needs neither the token nor the network.
 */
import { CredentialError, RolecallError } from '../base/errors.js';
import type { SourceStep } from '../config/plan.js';
import type { CredentialProvider, Credentials } from '../config/credentials.js';
import { ssoSessionLabel } from '../config/sso-session.js';
import type { PortalTarget } from '../identity-center/portal-client.js';
import { debug } from '../log/debug-log.js';
import { maskKeyId } from '../log/redact.js';
import { shellWord } from '../log/terminal-text.js';
import { lockTimeoutSeconds } from '../cache/cache-settings.js';
import { singleFlight } from '../cache/single-flight.js';
import { tokenFor } from './session-token.js';
import { forgetRefusedToken } from './token-store.js';
import { tokenLockPath } from './obtain-token.js';
import type { SsoContext } from './sso-context.js';

export type SsoRoleSource = Extract<SourceStep, { kind: 'ssoRole' }>;

export class SsoRoleProvider implements CredentialProvider {
  readonly description: string;

  constructor(
    private readonly source: SsoRoleSource,
    private readonly target: PortalTarget,
    private readonly context: SsoContext,
  ) {
    this.description = `GetRoleCredentials ${source.accountId}/${source.roleName} for profile "${source.profile}"`;
  }

  async retrieve(): Promise<Credentials> {
    const { session, profile } = this.source;
    const token = await tokenFor(session, this.context, profile);
    const { TokenRefusedError } = await import('../identity-center/portal-client.js');
    debug(`${this.description} (${ssoSessionLabel(session)}), in ${this.target.region}${this.target.endpoint ? ` at ${this.target.endpoint}` : ''}`);
    try {
      return await this.call(token.accessToken);
    } catch (error) {
      if (!(error instanceof TokenRefusedError)) throw error;
      // Signed out elsewhere, or revoked: that token is of no more use; one more try with a new one.
      debug(`${error.message}: the token is forgotten`);
    }
    await this.forget(token.accessToken);
    // A token another command stored meanwhile is used as it is; none: a refresh or a sign-in.
    const fresh = await tokenFor(session, this.context, profile);
    try {
      return await this.call(fresh.accessToken);
    } catch (error) {
      if (!(error instanceof TokenRefusedError)) throw error;
      throw new RolecallError(
        `profile "${profile}": IAM Identity Center refused a new token for ${ssoSessionLabel(session)} too (${error.message}); check sso_start_url and sso_region, then run \`rolecall sso login ${shellWord(profile)}\``,
      );
    }
  }

  /** Under the token's lock, so a token another command is storing right now is not the one removed. */
  private async forget(refused: string): Promise<void> {
    const { session } = this.source;
    await singleFlight<true>({
      lockPath: tokenLockPath(session, this.context),
      timeoutMs: lockTimeoutSeconds(this.context.env) * 1000,
      what: `the IAM Identity Center token of ${ssoSessionLabel(session)}`,
      check: async () => undefined,
      produce: async () => {
        await forgetRefusedToken(session, this.context, refused);
        return true;
      },
    });
  }

  private async call(accessToken: string) {
    const { getRoleCredentials } = await import('../identity-center/portal-client.js');
    try {
      const credentials = await getRoleCredentials(this.target, accessToken, this.source.accountId, this.source.roleName);
      debug(`GetRoleCredentials gave key ${maskKeyId(credentials.accessKeyId)}, expires ${credentials.expiration.toISOString()}`);
      return credentials;
    } catch (error) {
      if (error instanceof CredentialError) throw new CredentialError(`profile "${this.source.profile}": ${error.message}`);
      throw error;
    }
  }
}
