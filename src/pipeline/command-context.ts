/**
 * What one command runs with, made once by the command layer and handed down
 * the pipeline: the environment (process.env is read only above this), the
 * vault (opened at its first use, then shared by the key lookup
 * and the session cache), the cache's settings and the MFA code given on the
 * command line. Nothing below the pipeline keeps state of its own across
 * commands.
 */
import type { Env } from '../base/env.js';
import type { CacheSettings } from '../cache/cached-session-provider.js';
import { lockTimeoutChosen, lockTimeoutSeconds, minTtlSeconds } from '../cache/cache-settings.js';
import { SessionStore } from '../cache/session-store.js';
import type { MfaCodeSource } from '../credentials/mfa-code.js';
import { locksDirectory } from '../fs/rolecall-dirs.js';
import type { SsoContext } from '../sso/sso-context.js';
import type { Vault } from '../vault/vault.js';
import { openSessionVault } from './open-vault.js';

export interface CommandContext {
  /** What rolecall reads its settings from (exec takes the shell hook's region out of it). */
  readonly env: Env;
  /** What mfa_process and credential_process inherit (less rolecall's own secrets): the environment rolecall was started with. */
  readonly processEnv: Env;
  /** The vault, opened at the first call; every later call gets the same one. */
  readonly vault: () => Promise<Vault>;
  readonly cache: CacheSettings;
  /** Where MFA codes come from; the environment mfa_process runs with is `processEnv`. */
  readonly mfa: Omit<MfaCodeSource, 'env'>;
}

export interface ContextOptions {
  /** --backend, when the command has one. */
  readonly backend?: string;
  /** --mfa-token, already checked. */
  readonly mfaToken?: string;
  /** How to give an MFA code when there is no terminal, when the command's way is not exec's. */
  readonly mfaWithoutTerminal?: string;
  /**
   * The environment rolecall was started with, which mfa_process and
   * credential_process inherit (less rolecall's own secrets); `env` when absent.
   */
  readonly processEnv?: Env;
  /** Tests give their own vault and clock; a command opens the chosen backend. */
  readonly openVault?: () => Promise<Vault>;
  readonly now?: () => number;
}

/**
 * The context for a command whose sessions must have at least `seconds` of
 * life left when served (the console's minimum, exec --server's): a cached
 * one with less is refreshed, as under a larger ROLECALL_MIN_TTL.
 */
export function withMinimumLife(context: CommandContext, seconds: number): CommandContext {
  return { ...context, cache: { ...context.cache, minTtlMs: Math.max(context.cache.minTtlMs, seconds * 1000) } };
}

/** Reads the cache's settings from `env` at once, so a malformed ROLECALL_MIN_TTL is an error before any work. */
export function commandContext(env: Env, options: ContextOptions = {}): CommandContext {
  const open = options.openVault ?? (() => openSessionVault(env, options.backend));
  let opened: Promise<Vault> | undefined;
  const vault = (): Promise<Vault> => (opened ??= open());
  const now = options.now ?? Date.now;
  const processEnv = options.processEnv ?? env;
  return {
    env,
    processEnv,
    vault,
    cache: {
      store: new SessionStore(vault, now, env),
      minTtlMs: minTtlSeconds(env) * 1000,
      lockTimeoutMs: lockTimeoutSeconds(env) * 1000,
      lockTimeoutChosen: lockTimeoutChosen(env),
      locksDirectory: locksDirectory(env),
      now,
    },
    mfa: { ...(options.mfaToken ? { given: options.mfaToken } : {}), ...(options.mfaWithoutTerminal ? { withoutTerminal: options.mfaWithoutTerminal } : {}) },
  };
}

/** What the sso layer (below the pipeline) is handed of a command: its environments, its vault, its clock. */
export function ssoContextOf(context: CommandContext): SsoContext {
  return { env: context.env, processEnv: context.processEnv, vault: context.vault, ...(context.cache.now ? { now: context.cache.now } : {}) };
}
