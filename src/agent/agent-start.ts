/**
 * Starting an agent in the background: `rolecall agent --foreground` run by
 * the same node and the same rolecall script, detached into its own session,
 * stdio on /dev/null, in /, with an environment of only what places its
 * socket and sets its TTL. Nothing secret goes in its argv or environment:
 * what it holds it is handed over the socket, by the commands that unlock.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env } from '../base/env.js';
import { errorLine } from '../base/errors.js';
import { debug } from '../log/debug-log.js';
import { AgentLink, ask } from './agent-client.js';
import { agentPlace, type AgentPlace } from './agent-dir.js';
import { AGENT_TTL_VARIABLE, agentEnabled, agentTtlSeconds } from './agent-settings.js';

/** What an agent needs to find its socket and know its TTL; the rest of the user's environment stays out. */
const PASSED_VARIABLES = ['HOME', 'XDG_RUNTIME_DIR', 'XDG_STATE_HOME', AGENT_TTL_VARIABLE, 'PATH', 'LANG'];
/** How long a starting command waits for its new agent before it stops handing it things. */
const READY_WAIT_MS = 2_000;

/** The pid of the agent process started, or undefined when it could not be. */
export function spawnAgent(env: Env): number | undefined {
  const script = rolecallEntry();
  if (!script) {
    debug('agent: not started: no rolecall entry script beside this code');
    return undefined;
  }
  const agentEnv: Record<string, string> = {};
  for (const name of PASSED_VARIABLES) {
    const value = env[name];
    if (value !== undefined) agentEnv[name] = value;
  }
  try {
    // Required here, not imported: a bundle hoists imports to its top, and credential-process on an agent hit runs no child.
    const { spawn } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
    const child = spawn(process.execPath, [script, 'agent', '--foreground'], { detached: true, stdio: 'ignore', cwd: '/', env: agentEnv });
    child.on('error', (error) => debug(`agent: could not be started (${errorLine(error)})`));
    child.unref();
    return child.pid;
  } catch (error) {
    debug(`agent: could not be started (${errorLine(error)})`);
    return undefined;
  }
}

/**
 * The rolecall entry beside this code: dist/rolecall.cjs for the bundles
 * (dist/commands.cjs and dist/main.js sit beside it), cli/entry.js in the
 * unbundled build. Not
 * process.argv[1]: under a test runner or a wrapper script that is not
 * rolecall, and `SCRIPT agent --foreground` would run something else.
 */
function rolecallEntry(): string | undefined {
  // The CommonJS bundles are built with import.meta.url defined as __filename: a path, not a URL.
  const self = import.meta.url;
  const here = dirname(self.startsWith('file:') ? fileURLToPath(self) : self);
  for (const candidate of [join(here, 'rolecall.cjs'), join(here, '..', 'cli', 'entry.js')]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** True once an agent answers at `place`, false after `waitMs` without one. */
export async function waitForAgent(place: AgentPlace, waitMs = READY_WAIT_MS): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const answer = await ask(place, { op: 'ping' });
    if ('reply' in answer) return true;
    if ('refused' in answer || Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts an agent and waits until it (or one another command started at the same moment) answers. */
export async function startAgent(env: Env, place: AgentPlace): Promise<boolean> {
  const pid = spawnAgent(env);
  if (pid === undefined) return false;
  const ready = await waitForAgent(place);
  debug(ready ? `agent: started (pid ${pid})` : `agent: started (pid ${pid}) but not answering after ${READY_WAIT_MS} ms`);
  return ready;
}

const links = new Map<string, AgentLink>();

/**
 * The line to the agent of a command that opens a vault, which starts an
 * agent when none runs; undefined under ROLECALL_AGENT=off. One per socket
 * in a process, so a broken agent is noted once however often it is asked.
 */
export function commandAgentLink(env: Env): AgentLink | undefined {
  if (!agentEnabled(env)) return undefined;
  // Checked here too: a malformed TTL is an error at the command that would start the agent.
  agentTtlSeconds(env);
  const place = agentPlace(env);
  let link = links.get(place.socket);
  if (!link) {
    link = new AgentLink(place, () => startAgent(env, place));
    links.set(place.socket, link);
  }
  return link;
}
