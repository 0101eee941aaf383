/**
 * `rolecall sso login [PROFILE | --sso-session NAME]`: a new IAM Identity
 * Center sign-in, kept in the vault (and in the AWS CLI's cache with
 * --share-with-aws-cli or rolecall_share_sso_cache). The authorization-code
 * flow with PKCE where a browser can be opened, the device-code flow with
 * --use-device-code or where none can; --no-browser prints the URL (and the
 * code) instead of opening it. What the person signing in reads goes to
 * stderr; the one line of the outcome to stdout.
 */
import type { Env } from '../base/env.js';
import { EXIT_OK } from '../base/exit-status.js';
import { ssoSessionLabel } from '../config/sso-session.js';
import { commandContext, ssoContextOf } from '../pipeline/command-context.js';
import { canOpenBrowser } from '../prompt/open-browser.js';
import { stderrNotice } from '../prompt/terminal-notice.js';
import { signInUnderLock } from '../sso/obtain-token.js';
import { namedSsoSession, type SessionRequest } from './named-sso-session.js';

export interface SsoLoginRequest extends SessionRequest {
  readonly useDeviceCode: boolean;
  readonly noBrowser: boolean;
  readonly shareWithAwsCli: boolean;
  readonly backend?: string;
}

export async function ssoLogin(processEnv: Env, request: SsoLoginRequest, print: (line: string) => void): Promise<number> {
  const named = namedSsoSession(processEnv, request);
  const session = request.shareWithAwsCli ? { ...named.session, shareWithAwsCli: true } : named.session;
  const context = ssoContextOf(commandContext(named.env, { processEnv, ...(request.backend ? { backend: request.backend } : {}) }));
  const browser = canOpenBrowser(named.env);
  const openBrowser = browser && !request.noBrowser && named.env.ROLECALL_NO_BROWSER !== '1';
  // Without a browser here the loopback redirect cannot be reached: a device code works from any device.
  const flow = request.useDeviceCode || !browser ? 'device' : 'pkce';
  const token = await signInUnderLock(session, context, { flow, openBrowser, say: stderrNotice, deviceCodeHint: '--use-device-code' });
  const shared = session.shareWithAwsCli ? "; shared with the AWS CLI in ~/.aws/sso/cache (plain text)" : '';
  print(`signed in to IAM Identity Center (${ssoSessionLabel(session)}) until ${token.expiresAt.toISOString()}${token.refreshToken ? ', refreshed after that without a browser' : ''}${shared}`);
  return EXIT_OK;
}
