/**
 * `rolecall sso logout [PROFILE | --sso-session NAME]`: signs the token out
 * at the portal (Logout; the AWS CLI's copy too when it differs), forgets it
 * (the vault, and the AWS CLI's cache file of the session), and forgets the
 * role sessions made from it: those of every profile whose chain starts at
 * one of the session's SSO profiles. The client registration stays: it is
 * no sign-in, and the next login reuses it.
 */
import type { Env } from '../base/env.js';
import { EXIT_OK } from '../base/exit-status.js';
import { dropSessions, profilesSignedInWith } from '../cache/session-admin.js';
import { ssoSessionLabel } from '../config/sso-session.js';
import { portalTarget } from '../identity-center/portal-endpoint.js';
import { debug } from '../log/debug-log.js';
import { commandContext, ssoContextOf } from '../pipeline/command-context.js';
import { forgetToken, keptTokens } from '../sso/token-store.js';
import { namedSsoSession, type SessionRequest } from './named-sso-session.js';

export async function ssoLogout(processEnv: Env, request: SessionRequest & { readonly backend?: string }, print: (line: string) => void): Promise<number> {
  const named = namedSsoSession(processEnv, request);
  const { session, env } = named;
  const context = ssoContextOf(commandContext(env, { processEnv, ...(request.backend ? { backend: request.backend } : {}) }));
  // The vault's token and the AWS CLI's, when they differ: both are signed out, and both forgotten.
  for (const token of (await keptTokens(session, context)).filter((t) => t.expiresAt.getTime() > Date.now())) {
    const { logout } = await import('../identity-center/portal-client.js');
    try {
      await logout(portalTarget(session, env), token.accessToken);
    } catch (error) {
      // Signed out already, or out of reach: what is kept here is forgotten all the same.
      debug(`Logout: ${(error as Error).message}`);
    }
  }
  await forgetToken(session, context);
  const profiles = profilesSignedInWith(env, session);
  const dropped = profiles.size ? await dropSessions(await context.vault(), profiles) : 0;
  print(`signed out of IAM Identity Center (${ssoSessionLabel(session)}): forgot its token and ${dropped} role session${dropped === 1 ? '' : 's'}`);
  return EXIT_OK;
}
