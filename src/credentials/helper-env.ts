/** What a helper process rolecall runs (mfa_process, credential_process) gets of its environment. */
import type { Env } from '../base/env.js';

/**
 * rolecall's own secrets in the environment (the file vault's passphrase):
 * never passed on to a child, an mfa_process or a credential_process.
 */
export const ROLECALL_SECRETS = ['ROLECALL_FILE_PASSPHRASE'] as const;

/** The environment for a helper process rolecall runs (mfa_process, credential_process). */
export function helperEnv(parent: Env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(parent)) {
    if (value !== undefined && !(ROLECALL_SECRETS as readonly string[]).includes(key)) env[key] = value;
  }
  return env;
}
