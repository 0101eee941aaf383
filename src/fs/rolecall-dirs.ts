/**
 * The directories rolecall keeps files in, one home for each:
 * - data ($XDG_DATA_HOME/rolecall): what must be remembered and is not a
 *   cache: the trust records of `.awsprofile` files and the file vault;
 * - cache ($XDG_CACHE_HOME/rolecall/locks): lock files and failure records
 *   (a pid, a start time, a one-line reason; never a secret), where every
 *   rolecall of the user sees them; and ($XDG_CACHE_HOME/rolecall/compile-cache)
 *   V8's compiled code of rolecall's own bundles (Node's cache on 22 and
 *   later, cli/bundle-loader.ts's on Node 20);
 * - state ($XDG_STATE_HOME/rolecall/TOPIC): the markers of notices said once,
 *   and (vault-generation/BACKEND) the markers each write to an item of a
 *   vault with no file per item (the keychain) changes, for the agent;
 * - runtime ($XDG_RUNTIME_DIR/rolecall, else $XDG_STATE_HOME/rolecall/agent):
 *   the agent's socket, in a directory of the user's alone.
 */
import { isAbsolute, join } from 'node:path';
import type { Env } from '../base/env.js';
import { xdgHome } from './xdg-home.js';

export function rolecallDataDir(env: Env): string {
  return join(xdgHome(env, 'XDG_DATA_HOME'), 'rolecall');
}

export function fileVaultDir(env: Env): string {
  return join(rolecallDataDir(env), 'vault');
}

export function locksDirectory(env: Env): string {
  return join(xdgHome(env, 'XDG_CACHE_HOME'), 'rolecall', 'locks');
}

export function compileCacheDir(env: Env): string {
  return join(xdgHome(env, 'XDG_CACHE_HOME'), 'rolecall', 'compile-cache');
}

export function noticeDir(env: Env, topic: string): string {
  return join(xdgHome(env, 'XDG_STATE_HOME'), 'rolecall', topic);
}

/** The generation markers of a vault whose items have no file of their own (vault/vault-generation.ts). */
export function vaultGenerationDir(env: Env, backend: string): string {
  return join(xdgHome(env, 'XDG_STATE_HOME'), 'rolecall', 'vault-generation', backend);
}

/**
 * Where the agent's socket lives. XDG_RUNTIME_DIR is the user's own, gone at
 * logout (what a socket to secrets in memory wants); without it (cron, a
 * container), a directory under the state home, never a shared /tmp.
 */
export function agentSocketDir(env: Env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  return runtime && isAbsolute(runtime) ? join(runtime, 'rolecall') : join(xdgHome(env, 'XDG_STATE_HOME'), 'rolecall', 'agent');
}

/**
 * The directories above the agent's that must be the user's alone, top
 * first: XDG_RUNTIME_DIR, or the state home and its rolecall directory.
 * Whoever can write in one of them can move the agent's directory away
 * and put one of theirs in its place (`su` without `-` keeps the user's
 * XDG_RUNTIME_DIR: root's agent directory would sit in the user's).
 */
export function agentSocketParents(env: Env): string[] {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && isAbsolute(runtime)) return [runtime];
  const state = xdgHome(env, 'XDG_STATE_HOME');
  return [state, join(state, 'rolecall')];
}
