/**
 * What `rolecall agent` and `rolecall lock` do, each returning the lines a
 * command prints: start one in the background, run one in place, say what a
 * running one holds (names and expiries, never a value), make it forget.
 */
import type { Env } from '../base/env.js';
import { RolecallError } from '../base/errors.js';
import { ask } from './agent-client.js';
import { agentPlace, type AgentPlace } from './agent-dir.js';
import type { AgentStatus, EntrySummary } from './agent-protocol.js';
import { serveAgent } from './agent-server.js';
import { AGENT_VARIABLE, agentEnabled, agentTtlSeconds } from './agent-settings.js';
import { spawnAgent, waitForAgent } from './agent-start.js';
import { KEYS_SERVICE, SESSIONS_SERVICE } from '../vault/vault.js';
import { terminalSafe } from '../log/terminal-text.js';
import { displayPath } from '../config/config-paths.js';

/** `rolecall agent`: one running in the background, started unless one already was. */
export async function startAgentInBackground(env: Env): Promise<string> {
  if (!agentEnabled(env)) throw new RolecallError(`${AGENT_VARIABLE}=off: no agent is started; unset it to use one`);
  const ttl = agentTtlSeconds(env);
  const place = agentPlace(env);
  const running = await reachable(place);
  if (running !== undefined) return `the agent is already running (pid ${running}) at ${place.socket}`;
  if (spawnAgent(env) === undefined || !(await waitForAgent(place))) throw new RolecallError(`the agent did not start at ${place.socket}; \`rolecall agent --foreground\` shows why`);
  const pid = await reachable(place);
  return `started the agent (pid ${pid ?? '?'}) at ${place.socket}; it exits after ${ttl}s without a request, or at \`rolecall lock\``;
}

/** `rolecall agent --foreground`: runs until its TTL, `rolecall lock` or a signal; says nothing unless it cannot start. */
export async function runAgentInPlace(env: Env): Promise<void> {
  if (!agentEnabled(env)) throw new RolecallError(`${AGENT_VARIABLE}=off: no agent is started; unset it to use one`);
  await serveAgent({ place: agentPlace(env), ttlSeconds: agentTtlSeconds(env) });
}

/** `rolecall agent --status`. */
export async function agentStatusLines(env: Env): Promise<string[]> {
  const place = agentPlace(env);
  const answer = await ask(place, { op: 'status' });
  if ('refused' in answer) throw new RolecallError(answer.refused);
  if ('absent' in answer) return [`agent:    not running (${answer.absent}; socket ${place.socket})`];
  if ('broken' in answer) throw new RolecallError(`the agent at ${place.socket} is not answering as it should (${answer.broken})`);
  const status = answer.reply.ok ? answer.reply.status : undefined;
  if (!status) throw new RolecallError(`the agent at ${place.socket} did not send its status`);
  return statusLines(status, place, env);
}

/** `rolecall lock`: the agent forgets everything and exits. */
export async function lockAgent(env: Env): Promise<string> {
  const place = agentPlace(env);
  const answer = await ask(place, { op: 'lock' });
  if ('refused' in answer) throw new RolecallError(answer.refused);
  if ('absent' in answer) return `no agent was running (${place.socket})`;
  if ('broken' in answer) throw new RolecallError(`the agent at ${place.socket} is not answering as it should (${answer.broken}); end its process to clear it`);
  return `the agent (pid ${answer.reply.ok ? (answer.reply.pid ?? '?') : '?'}) forgot what it held and exited`;
}

async function reachable(place: AgentPlace): Promise<number | undefined> {
  const answer = await ask(place, { op: 'ping' });
  if ('refused' in answer) throw new RolecallError(answer.refused);
  return 'reply' in answer && answer.reply.ok ? (answer.reply.pid ?? 0) : undefined;
}

function statusLines(status: AgentStatus, place: AgentPlace, env: Env): string[] {
  const lines = [
    `agent:    running (pid ${status.pid}, since ${status.since}; exits after ${status.ttlSeconds}s without a request)`,
    `socket:   ${place.socket}`,
    `unlocked: ${status.keys.length ? status.keys.map((dir) => `the file vault ${displayPath(dir, env)}`).join(', ') : 'no file vault'}`,
  ];
  const kinds: Array<[string, string]> = [
    [KEYS_SERVICE, 'keys'],
    [SESSIONS_SERVICE, 'sessions'],
  ];
  for (const [service, title] of kinds) {
    const held = status.entries.filter((entry) => entry.service === service);
    lines.push(`${`${title}:`.padEnd(10)}${held.length ? '' : 'none'}`);
    for (const entry of held) lines.push(`  ${entryLine(entry, env)}`);
  }
  const others = status.entries.filter((entry) => entry.service !== KEYS_SERVICE && entry.service !== SESSIONS_SERVICE);
  if (others.length) lines.push('other:');
  for (const entry of others) lines.push(`  ${entry.service}: ${entryLine(entry, env)}`);
  const ready = status.ready ?? [];
  lines.push(`${'ready:'.padEnd(10)}${ready.length ? '' : 'none'}`);
  for (const answer of ready) lines.push(terminalSafe(`  ${answer.words.join(' ')}, served ${answer.served} ${answer.served === 1 ? 'time' : 'times'}, until ${answer.until}`));
  return lines;
}

function entryLine(entry: EntrySummary, env: Env): string {
  const where = entry.store.startsWith('file:') ? `file vault ${displayPath(entry.store.slice('file:'.length), env)}` : entry.store;
  const profile = entry.profile !== undefined ? `profile ${entry.profile}` : entry.account;
  return terminalSafe(`${profile}${entry.service === SESSIONS_SERVICE ? ` (${entry.account})` : ''}${entry.expiresAt ? `, expires ${entry.expiresAt}` : ''} [${where}]`);
}
