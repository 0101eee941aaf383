/**
 * The agent itself: one process per user (per socket directory) holding in
 * memory what commands hand it: vault entries (sessions, base keys, SSO
 * tokens) and file vaults' derived keys. It writes nothing but its socket,
 * logs nothing, and forgets everything when it exits: after its TTL without
 * a request, on `rolecall lock`, on SIGTERM/SIGINT/SIGHUP, and when its
 * socket is no longer its own (another agent replaced it, or the directory
 * went away): never two agents serving one directory for long.
 */
import { lstatSync, unlinkSync, chmodSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { ask } from './agent-client.js';
import { preparePlace, AgentPlaceError, type AgentPlace } from './agent-dir.js';
import { tryLock } from '../fs/lock-file.js';
import { join } from 'node:path';
import { encodeLine, MAX_LINE_BYTES, parseRequest, type AgentStatus, type EntrySummary, type Reply, type Request } from './agent-protocol.js';
import { ReadyStore } from './ready-store.js';

export interface ServeOptions {
  readonly place: AgentPlace;
  readonly ttlSeconds: number;
  /** Called once the socket listens. */
  readonly onListening?: () => void;
}

/** How often the agent checks that the socket at its path is still the one it listens on. */
const OWN_SOCKET_CHECK_MS = 1_000;
/** The lock file agents starting at once take turns with, beside the socket. */
const LOCK_NAME = 'agent.lock';
/** How long a starting agent waits for its turn (another's start takes milliseconds). */
const START_TURN_WAIT_MS = 5_000;
/** A client that sends nothing whole in this long is dropped. */
const CLIENT_IDLE_MS = 2_000;
/** setTimeout's ceiling: an expiry further away is checked again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;
interface Entry {
  readonly summary: EntrySummary;
  readonly value: string;
  readonly signature: string | undefined;
  readonly timer: NodeJS.Timeout | undefined;
}

/** Resolves 'already-running' when another agent answers at the socket, else when this one has ended. */
export async function serveAgent(options: ServeOptions): Promise<'ended' | 'already-running'> {
  // Everything this process creates (its socket) is the user's alone.
  process.umask(0o077);
  preparePlace(options.place);
  const agent = new Agent(options);
  return agent.run();
}

class Agent {
  private readonly entries = new Map<string, Entry>();
  private readonly keys = new Map<string, Buffer>();
  private readonly choices = new Map<string, { backend: string; fallbackReason?: string }>();
  private readonly ready = new ReadyStore();
  private readonly since = new Date();
  private server: Server | undefined;
  private socketIno: number | undefined;
  private idle: NodeJS.Timeout | undefined;
  private watch: NodeJS.Timeout | undefined;
  private ended: (() => void) | undefined;

  constructor(private readonly options: ServeOptions) {}

  async run(): Promise<'ended' | 'already-running'> {
    const server = createServer((socket) => this.serve(socket));
    this.server = server;
    if (!(await this.listen(server))) return 'already-running';
    const done = new Promise<void>((resolve) => (this.ended = resolve));
    this.touch();
    this.watch = setInterval(() => {
      if (!this.ownsSocket()) this.stop();
    }, OWN_SOCKET_CHECK_MS);
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(signal, () => this.stop());
    this.options.onListening?.();
    await done;
    return 'ended';
  }

  /**
   * Listens at the socket path, under a lock file beside it so that agents
   * starting at once take turns: the one holding it checks whether an agent
   * answers (then this one is not needed), removes a dead agent's socket
   * (one that refuses connections) and listens. Without the turns, one
   * could remove the socket another had just begun to listen on.
   */
  private async listen(server: Server): Promise<boolean> {
    const { place } = this.options;
    const lockPath = join(place.dir, LOCK_NAME);
    const deadline = Date.now() + START_TURN_WAIT_MS;
    let attempt = tryLock(lockPath);
    while (!attempt.acquired) {
      if ('reply' in (await ask(place, { op: 'ping' }))) return false;
      if (Date.now() > deadline) throw new AgentPlaceError(`another agent has been starting at ${place.socket} for ${START_TURN_WAIT_MS / 1000}s; try again`);
      await new Promise((resolve) => setTimeout(resolve, 25));
      attempt = tryLock(lockPath);
    }
    const held = attempt.acquired;
    try {
      const answer = await ask(place, { op: 'ping' });
      if ('reply' in answer) return false;
      if ('refused' in answer) throw new AgentPlaceError(answer.refused);
      if ('broken' in answer) throw new AgentPlaceError(`another process holds the agent's socket ${place.socket} and does not answer (${answer.broken}); end it, or remove the socket`);
      try {
        unlinkSync(place.socket);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(place.socket, () => {
          server.off('error', reject);
          resolve();
        });
      });
      chmodSync(place.socket, 0o600);
      this.socketIno = lstatSync(place.socket).ino;
      return true;
    } finally {
      held.release();
    }
  }

  private serve(socket: Socket): void {
    this.touch();
    socket.setEncoding('utf8');
    socket.setTimeout(CLIENT_IDLE_MS, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    let received = '';
    socket.on('data', (chunk: string) => {
      received += chunk;
      const end = received.indexOf('\n');
      if (end < 0) {
        if (received.length > MAX_LINE_BYTES) socket.destroy();
        return;
      }
      socket.removeAllListeners('data');
      const parsed = parseRequest(received.slice(0, end));
      if ('invalid' in parsed) {
        socket.end(encodeLine({ ok: false, error: parsed.invalid }));
        return;
      }
      // A ready-wait's answer comes when the command it waits for keeps one (bounded by the flight, not the idle limit); the rest at once.
      if (parsed.op === 'ready-wait') socket.setTimeout(0);
      void Promise.resolve(this.answer(parsed)).then((reply) => {
        socket.end(encodeLine(reply));
        if (parsed.op === 'lock') socket.once('close', () => this.stop());
      });
    });
  }

  private answer(request: Request): Reply | Promise<Reply> {
    switch (request.op) {
      case 'ping':
      case 'lock':
        return { ok: true, pid: process.pid };
      case 'get': {
        const name = entryKey(request);
        const entry = this.entries.get(name);
        if (!entry) return { ok: true };
        // A different signature: the file changed behind the agent's back (another process wrote or removed it).
        if (entry.signature !== request.signature || expired(entry.summary)) {
          this.drop(name);
          return { ok: true };
        }
        return { ok: true, value: entry.value };
      }
      case 'put': {
        // A new or replaced item: the answers made from its absence or its old value go.
        this.ready.forgetDependingOn(request.service, request.account);
        if (expired(request)) return { ok: true };
        const name = entryKey(request);
        this.drop(name);
        const summary: EntrySummary = {
          store: request.store,
          service: request.service,
          account: request.account,
          ...(request.profile !== undefined ? { profile: request.profile } : {}),
          ...(request.expiresAt !== undefined ? { expiresAt: request.expiresAt } : {}),
        };
        this.entries.set(name, { summary, value: request.value, signature: request.signature, timer: this.expiryTimer(name, request.expiresAt) });
        return { ok: true };
      }
      case 'drop':
        this.drop(entryKey(request));
        // Also the answers made from it while the agent did not hold it.
        this.ready.forgetDependingOn(request.service, request.account);
        return { ok: true };
      case 'key-get': {
        const key = this.keys.get(request.dir);
        return key ? { ok: true, key: key.toString('base64') } : { ok: true };
      }
      case 'key-put':
        this.keys.get(request.dir)?.fill(0);
        this.keys.set(request.dir, Buffer.from(request.key, 'base64'));
        return { ok: true };
      case 'choice-get': {
        const choice = this.choices.get(request.scope);
        return choice ? { ok: true, ...choice } : { ok: true };
      }
      case 'choice-put':
        this.choices.set(request.scope, { backend: request.backend, ...(request.fallbackReason !== undefined ? { fallbackReason: request.fallbackReason } : {}) });
        return { ok: true };
      case 'ready-get': {
        const found = this.ready.lookup(request, request.pid);
        if ('answer' in found) return { ok: true, answer: found.answer };
        return 'resolvingUntil' in found ? { ok: true, resolvingUntil: new Date(found.resolvingUntil).toISOString() } : { ok: true };
      }
      case 'ready-wait':
        return this.ready.wait(request).then((answer) => (answer !== undefined ? { ok: true, answer } : { ok: true }));
      case 'ready-put':
        this.ready.keep(request);
        return { ok: true };
      case 'ready-none':
        this.ready.none(request);
        return { ok: true };
      case 'status':
        return { ok: true, pid: process.pid, status: this.status() };
    }
  }

  private status(): AgentStatus {
    return {
      pid: process.pid,
      since: this.since.toISOString(),
      ttlSeconds: this.options.ttlSeconds,
      entries: [...this.entries.values()].map((entry) => entry.summary).filter((summary) => !expired(summary)),
      keys: [...this.keys.keys()],
      ready: this.ready.summaries(),
    };
  }

  /** Sessions go at their expiry, not when next asked for. */
  private expiryTimer(name: string, expiresAt: string | undefined): NodeJS.Timeout | undefined {
    if (expiresAt === undefined) return undefined;
    const left = Date.parse(expiresAt) - Date.now();
    const timer = setTimeout(() => {
      const entry = this.entries.get(name);
      if (!entry) return;
      if (expired(entry.summary)) this.drop(name);
      else this.entries.set(name, { ...entry, timer: this.expiryTimer(name, expiresAt) });
    }, Math.min(Math.max(left, 0), MAX_TIMER_MS));
    timer.unref();
    return timer;
  }

  /** An entry goes (dropped, replaced, expired, found changed), and the ready answers made from it with it: their secrets leave memory too. */
  private drop(name: string): void {
    const entry = this.entries.get(name);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.entries.delete(name);
    this.ready.forgetDependingOn(entry.summary.service, entry.summary.account);
  }

  /** A request restarts the TTL. */
  private touch(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.stop(), this.options.ttlSeconds * 1000);
  }

  private ownsSocket(): boolean {
    try {
      return lstatSync(this.options.place.socket).ino === this.socketIno;
    } catch {
      return false;
    }
  }

  /** Forgets everything (keys zeroed), stops listening, removes its socket if it is still its own. */
  private stop(): void {
    for (const name of [...this.entries.keys()]) this.drop(name);
    for (const key of this.keys.values()) key.fill(0);
    this.keys.clear();
    this.choices.clear();
    this.ready.clear();
    clearTimeout(this.idle);
    clearInterval(this.watch);
    if (this.ownsSocket()) {
      try {
        unlinkSync(this.options.place.socket);
      } catch {
        // Gone already: nothing to remove.
      }
    }
    this.server?.close();
    this.ended?.();
  }
}

function entryKey(name: { store: string; service: string; account: string }): string {
  return JSON.stringify([name.store, name.service, name.account]);
}

function expired(summary: { expiresAt?: string }): boolean {
  return summary.expiresAt !== undefined && Date.parse(summary.expiresAt) <= Date.now();
}
