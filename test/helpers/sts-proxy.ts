/**
 * A recording proxy of our own in front of moto (a fake in front of the real
 * peer): it forwards every request unchanged and keeps, per STS call, the
 * Action, its form parameters, and the key id and region the request was
 * signed with. Tests use it to see what rolecall asked STS for (a
 * DurationSeconds, an ExternalId, whether a TokenCode went on
 * GetSessionToken or on AssumeRole) and how many calls of each Action.
 *
 * What moto cannot do is here too: hold an answer back for a while so that
 * concurrent commands really overlap, hold it until the test lets it go (to
 * kill rolecall while it waits for STS), say when an answer went out (to
 * kill rolecall while it stores what it got), and refuse a call as STS
 * would (AccessDenied).
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
  /** Every STS call since the last reset, in the order they came. */
  readonly calls: StsCall[];
  count(action: string): number;
  /** How many calls of each Action. */
  counts(): Readonly<Record<string, number>>;
  /** Forgets the calls, and every delay, hold, refusal and listener. */
  reset(): void;
  /** Holds every answer to `action` back for `ms` before sending it. */
  delay(action: string, ms: number): void;
  /** Called each time an answer to `action` has been sent. */
  onAnswered(action: string, listener: () => void): void;
  /** Holds every answer to `action` until the returned function is called. */
  hold(action: string): () => void;
  /**
   * Answers `action` with STS's AccessDenied error instead of asking moto;
   * with `as`, with another error (InvalidClientTokenId: a key IAM has not
   * spread yet), for the next `times` calls only when given.
   */
  refuse(action: string, as?: { readonly code?: string; readonly times?: number }): void;
  stop(): Promise<void>;
}

export async function startStsProxy(targetUrl: string): Promise<StsProxy> {
  const target = new URL(targetUrl);
  const calls: StsCall[] = [];
  const delays = new Map<string, number>();
  const listeners = new Map<string, (() => void)[]>();
  const gates = new Map<string, Promise<void>>();
  const refused = new Map<string, { code: string; left: number }>();
  const server: Server = createServer((incoming, outgoing) => {
    collect(incoming).then((body) => {
      const action = record(incoming, body, calls);
      const answer = (status: number, headers: Record<string, string | string[] | undefined>, payload: Buffer) => {
        const send = () =>
          outgoing.writeHead(status, headers).end(payload, () => {
            for (const listener of listeners.get(action) ?? []) listener();
          });
        setTimeout(() => void (gates.get(action) ?? Promise.resolve()).then(send), delays.get(action) ?? 0);
      };
      const refusal = refused.get(action);
      if (refusal && refusal.left > 0) {
        refusal.left--;
        answer(403, { 'content-type': 'text/xml' }, Buffer.from(refusalOf(action, refusal.code)));
        return;
      }
      const forward = request(
        { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: target.host } },
        (response) => collect(response).then((payload) => answer(response.statusCode ?? 502, response.headers, payload), () => outgoing.destroy()),
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
    counts: () => {
      const counts: Record<string, number> = {};
      for (const { action } of calls) counts[action] = (counts[action] ?? 0) + 1;
      return counts;
    },
    reset: () => {
      calls.length = 0;
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
    refuse: (action, as = {}) => void refused.set(action, { code: as.code ?? 'AccessDenied', left: as.times ?? Infinity }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function collect(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Keeps the STS call a request makes, if it makes one; its Action, or '' when it names none. */
function record(incoming: IncomingMessage, body: Buffer, calls: StsCall[]): string {
  const params = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
  const query = Object.fromEntries(new URL(incoming.url ?? '/', 'http://x').searchParams);
  const all = { ...query, ...params };
  const action = all.Action;
  if (!action) return '';
  const auth = String(incoming.headers.authorization ?? '');
  const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\//.exec(auth);
  calls.push({ action, params: all, signedWith: scope?.[1] ?? '', region: scope?.[2] ?? '' });
  return action;
}

/** What STS answers a caller that may not make the call, or whose key it does not know (an awsQuery error document). */
function refusalOf(action: string, code: string): string {
  const message = code === 'AccessDenied' ? `User is not authorized to perform: sts:${action}` : 'The security token included in the request is invalid.';
  return (
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code>` +
    `<Message>${message}</Message></Error><RequestId>c0ffee00-0000-4000-8000-000000000000</RequestId></ErrorResponse>`
  );
}
