/**
 * The real parts the end-to-end tests run against (docs/ARCHITECTURE.md). A missing peer
 * skips its tests with a reason on a developer's machine and fails them
 * under CI=true, where .ci/run must have installed it.
 */
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

const found = new Map<string, boolean>();

export function hasCommand(command: string): boolean {
  if (!found.has(command)) {
    found.set(command, spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0);
  }
  return found.get(command) as boolean;
}

export const underCi = process.env.CI === 'true';

/**
 * Returns true when the test may go on. Without the peer: under CI the test
 * fails; elsewhere it is skipped with the reason.
 */
export function requirePeer(t: TestContext, available: boolean, reason: string): boolean {
  if (available) return true;
  if (underCi) throw new Error(`missing test peer under CI: ${reason}`);
  t.skip(reason);
  return false;
}

export function requireCommands(t: TestContext, ...commands: string[]): boolean {
  const missing = commands.filter((c) => !hasCommand(c));
  return requirePeer(t, missing.length === 0, `not on this machine: ${missing.join(', ')}`);
}
