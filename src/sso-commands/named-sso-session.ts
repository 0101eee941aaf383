/**
 * The Identity Center session an `sso` command names: `--sso-session NAME`
 * (an `[sso-session NAME]` section), or a profile (PROFILE, else
 * AWS_PROFILE, else default) that signs in through one: an SSO profile, the
 * legacy form, a profile naming only an sso_session, or a role chain whose
 * source is an SSO profile. Errors are the config's one-line ones.
 */
import type { Env } from '../base/env.js';
import { ArgumentError, ConfigError } from '../base/errors.js';
import { displayPath } from '../config/config-paths.js';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import { planIfResolves } from '../config/resolve-profile.js';
import { ssoSessionOf, usesSso, type SsoSession } from '../config/sso-session.js';
import { didYouMean } from '../config/suggest-names.js';
import { oneLine, quote } from '../log/terminal-text.js';
import { namedProfile } from '../pipeline/named-profile.js';

export interface SessionRequest {
  readonly profile?: string;
  readonly ssoSession?: string;
}

export interface NamedSsoSession {
  readonly session: SsoSession;
  /** The profile it was named by; for --sso-session, the word `rolecall sso login` takes. */
  readonly profile?: string;
  /** The environment the command reads with (the hook's region dropped for another profile). */
  readonly env: Env;
  readonly config: LoadedConfig;
}

export function namedSsoSession(processEnv: Env, request: SessionRequest): NamedSsoSession {
  if (request.profile !== undefined && request.ssoSession !== undefined) {
    throw new ArgumentError('name a profile or --sso-session NAME, not both');
  }
  if (request.ssoSession !== undefined) {
    const config = loadConfig(processEnv);
    return { session: sessionBySection(config, processEnv, request.ssoSession), env: processEnv, config };
  }
  const { profile, env } = namedProfile(processEnv, request.profile);
  const config = loadConfig(env);
  return { session: sessionOfProfile(config, env, profile), profile, env, config };
}

function sessionBySection(config: LoadedConfig, env: Env, name: string): SsoSession {
  const where = displayPath(config.paths.config, env);
  if (!config.ssoSessions.has(name)) {
    throw new ConfigError(`${where}: there is no [sso-session ${oneLine(name, 64)}] section${didYouMean(name, [...config.ssoSessions.keys()])}`);
  }
  // The section read as a profile naming it would read it, with the same errors.
  const asProfile = { name: `sso-session ${name}`, values: { sso_session: name }, origin: {}, files: ['config' as const], byFile: {} };
  return ssoSessionOf(asProfile, config.ssoSessions, (_key, message) => new ConfigError(`${where}: [sso-session ${oneLine(name, 64)}] ${message}`), (section, message) => new ConfigError(`${where}: [sso-session ${oneLine(section, 64)}] ${message}`));
}

function sessionOfProfile(config: LoadedConfig, env: Env, name: string): SsoSession {
  const where = displayPath(config.paths.config, env);
  const profile = config.profiles.get(name);
  if (!profile) throw new ConfigError(`profile ${quote(name, 64)} is not in ${where}${didYouMean(name, [...config.profiles.keys()])}`);
  if (usesSso(profile)) {
    return ssoSessionOf(
      profile,
      config.ssoSessions,
      (key, message) => new ConfigError(`${displayPath(config.paths[profile.origin[key] ?? 'config'], env)}: profile ${quote(name, 64)} ${message}`),
      (section, message) => new ConfigError(`${where}: [sso-session ${oneLine(section, 64)}] ${message}`),
    );
  }
  // A role chain over an SSO profile signs in with that profile's session.
  const plan = planIfResolves(config, name, env, false);
  if (plan?.source.kind === 'ssoRole') return plan.source.session;
  throw new ConfigError(`profile ${quote(name, 64)} does not use IAM Identity Center (it has no sso_session or sso_start_url, and its chain starts at no SSO profile)`);
}
