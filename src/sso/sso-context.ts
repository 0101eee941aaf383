/**
 * What the sso layer needs of a command, handed down by the pipeline (which
 * sits above and cannot be imported here): the environment its settings
 * and endpoints come from, the environment helper processes inherit, and
 * the command's vault, opened at its first use and shared.
 */
import type { Env } from '../base/env.js';
import type { Vault } from '../vault/vault.js';

export interface SsoContext {
  readonly env: Env;
  readonly processEnv: Env;
  readonly vault: () => Promise<Vault>;
  /** The clock tokens are judged by; tests give their own. */
  readonly now?: () => number;
}

export function nowOf(context: SsoContext): number {
  return context.now?.() ?? Date.now();
}
