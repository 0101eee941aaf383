/**
 * moto, the recording STS proxy and the fake Identity Center together, with
 * sandboxes whose STS is the proxy and whose Identity Center (both APIs) is
 * the fake. The fake's GetRoleCredentials assumes the role at moto itself,
 * so the proxy counts only rolecall's own STS calls.
 *
 * Tokens a test needs without a sign-in: `state.issueToken()`, then planted
 * where a login would have left them (the vault, or the AWS CLI's cache).
 */
import { createHash } from 'node:crypto';
import { after, before } from 'node:test';
import type { SsoSession, SsoToken } from '../../src/sso/sso-token.js';
import { openVault } from '../../src/pipeline/open-vault.js';
import { saveToken } from '../../src/sso/token-store.js';
import { startFakeIdentityCenter, type FakeAccessToken, type FakeIdentityCenter } from './fake-identity-center.js';
import type { Sandbox } from './sandbox.js';
import { startStsWorld, type StsWorld } from './sts-world.js';

export const START_URL = 'https://example.awsapps.com/start';

/** An sso-session, an SSO profile over it (dev) and a role chained over that profile (audit). */
export const SSO_CONFIG = `
[sso-session corp]
sso_start_url = ${START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
region = eu-west-1

[profile audit]
role_arn = arn:aws:iam::444455556666:role/Auditor
source_profile = dev
region = eu-central-1
`;

export interface SsoWorld {
  readonly sts: StsWorld;
  readonly identityCenter: FakeIdentityCenter;
  sandbox(extraEnv?: Record<string, string>): Sandbox;
}

/** One world for the tests of the enclosing describe. */
export function ssoWorldForSuite(): { readonly world: SsoWorld } {
  let world: SsoWorld | undefined;
  before(async () => {
    const sts = await startStsWorld();
    const identityCenter = await startFakeIdentityCenter({ stsUrl: sts.moto.url });
    world = {
      sts,
      identityCenter,
      sandbox: (extraEnv = {}) => sts.sandbox({ AWS_ENDPOINT_URL_SSO: identityCenter.url, AWS_ENDPOINT_URL_SSO_OIDC: identityCenter.url, ...extraEnv }),
    };
  });
  after(async () => {
    await world?.identityCenter.stop();
    await world?.sts.stop();
  });
  return {
    get world() {
      if (!world) throw new Error('the SSO world has not started');
      return world;
    },
  };
}

/** The session of an `[sso-session NAME]` section (or the legacy form without a name), as rolecall reads it. */
export function ssoSession(name: string | undefined, region = 'us-east-1', shareWithAwsCli = false): SsoSession {
  return { ...(name !== undefined ? { name } : {}), startUrl: START_URL, region, scopes: ['sso:account:access'], shareWithAwsCli };
}

function asSsoToken(token: FakeAccessToken): SsoToken {
  return { accessToken: token.accessToken, expiresAt: new Date(token.expiresAt), ...(token.refreshToken ? { refreshToken: token.refreshToken } : {}) };
}

/** The token kept in the sandbox's vault, as `rolecall sso login` keeps it. */
export async function plantVaultToken(box: Sandbox, session: SsoSession, token: FakeAccessToken): Promise<void> {
  const vault = await openVault(box.env, { createsFileVault: true });
  await saveToken(session, asSsoToken(token), { env: box.env, processEnv: box.env, vault: async () => vault });
}

/** The token the AWS CLI leaves in ~/.aws/sso/cache after `aws sso login`, in its own format. */
export function plantAwsCliToken(box: Sandbox, session: SsoSession, token: FakeAccessToken): string {
  const name = createHash('sha1').update(session.name ?? session.startUrl).digest('hex');
  return box.write(
    `.aws/sso/cache/${name}.json`,
    JSON.stringify({ startUrl: session.startUrl, region: session.region, accessToken: token.accessToken, expiresAt: new Date(token.expiresAt).toISOString().replace(/\.\d+Z$/, 'Z') }),
    0o600,
  );
}
