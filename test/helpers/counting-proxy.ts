/**
 * A counting proxy (a fake in front of the real peer): it forwards every
 * request to moto unchanged and counts each STS Action from the form body.
 * What moto cannot do is here too: hold an answer back so that concurrent
 * commands really overlap, and say when an answer went out so that a test can
 * kill rolecall while it is writing what it got.
 */
import { createServer, request, type Server } from 'node:http';
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
  stop(): Promise<void>;
}

export async function startCountingProxy(targetUrl: string): Promise<CountingProxy> {
  const target = new URL(targetUrl);
  const counts = new Map<string, number>();
  const delays = new Map<string, number>();
  const listeners = new Map<string, (() => void)[]>();
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const action = new URLSearchParams(body.toString('utf8')).get('Action') ?? new URL(incoming.url ?? '/', 'http://x').searchParams.get('Action') ?? '';
      if (action) counts.set(action, (counts.get(action) ?? 0) + 1);
      const forward = request(
        { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: target.host } },
        (response) => {
          const parts: Buffer[] = [];
          response.on('data', (chunk: Buffer) => parts.push(chunk));
          response.on('end', () => {
            setTimeout(() => {
              outgoing.writeHead(response.statusCode ?? 502, response.headers);
              outgoing.end(Buffer.concat(parts), () => {
                for (const listener of listeners.get(action) ?? []) listener();
              });
            }, delays.get(action) ?? 0);
          });
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
    },
    delay: (action, ms) => void delays.set(action, ms),
    onAnswered: (action, listener) => void listeners.set(action, [...(listeners.get(action) ?? []), listener]),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** moto with a counting proxy in front, and sandboxes whose STS is the proxy. */
export type CountingWorld = World<CountingProxy>;

export function startCountingWorld(): Promise<CountingWorld> {
  return startWorldWith(startCountingProxy);
}
