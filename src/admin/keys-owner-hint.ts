/** Naming the profile whose keys a role profile uses, for the commands about keys. */
import type { Env } from '../base/env.js';
import type { LoadedConfig } from '../config/load-config.js';
import { planIfResolves } from '../config/resolve-profile.js';

/**
 * `rolecall remove ROLE-PROFILE` (or `rotate`) is a natural slip: the keys
 * belong to the profile at the bottom of its chain, so name that one.
 * Nothing when the chain cannot be resolved (its own error is exec's to give).
 */
export function keysOwnerHint(env: Env, config: LoadedConfig, profile: string, command: 'remove' | 'rotate'): string {
  const source = planIfResolves(config, profile, env, false)?.source;
  if (source?.kind !== 'profileKeys' || source.profile === profile) return '';
  return `; it is a role over the keys of profile "${source.profile}": \`rolecall ${command} ${source.profile}\` ${command === 'remove' ? 'deletes' : 'rotates'} those`;
}
