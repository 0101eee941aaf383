/**
 * A fake for what no real peer does on demand: the network going away and
 * coming back. It relays TCP to a real server (the STS proxy in front of
 * moto) except while a "down" file exists, when it resets each connection at
 * once, as a dropped network does. A file, not a method, so that a script in
 * the shell under test brings the network back at its own step, as a user
 * who reconnects would.
 */
import { existsSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface NetworkSwitch {
  /** Where clients connect instead of the target. */
  readonly url: string;
  stop(): Promise<void>;
}

export async function startNetworkSwitch(targetUrl: string, downFile: string): Promise<NetworkSwitch> {
  const target = new URL(targetUrl);
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (existsSync(downFile)) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
