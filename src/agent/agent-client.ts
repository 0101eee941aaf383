/**
 * Asking the agent, with a bounded wait: connect and a whole reply within
 * AGENT_WAIT_MS, else the command carries on without it. An agent that is
 * not there is a debug line (and, for a command that opens a vault, the cue
 * to start one); one that hangs, closes mid-reply or answers garbage is one
 * note, once per process, after which this process asks it nothing more.
 */
import { createRequire } from 'node:module';
import { errorLine } from '../base/errors.js';
import { debug, note } from '../log/debug-log.js';
import { placeProblem, type AgentPlace } from './agent-dir.js';
import { encodeLine, MAX_LINE_BYTES, parseReply, type Reply, type Request } from './agent-protocol.js';

/** Long enough for a loaded machine's agent (an answer takes well under a millisecond), short enough not to be felt. */
export const AGENT_WAIT_MS = 400;

export type Answer =
  | { readonly reply: Reply }
  /** Nothing listens there (no socket, or the socket of a dead agent). */
  | { readonly absent: string }
  /** Something listens but does not speak our protocol in time. */
  | { readonly broken: string }
  /** The directory or socket is not safe to use. */
  | { readonly refused: string };

/**
 * node:net when the first request is made: loading it (and the streams under
 * it) costs a command about 5 ms, which a command with the agent off, and a
 * credential-process that spawns nothing, need not pay.
 */
function loadNet(): typeof import('node:net') {
  return createRequire(import.meta.url)('node:net') as typeof import('node:net');
}

/** One request on one connection. Never throws. */
export function ask(place: AgentPlace, request: Request, waitMs = AGENT_WAIT_MS): Promise<Answer> {
  let problem: string | undefined;
  try {
    problem = placeProblem(place);
  } catch (error) {
    problem = `the agent's directory ${place.dir} cannot be checked (${errorLine(error)})`;
  }
  if (problem) return Promise.resolve({ refused: problem });
  return new Promise<Answer>((resolve) => {
    let settled = false;
    let received = '';
    const socket = loadNet().createConnection(place.socket);
    const finish = (answer: Answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish({ broken: `no answer within ${waitMs} ms` }), waitMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(encodeLine(request)));
    socket.on('data', (chunk: string) => {
      received += chunk;
      const end = received.indexOf('\n');
      if (end >= 0) {
        const reply = parseReply(received.slice(0, end));
        finish(reply ? { reply } : { broken: 'it answered something that is not the agent protocol' });
      } else if (received.length > MAX_LINE_BYTES) {
        finish({ broken: 'its answer is too long to be the agent protocol' });
      }
    });
    socket.on('end', () => finish({ broken: 'it closed the connection without a whole answer' }));
    socket.on('close', () => finish({ broken: 'it closed the connection without a whole answer' }));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') finish({ absent: error.code === 'ENOENT' ? 'no agent is running' : 'the socket is left from an agent that is gone' });
      else finish({ broken: errorLine(error) });
    });
  });
}

/**
 * Agents found broken by this process, by socket: a command asks a broken
 * agent once, even across the two bundles one process may run (the entry's,
 * which asks for a ready answer, and the commands'): each holds its own copy
 * of this module, so the record is kept on the process's global object.
 */
const BROKEN_KEY = Symbol.for('rolecall.brokenAgents');
const brokenAgents: Map<string, string> = ((globalThis as Record<symbol, Map<string, string> | undefined>)[BROKEN_KEY] ??= new Map());

/** Says that the agent at `place` did not answer as it should; the rest of this process leaves it alone. */
export function markBroken(place: AgentPlace, why: string): void {
  brokenAgents.set(place.socket, why);
}

/** A request whose answer does not matter, and of which nothing is said: not sent to an agent this process found broken. */
export async function tell(place: AgentPlace, request: Request): Promise<void> {
  if (brokenAgents.has(place.socket)) return;
  const answer = await ask(place, request);
  if ('broken' in answer) markBroken(place, answer.broken);
}

/**
 * One command's line to the agent. `start`, when given, starts an agent the
 * first time none is found and resolves once it answers (or gives up);
 * writes sent after that wait for it, reads do not (a new agent holds nothing).
 */
export class AgentLink {
  /** Why this process asks the agent nothing more: an unsafe place is 'refused', an agent that failed to answer 'broken'. */
  private unusable: 'refused' | 'broken' | undefined;
  private starting: Promise<boolean> | undefined;

  constructor(
    readonly place: AgentPlace,
    private readonly start?: () => Promise<boolean>,
  ) {}

  /** The agent's reply, or undefined when there is none to be had; never throws. */
  async request(request: Request): Promise<Reply | undefined> {
    const outcome = await this.exchange(request);
    return typeof outcome === 'object' ? outcome : undefined;
  }

  /**
   * Sends a change (a put or a drop after the vault changed): false when an
   * agent is there but was not told (it was broken or slow, now or earlier);
   * true when it was told, when no agent runs (none holds anything), or when
   * its place is refused (no command uses an agent there).
   */
  async deliver(request: Request): Promise<boolean> {
    const outcome = await this.exchange(request);
    return outcome !== 'undelivered' && (typeof outcome !== 'object' || outcome.ok);
  }

  private async exchange(request: Request): Promise<Reply | 'no-agent' | 'undelivered'> {
    if (this.unusable) return this.unusable === 'broken' ? 'undelivered' : 'no-agent';
    const known = brokenAgents.get(this.place.socket);
    const answer = known !== undefined ? { broken: known } : await ask(this.place, request);
    if ('reply' in answer) return answer.reply;
    if ('refused' in answer) return this.giveUp('refused', `not using the agent: ${answer.refused}`);
    if ('broken' in answer) {
      markBroken(this.place, answer.broken);
      return this.giveUp('broken', `the agent at ${this.place.socket} is not answering as it should (${answer.broken}); carrying on without it (rolecall lock, or ending its process, clears it)`);
    }
    if (!this.start) {
      debug(`agent: ${answer.absent}`);
      return 'no-agent';
    }
    if (!this.starting) {
      debug(`agent: ${answer.absent}; starting one`);
      this.starting = this.start();
    }
    // A new agent holds nothing: only a put is worth waiting for it.
    if (!request.op.endsWith('put')) return 'no-agent';
    if (!(await this.starting)) return 'no-agent';
    const again = await ask(this.place, request);
    return 'reply' in again ? again.reply : 'no-agent';
  }

  private giveUp(why: 'refused' | 'broken', line: string): 'no-agent' | 'undelivered' {
    this.unusable = why;
    note(line);
    return why === 'broken' ? 'undelivered' : 'no-agent';
  }
}
