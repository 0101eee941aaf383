/** Where exec looks up a profile's base keys: the vault first (filled in by the vault work). */
import type { Env } from '../config/config-paths.js';
import type { ProviderContext } from '../credentials/build-provider.js';

export async function vaultExtension(_env: Env): Promise<Pick<ProviderContext, 'lookupVault'>> {
  return {};
}
