/**
 * A counting proxy (a fake in front of the real peer): it forwards every
 * request to moto unchanged and counts each STS Action from the form body.
 * What moto cannot do is here too: hold an answer back so that concurrent
 * commands really overlap, and say when an answer went out so that a test can
 * kill rolecall while it is writing what it got, hold answers until a test
 * lets them go, and refuse a call as STS would (AccessDenied).
 */
import { createServer, request, type Server } from 'node:http';
import { after, before, beforeEach } from 'node:test';
import type { Sandbox } from './sandbox.js';
import { startWorldWith, type World } from './sts-world.js';

export interface CountingProxy {
  readonly url: string;
  count(action: string): number;
  counts(): Readonly<Record<string, number>>;
  reset(): void;
  /** Holds every answer to `action` back for `ms` before sending it. */
  delay(action: string, ms: number): void;
  /** Called each time an answer to `action` has been sent. */
  onAnswered(action: string, listener: () => void): void;
  /** Holds every answer to `action` until the returned function is called. */
  hold(action: string): () => void;
  /** Answers `action` with STS's AccessDenied error instead of asking moto. */
  refuse(action: string): void;
  stop(): Promise<void>;
}

export async function startCountingProxy(targetUrl: string): Promise<CountingProxy> {
  const target = new URL(targetUrl);
  const counts = new Map<string, number>();
  const delays = new Map<string, number>();
  const listeners = new Map<string, (() => void)[]>();
  const gates = new Map<string, Promise<void>>();
  const refused = new Set<string>();
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const action = new URLSearchParams(body.toString('utf8')).get('Action') ?? new URL(incoming.url ?? '/', 'http://x').searchParams.get('Action') ?? '';
      if (action) counts.set(action, (counts.get(action) ?? 0) + 1);
      const answer = (status: number, headers: Record<string, string | string[] | undefined>, payload: Buffer) => {
        const send = () =>
          outgoing.writeHead(status, headers).end(payload, () => {
            for (const listener of listeners.get(action) ?? []) listener();
          });
        setTimeout(() => void (gates.get(action) ?? Promise.resolve()).then(send), delays.get(action) ?? 0);
      };
      if (refused.has(action)) {
        answer(403, { 'content-type': 'text/xml' }, Buffer.from(accessDenied(action)));
        return;
      }
      const forward = request(
        { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: target.host } },
        (response) => {
          const parts: Buffer[] = [];
          response.on('data', (chunk: Buffer) => parts.push(chunk));
          response.on('end', () => answer(response.statusCode ?? 502, response.headers, Buffer.concat(parts)));
        },
      );
      forward.on('error', () => {
        outgoing.writeHead(502);
        outgoing.end();
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    count: (action) => counts.get(action) ?? 0,
    counts: () => Object.fromEntries(counts),
    reset: () => {
      counts.clear();
      delays.clear();
      listeners.clear();
      gates.clear();
      refused.clear();
    },
    delay: (action, ms) => void delays.set(action, ms),
    onAnswered: (action, listener) => void listeners.set(action, [...(listeners.get(action) ?? []), listener]),
    hold: (action) => {
      let release = () => {};
      gates.set(action, new Promise<void>((resolve) => (release = resolve)));
      return () => release();
    },
    refuse: (action) => void refused.add(action),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What STS answers a caller that may not make the call (an awsQuery error document). */
function accessDenied(action: string): string {
  return (
    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code>' +
    `<Message>User is not authorized to perform: sts:${action}</Message></Error><RequestId>c0ffee00-0000-4000-8000-000000000000</RequestId></ErrorResponse>`
  );
}

/** moto with a counting proxy in front, and sandboxes whose STS is the proxy. */
export type CountingWorld = World<CountingProxy>;

export function startCountingWorld(): Promise<CountingWorld> {
  return startWorldWith(startCountingProxy);
}

/**
 * For a describe block whose tests each start from an empty HOME: one world
 * for the block, a fresh sandbox (prepared by `prepare`) and zeroed counts
 * before each test. Call it in the describe callback; read the getters in tests.
 */
export function countingWorldPerTest(prepare: (box: Sandbox) => void, env: Record<string, string> = {}): { readonly world: CountingWorld; readonly box: Sandbox } {
  let world: CountingWorld | undefined;
  let box: Sandbox | undefined;
  before(async () => {
    world = await startCountingWorld();
  });
  after(async () => world?.stop());
  beforeEach(() => {
    if (!world) return;
    world.proxy.reset();
    box = world.sandbox(env);
    prepare(box);
  });
  return {
    get world() {
      if (!world) throw new Error('the counting world has not started');
      return world;
    },
    get box() {
      if (!box) throw new Error('no sandbox yet: read it inside a test');
      return box;
    },
  };
}

/** Keys profile "base" and roles over it (name -> role name), all in eu-west-1, with extra lines for every role. */
export function rolesOverBase(roles: Record<string, string>, roleLines = ''): string {
  const sections = Object.entries(roles).map(
    ([profile, role]) => `[profile ${profile}]\nrole_arn = arn:aws:iam::123456789012:role/${role}\nsource_profile = base\nregion = eu-west-1\n${roleLines}`,
  );
  return ['[profile base]\nregion = eu-west-1\n', ...sections].join('\n');
}
