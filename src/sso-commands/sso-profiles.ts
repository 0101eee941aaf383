/**
 * `rolecall sso profiles [PROFILE | --sso-session NAME]`: every account and
 * role the session's token reaches (ListAccounts, ListAccountRoles), printed
 * as `[profile …]` sections ready to paste into ~/.aws/config, so nobody
 * writes an account id or role name by hand. What is printed can be appended
 * to the config as it is, again and again: a name is never one the config
 * has already, and an account and role some profile of the same Identity
 * Center (start URL) already signs in to is a comment naming that profile,
 * not a second section. The token is the stored one, or a refresh or
 * sign-in as for any command that needs one.
 */
import type { Env } from '../base/env.js';
import { EXIT_OK } from '../base/exit-status.js';
import type { LoadedConfig } from '../config/load-config.js';
import type { SsoSession } from '../config/sso-session.js';
import { portalTarget } from '../identity-center/portal-endpoint.js';
import { oneLine } from '../log/terminal-text.js';
import { commandContext, ssoContextOf } from '../pipeline/command-context.js';
import { tokenFor } from '../sso/session-token.js';
import { namedSsoSession, type SessionRequest } from './named-sso-session.js';

export async function ssoProfiles(processEnv: Env, request: SessionRequest & { readonly backend?: string }, print: (line: string) => void): Promise<number> {
  const named = namedSsoSession(processEnv, request);
  const { session, env } = named;
  const context = ssoContextOf(commandContext(env, { processEnv, ...(request.backend ? { backend: request.backend } : {}) }));
  const token = await tokenFor(session, context, named.profile ?? '');
  const { listAccounts, listAccountRoles } = await import('../identity-center/portal-client.js');
  const target = portalTarget(session, env);
  const region = (named.profile !== undefined ? named.config.profiles.get(named.profile)?.values.region : undefined) ?? session.region;
  const taken = new Set<string>(named.config.profiles.keys());
  const configured = configuredRoles(named.config, session);
  const sections: string[] = [];
  for (const account of await listAccounts(target, token.accessToken)) {
    for (const role of await listAccountRoles(target, token.accessToken, account.accountId)) {
      const existing = configured.get(roleKey(account.accountId, role.roleName));
      if (existing !== undefined) {
        sections.push(`# ${oneLine(account.accountName ?? account.accountId, 80)} (${account.accountId}), role ${oneLine(role.roleName, 80)}: already configured as [profile ${oneLine(existing, 80)}]\n`);
        continue;
      }
      const name = profileName(account.accountName ?? account.accountId, role.roleName, taken);
      taken.add(name);
      sections.push(section(name, session, account.accountId, role.roleName, region, account.accountName));
    }
  }
  print(sections.length ? sections.join('\n') : `# no account or role is assigned to you in IAM Identity Center (${session.startUrl})`);
  return EXIT_OK;
}

const roleKey = (accountId: string, roleName: string) => `${accountId}/${roleName}`;

/** ACCOUNT/ROLE → the first profile of the config that signs in to it through the same Identity Center (start URL). */
function configuredRoles(config: LoadedConfig, session: SsoSession): Map<string, string> {
  const found = new Map<string, string>();
  for (const [name, profile] of config.profiles) {
    const v = profile.values;
    if (!v.sso_account_id?.trim() || !v.sso_role_name?.trim()) continue;
    const startUrl = v.sso_session !== undefined ? config.ssoSessions.get(v.sso_session.trim())?.sso_start_url : v.sso_start_url;
    const key = roleKey(v.sso_account_id.trim(), v.sso_role_name.trim());
    if (startUrl?.trim() === session.startUrl && !found.has(key)) found.set(key, name);
  }
  return found;
}

function section(name: string, session: SsoSession, accountId: string, roleName: string, region: string, accountName: string | undefined): string {
  const lines = [
    `# ${oneLine(accountName ?? accountId, 80)} (${accountId}), role ${oneLine(roleName, 80)}`,
    `[profile ${name}]`,
    // The legacy form has no section to name: the profile carries the start URL and region itself.
    ...(session.name !== undefined ? [`sso_session = ${session.name}`] : [`sso_start_url = ${session.startUrl}`, `sso_region = ${session.region}`]),
    `sso_account_id = ${accountId}`,
    `sso_role_name = ${roleName}`,
    `region = ${region}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** ACCOUNT-ROLE in the characters a profile name keeps everywhere (the shell hook, TAB, .awsprofile), new in the config. */
export function profileName(accountName: string, roleName: string, taken: ReadonlySet<string>): string {
  const word = (text: string) => text.trim().replace(/[^A-Za-z0-9_.@+=-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
  const base = `${word(accountName)}-${word(roleName)}`;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  return name;
}
