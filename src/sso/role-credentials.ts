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
import { tokenFor } from './session-token.js';
import { forgetToken } from './token-store.js';
import { obtainToken } from './obtain-token.js';
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
    await forgetToken(session, this.context);
    const fresh = await obtainToken(session, this.context, undefined, profile);
    try {
      return await this.call(fresh.accessToken);
    } catch (error) {
      if (!(error instanceof TokenRefusedError)) throw error;
      throw new RolecallError(
        `profile "${profile}": IAM Identity Center refused a new token for ${ssoSessionLabel(session)} too (${error.message}); check sso_start_url and sso_region, then run \`rolecall sso login ${shellWord(profile)}\``,
      );
    }
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
