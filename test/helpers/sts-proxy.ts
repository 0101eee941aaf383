/**
 * A recording proxy of our own in front of moto: it forwards every request
 * unchanged and keeps, per STS call, the Action, its form parameters, and
 * the key id and region the request was signed with. Tests use it to see
 * what rolecall asked STS for (a DurationSeconds, an ExternalId, whether a
 * TokenCode went on GetSessionToken or on AssumeRole) and how many calls.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';

export interface StsCall {
  readonly action: string;
  readonly params: Readonly<Record<string, string>>;
  /** Access key id from the SigV4 Authorization header. */
  readonly signedWith: string;
  /** Region from the SigV4 credential scope. */
  readonly region: string;
}

export interface StsProxy {
  readonly url: string;
  readonly calls: StsCall[];
  count(action: string): number;
  reset(): void;
  stop(): Promise<void>;
}

export async function startStsProxy(targetUrl: string): Promise<StsProxy> {
  const target = new URL(targetUrl);
  const calls: StsCall[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    collect(incoming).then((body) => {
      record(incoming, body, calls);
      const forward = request(
        { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: target.host } },
        (response) => {
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
        },
      );
      forward.on('error', () => {
        outgoing.writeHead(502);
        outgoing.end();
      });
      forward.end(body);
    }, () => outgoing.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    count: (action) => calls.filter((c) => c.action === action).length,
    reset: () => {
      calls.length = 0;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function collect(incoming: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (c: Buffer) => chunks.push(c));
    incoming.on('end', () => resolve(Buffer.concat(chunks)));
    incoming.on('error', reject);
  });
}

function record(incoming: IncomingMessage, body: Buffer, calls: StsCall[]): void {
  const params = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
  const query = Object.fromEntries(new URL(incoming.url ?? '/', 'http://x').searchParams);
  const all = { ...query, ...params };
  const action = all.Action;
  if (!action) return;
  const auth = String(incoming.headers.authorization ?? '');
  const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\//.exec(auth);
  calls.push({ action, params: all, signedWith: scope?.[1] ?? '', region: scope?.[2] ?? '' });
}
