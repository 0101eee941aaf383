/**
 * Shared by the agent's end-to-end tests: a sandbox with the agent on (the
 * sandbox turns it off for every other test), the agent processes started in
 * one sandbox (found by their argv and their XDG_RUNTIME_DIR in
 * /proc/PID/environ, so other tests' agents never count), and a wait for
 * them to come and go.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { stopAgent, type Sandbox } from '../helpers/sandbox.js';

export const AGENT_ON = { ROLECALL_AGENT: 'on' } as const;

export function socketOf(box: Sandbox): string {
  return join(box.env.XDG_RUNTIME_DIR as string, 'rolecall', 'agent.sock');
}

/** The pids of the agents running for `box` (`rolecall agent --foreground` with its runtime dir). */
export function agentPids(box: Sandbox): number[] {
  const pids: number[] = [];
  const runtime = `XDG_RUNTIME_DIR=${box.env.XDG_RUNTIME_DIR}`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!(argv.includes('agent') && argv.includes('--foreground'))) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(runtime)) pids.push(Number(entry));
    } catch {
      // gone already
    }
  }
  return pids.sort();
}

/** Waits until `box` has `count` agents; returns their pids, or throws after `ms`. */
export async function waitForAgents(box: Sandbox, count: number, ms = 10_000): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const pids = agentPids(box);
    if (pids.length === count) return pids;
    if (Date.now() > deadline) throw new Error(`expected ${count} agent(s) for ${box.home}, found ${pids.length}: ${pids.join(' ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Stops, after the tests of the file, the agents of every sandbox named (their cleanup does too; this is for sandboxes kept to the end). */
export function stopAgentsAfter(boxes: () => Sandbox[]): void {
  after(() => {
    for (const box of boxes()) stopAgent(box.env);
  });
}
