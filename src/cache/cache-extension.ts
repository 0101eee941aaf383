/** Wraps each STS step in the session cache (filled in by the cache work). */
import type { Env } from '../config/config-paths.js';
import type { ProviderContext } from '../credentials/build-provider.js';

export async function cacheExtension(_env: Env): Promise<Pick<ProviderContext, 'wrapStep'>> {
  return {};
}
