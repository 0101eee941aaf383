/**
 * Which vault to use: `--backend NAME`, else ROLECALL_BACKEND, else the OS
 * keychain when keytar loads and the keychain answers, else the encrypted
 * file, with one line saying why the keychain was not used.
 */
import type { Env } from '../base/env.js';
import { RolecallError } from '../base/errors.js';
import { debug, note } from '../log/debug-log.js';
import { agentVault } from '../agent/agent-vault.js';
import { commandAgentLink } from '../agent/agent-start.js';
import type { AgentLink } from '../agent/agent-client.js';
import { FileVault, type KeyKeeper } from '../vault/file-vault.js';
import { openKeychain } from '../vault/keychain-vault.js';
import { fileVaultDir, locksDirectory, vaultGenerationDir } from '../fs/rolecall-dirs.js';
import { passphraseFrom } from '../vault/vault-passphrase.js';
import type { Vault } from '../vault/vault.js';

export const BACKENDS = ['keychain', 'file'] as const;
export const BACKEND_VARIABLE = 'ROLECALL_BACKEND';

export interface OpenVaultOptions {
  /** --backend; wins over ROLECALL_BACKEND. */
  readonly backend?: string;
  /**
   * When the keychain is not usable and the file vault is chosen by default,
   * say why once per reason (exec and the shell hook run too often to repeat
   * it; a new reason is said again), not on every run. Commands that store
   * keys leave this off and say it each time.
   */
  readonly fallbackNoticeOnce?: boolean;
  /**
   * False for exec and the shell hook: a file vault that does not exist yet
   * is not created just to cache a session (see FileVault).
   */
  readonly createsFileVault?: boolean;
}

/**
 * The vault as exec and the shell hook open it, for keys and for the session
 * cache alike: the fallback line said once per reason, and no file vault
 * created just to cache a session.
 */
export function openSessionVault(env: Env, backend?: string): Promise<Vault> {
  return openVault(env, { fallbackNoticeOnce: true, createsFileVault: false, ...(backend ? { backend } : {}) });
}

/**
 * Opens the vault chosen for this command. Each call opens anew: a command
 * opens it once, through its CommandContext (pipeline/command-context.ts),
 * which exec's key lookup and the session cache share, so the keychain is
 * probed once and the file vault's key is derived once per command.
 *
 * With the agent (unless ROLECALL_AGENT=off) the vault asks it first and is
 * itself opened only on a miss (src/agent/agent-vault.ts); the file vault
 * takes its key from the agent and gives it the key it derives.
 */
export async function openVault(env: Env, options: OpenVaultOptions = {}): Promise<Vault> {
  const link = vaultAgentLink(env, options.backend);
  if (!link) return openDirect(env, options);
  return agentVault({ link, chosen: chosenBackend(env, options.backend) as 'keychain' | 'file' | 'auto', fileDir: fileVaultDir(env), keychainGeneration: vaultGenerationDir(env, 'keychain'), open: (keeper) => openDirect(env, options, keeper) });
}

/**
 * The agent a command's vault asks first; none under ROLECALL_AGENT=off, or
 * for a backend that does not exist (refused by openDirect, as without the agent).
 */
function vaultAgentLink(env: Env, backend?: string): AgentLink | undefined {
  const link = commandAgentLink(env);
  const chosen = chosenBackend(env, backend);
  return link && (chosen === 'auto' || chosen === 'keychain' || chosen === 'file') ? link : undefined;
}

function chosenBackend(env: Env, backend?: string): string {
  return backend || env[BACKEND_VARIABLE] || 'auto';
}

async function openDirect(env: Env, options: OpenVaultOptions, keeper?: KeyKeeper): Promise<Vault> {
  const chosen = options.backend || env[BACKEND_VARIABLE];
  if (chosen) {
    const from = options.backend ? '--backend' : BACKEND_VARIABLE;
    switch (chosen) {
      case 'keychain': {
        const keychain = await openKeychain(env, vaultGenerationDir(env, 'keychain'), locksDirectory(env));
        if ('vault' in keychain) return keychain.vault;
        throw new RolecallError(`${from} says keychain, but ${keychain.unavailable}; use --backend file, or see the README on setting up the keychain`);
      }
      case 'file':
        return openFileVault(env, undefined, options.createsFileVault, keeper);
      default:
        throw new RolecallError(`${from} is "${chosen}"; it must be one of ${BACKENDS.join(', ')}`);
    }
  }
  const keychain = await openKeychain(env, vaultGenerationDir(env, 'keychain'), locksDirectory(env));
  if ('vault' in keychain) return keychain.vault;
  const line = `not using the keychain: ${keychain.unavailable}; using the encrypted file vault (set ${BACKEND_VARIABLE}=file to choose it and silence this`;
  if (!options.fallbackNoticeOnce) note(`${line})`);
  else if (await firstTimeFor(env, keychain.unavailable)) note(`${line}; said once)`);
  else debug(`${line})`);
  return openFileVault(env, keychain.unavailable, options.createsFileVault, keeper);
}

/** Loaded only on the fallback path: a working keychain never pays for it. */
async function firstTimeFor(env: Env, reason: string): Promise<boolean> {
  const { firstTimeSaying, markerFor } = await import('../log/said-once.js');
  // A reason quotes an OS error of any length.
  return firstTimeSaying(env, 'keychain-fallback-noticed', markerFor(reason), { forgetOthers: true });
}

/** `fallbackReason`: why the keychain was not used, when the file vault was chosen by default. */
export function openFileVault(env: Env, fallbackReason?: string, createsFileVault = true, keeper?: KeyKeeper): FileVault {
  return new FileVault(fileVaultDir(env), passphraseFrom(env), env, fallbackReason, createsFileVault, keeper);
}
