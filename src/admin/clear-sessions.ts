/**
 * `rolecall clear [PROFILE]`: drops cached sessions, every one, or those a
 * profile's chain is made of (its role, the roles below, the MFA session of
 * its base keys). Base keys stay.
 */
import type { Env } from '../base/env.js';
import { RolecallError } from '../base/errors.js';
import { EXIT_OK } from '../base/exit-status.js';
import { dropSessions, profilesOfChain } from '../cache/session-admin.js';
import { loadConfig } from '../config/load-config.js';
import { didYouMean } from '../config/suggest-names.js';
import { openVault } from '../pipeline/open-vault.js';
import type { Print } from './report.js';

export async function clearSessions(env: Env, request: { readonly profile?: string; readonly backend?: string }, print: Print): Promise<number> {
  const { profile } = request;
  const which = profile === undefined ? undefined : profilesOfChain(env, profile);
  const vault = await openVault(env, request.backend ? { backend: request.backend } : {});
  const dropped = await dropSessions(vault, which);
  const profiles = profile !== undefined && dropped === 0 ? loadConfig(env).profiles : undefined;
  if (profile !== undefined && profiles && !profiles.has(profile)) {
    throw new RolecallError(`profile "${profile}" is not in the config and has no cached sessions${didYouMean(profile, [...profiles.keys()])}`);
  }
  const where = profile === undefined ? '' : ` of profile "${profile}" and its chain`;
  print(`cleared ${dropped} cached session${dropped === 1 ? '' : 's'}${where} (${vault.backend} vault)`);
  return EXIT_OK;
}
