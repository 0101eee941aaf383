/**
 * A fake agent of ours: something listening on the agent's socket that
 * misbehaves as a hung, dying or foreign process would. There is no real
 * peer for a broken agent; this stands in for one, on the sandbox's socket.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createServer, type Server } from 'node:net';

export type FakeAgentFault = 'hang' | 'close-mid-reply' | 'garbage';

export interface FakeAgent {
  /** How many connections it has taken. */
  readonly connections: () => number;
  stop(): Promise<void>;
}

export async function startFakeAgent(socketPath: string, fault: FakeAgentFault): Promise<FakeAgent> {
  mkdirSync(dirname(socketPath), { recursive: true, mode: 0o700 });
  let connections = 0;
  const open = new Set<import('node:net').Socket>();
  const server: Server = createServer((socket) => {
    connections++;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', () => {
      if (fault === 'close-mid-reply') socket.end('{"ok":true,"value":"half a rep');
      else if (fault === 'garbage') socket.end('HTTP/1.1 400 Bad Request\r\n\r\n\n');
      // 'hang': reads the request and never answers, never closes.
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });
  // A socket of the user's alone, as the real agent's is: the client refuses any other before connecting.
  chmodSync(socketPath, 0o600);
  return {
    connections: () => connections,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
