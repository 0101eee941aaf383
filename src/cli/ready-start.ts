/**
 * The first thing a plain `rolecall exec PROFILE -- CMD` or `rolecall
 * credential-process PROFILE` does, before any bundle loads: ask the agent
 * for the ready answer the same command left (agent/ready-answer.ts) and,
 * when it has one, run the child with it or print it. That is one request
 * on the agent's socket and a spawn: no config read, no pipeline, no vault.
 * Anything short of a usable answer (no agent, a miss, a slow or broken
 * agent, an unsafe socket directory) is undefined, and the command goes the
 * whole way, which says what went wrong where it should and keeps a new
 * answer for next time. entry.ts comes here only with the agent on. Nothing here prints unless the child cannot start.
 */
import type { Env } from '../base/env.js';
import { configStamps } from '../config/config-stamps.js';
import { AGENT_WAIT_MS, ask, markBroken } from '../agent/agent-client.js';
import { agentPlace } from '../agent/agent-dir.js';
import { keyedEnv, readyForm, RESOLVING_MS } from '../agent/ready-answer.js';
import { childEnvFromReady } from '../exec/child-env.js';
import { printCredentials } from './print-credentials.js';

/** The command's exit status when it was answered from a ready answer; undefined when it must go the whole way. */
export async function answerIfReady(args: readonly string[], processEnv: Env): Promise<number | undefined> {
  const form = readyForm(args);
  const env = form ? keyedEnv(processEnv) : undefined;
  if (!form || !env) return undefined;
  let place;
  try {
    place = agentPlace(processEnv);
  } catch {
    return undefined;
  }
  // Our pid: on a miss we resolve the answer, and the agent lets the same commands wait for us only while we run.
  const stamps = configStamps(processEnv).signatures;
  const asked = await ask(place, { op: 'ready-get', words: form.words, env, stamps, pid: process.pid });
  // The whole way then leaves it alone and says so, once: one bounded wait per command.
  if ('broken' in asked) markBroken(place, asked.broken);
  let reply = 'reply' in asked && asked.reply.ok ? asked.reply : undefined;
  if (reply?.resolvingUntil !== undefined) {
    // The same command is being resolved by another: its answer, once kept, is this one's. The agent
    // ends any flight within RESOLVING_MS of this request (maybe a newer one than it told of); a wait
    // that runs out is a miss, not a broken agent.
    const waited = await ask(place, { op: 'ready-wait', words: form.words, env, stamps }, RESOLVING_MS + AGENT_WAIT_MS);
    reply = 'reply' in waited && waited.reply.ok ? waited.reply : undefined;
  }
  const answer = reply?.answer;
  if (answer === undefined) return undefined;
  // A reader gone before the answer is written (EPIPE) fails as the whole way's write would: status 1 and its line.
  if (!form.command) return printCredentials(answer);
  const childEnv = childEnvFromReady(processEnv, answer);
  if (!childEnv) return undefined;
  const [command, ...rest] = form.command as [string, ...string[]];
  // node:child_process only here: credential-process has no child.
  const { runChild } = await import('../exec/run-child.js');
  const outcome = await runChild(command, rest, childEnv);
  if (outcome.startError) process.stderr.write(`rolecall: ${outcome.startError}\n`);
  return outcome.status;
}
