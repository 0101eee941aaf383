/**
 * The profile a command names and the environment it reads it with, one
 * rule for every command that gets a session (exec, export,
 * credential-process, login, rotate): the profile defaults to AWS_PROFILE,
 * else default; and in a directory whose .awsprofile the shell hook follows,
 * AWS_REGION is the region of that profile, put there by the hook, not a
 * choice of the user's, so a command for another profile uses that
 * profile's own region, as it would elsewhere.
 */
import type { Env } from '../base/env.js';

export interface NamedProfile {
  readonly profile: string;
  /** The process's environment, less the hook's region when the profile is not the hook's. */
  readonly env: Env;
}

export function namedProfile(processEnv: Env, named: string | undefined): NamedProfile {
  const profile = named ?? (processEnv.AWS_PROFILE || 'default');
  return { profile, env: withoutHookRegion(processEnv, profile) };
}

function withoutHookRegion(env: Env, profile: string): Env {
  const hookRegion = env.ROLECALL_SHELL_HOOK_REGION;
  if (!env.ROLECALL_SHELL_HOOK || env.ROLECALL_SHELL_HOOK === profile || !hookRegion) return env;
  const kept = { ...env };
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) if (kept[name] === hookRegion) delete kept[name];
  return kept;
}
