/**
 * A proxy of our own (a fake) on 127.0.0.1 in front of a real upstream:
 * moto for STS and IAM, or the fake Identity Center for the portal and OIDC
 * APIs. It forwards every request unchanged and keeps, per request, its
 * Action (an STS or IAM call) or its path (a portal or OIDC call), its
 * parameters, and the key id and region it was signed with. Tests use it to
 * see what rolecall asked for (a DurationSeconds, an ExternalId, whether a
 * TokenCode went on GetSessionToken or on AssumeRole) and how many requests
 * of each, so that retries can be seen to happen and to be bounded.
 *
 * What the upstream cannot do is here too: hold an answer back for a while
 * (so that concurrent commands really overlap), hold it until the test lets
 * it go (to kill rolecall while it waits), say when an answer went out, and
 * answer with a fault instead of the upstream, switchable while it runs and
 * optionally only for some of the requests (so that a retry can succeed):
 * the service's own errors (AccessDenied, Throttling), 500 and 503, a reply
 * that comes late or never, a connection reset halfway through the reply, a body
 * that does not parse, an HTML page, a redirect to plain http. And a network
 * that is gone: while `downFile` exists, every connection is reset as it
 * opens (a file, not a method, so that a script in the shell under test
 * brings the network back at its own step, as a user who reconnects would).
 * A closed port needs no proxy: it is a port nobody listens on.
 */
import { existsSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';

export interface ProxiedCall {
  /** The STS or IAM Action, or for the JSON APIs the path (`/federation/credentials`, `/token`). */
  readonly action: string;
  readonly params: Readonly<Record<string, string>>;
  /** Access key id from the SigV4 Authorization header ('' when unsigned). */
  readonly signedWith: string;
  /** Region from the SigV4 credential scope. */
  readonly region: string;
  /** When it came (Date.now()). */
  readonly at: number;
}

/** What the proxy answers instead of the upstream. */
export type Fault =
  /** The service's own error: STS's XML error document (403 AccessDenied by default). */
  | { readonly kind: 'error'; readonly code?: string; readonly status?: number }
  /** Throttling as the service says it: STS's `Throttling` (400, XML), the JSON APIs' TooManyRequestsException (429). */
  | { readonly kind: 'throttle' }
  /** A bare 500 or 503 from something in front of the service, with a short text body. */
  | { readonly kind: 'status'; readonly status: 500 | 502 | 503 }
  /** The upstream's answer, after `ms`. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** No answer at all, and the upstream never asked: the request stalls until the client gives up or the proxy stops. */
  | { readonly kind: 'hang' }
  /** The upstream's status and headers and half its body, then a TCP reset. */
  | { readonly kind: 'reset' }
  /** 200 with a body cut short: XML for STS, JSON for the others. */
  | { readonly kind: 'garbage' }
  /** 200 with an HTML page, as a captive portal or a wrong endpoint answers. */
  | { readonly kind: 'html' }
  /** A redirect to a plain-http URL (this proxy's `/redirected`, so that following it would show in `calls`). */
  | { readonly kind: 'redirect'; readonly status: 302 | 307 };

export interface FaultOptions {
  /** Requests that match and pass untouched first (1: the second matching request is the first to get the fault). */
  readonly skip?: number;
  /** How many matching requests get the fault; every one after `skip` when not given. */
  readonly times?: number;
}

export interface FaultProxy {
  readonly url: string;
  /** Every request since the last reset, in the order they came. */
  readonly calls: ProxiedCall[];
  /** Requests of one Action or path. */
  count(action: string): number;
  /** How many requests of each Action or path. */
  counts(): Readonly<Record<string, number>>;
  /** Forgets the calls, and every fault, delay, hold and listener. */
  reset(): void;
  /** Answers requests of `action` (an Action, a path, or '*' for every request) with `fault`, replacing any fault set for it before. */
  fault(action: string, fault: Fault, options?: FaultOptions): void;
  /** Stops answering `action` with a fault. */
  clearFault(action: string): void;
  /** Holds every answer to `action` back for `ms` before sending it. */
  delay(action: string, ms: number): void;
  /** Called each time an answer to `action` has been sent. */
  onAnswered(action: string, listener: () => void): void;
  /** Holds every answer to `action` until the returned function is called. */
  hold(action: string): () => void;
  /**
   * Answers `action` with STS's AccessDenied error instead of asking the
   * upstream; with `as`, with another error (InvalidClientTokenId: a key IAM
   * has not spread yet), for the next `times` calls only when given.
   */
  refuse(action: string, as?: { readonly code?: string; readonly times?: number }): void;
  stop(): Promise<void>;
}

export interface FaultProxyOptions {
  /** While this file exists, every connection is reset as it opens: the network is down. */
  readonly downFile?: string;
}

interface ArmedFault {
  readonly fault: Fault;
  skip: number;
  left: number;
}

export async function startFaultProxy(upstreamUrl: string, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  const calls: ProxiedCall[] = [];
  const delays = new Map<string, number>();
  const listeners = new Map<string, (() => void)[]>();
  const gates = new Map<string, Promise<void>>();
  const faults = new Map<string, ArmedFault>();
  const open = new Set<Socket>();
  let selfUrl = '';

  const server: Server = createServer((incoming, outgoing) => {
    collect(incoming).then((body) => {
      const call = record(incoming, body);
      calls.push(call);
      const action = call.action;
      const style: Style = call.params.Action ? 'xml' : 'json';
      const answer = (status: number, headers: Record<string, string | string[] | undefined>, payload: Buffer) => {
        const send = () =>
          outgoing.writeHead(status, headers).end(payload, () => {
            for (const listener of listeners.get(action) ?? []) listener();
          });
        setTimeout(() => void (gates.get(action) ?? Promise.resolve()).then(send), delays.get(action) ?? 0);
      };
      const fault = armedFor(faults, action);
      if (fault?.kind === 'hang') return;
      if (fault && fault.kind !== 'delay' && fault.kind !== 'reset') {
        const reply = faultReply(fault, action, style, `${selfUrl}/redirected`);
        answer(reply.status, reply.headers, Buffer.from(reply.body));
        return;
      }
      const forward = request(
        { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: upstream.host } },
        (response) =>
          collect(response).then((payload) => {
            if (fault?.kind === 'reset') return resetHalfway(outgoing, response, payload);
            const pass = () => answer(response.statusCode ?? 502, response.headers, payload);
            if (fault?.kind === 'delay') setTimeout(pass, fault.ms);
            else pass();
          }, () => outgoing.destroy()),
      );
      forward.on('error', () => {
        outgoing.writeHead(502);
        outgoing.end();
      });
      forward.end(body);
    }, () => outgoing.destroy());
  });
  // Connections are taken by a TCP server first, so that one can be reset before HTTP reads a byte of it.
  const listener = createTcpServer((socket: Socket) => {
    if (options.downFile && existsSync(options.downFile)) {
      socket.resetAndDestroy();
      return;
    }
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    server.emit('connection', socket);
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const address = listener.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  selfUrl = `http://127.0.0.1:${port}`;
  const fault = (action: string, what: Fault, given: FaultOptions = {}) =>
    void faults.set(action, { fault: what, skip: given.skip ?? 0, left: given.times ?? Infinity });
  return {
    url: selfUrl,
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
      faults.clear();
    },
    fault,
    clearFault: (action) => void faults.delete(action),
    delay: (action, ms) => void delays.set(action, ms),
    onAnswered: (action, listener) => void listeners.set(action, [...(listeners.get(action) ?? []), listener]),
    hold: (action) => {
      let release = () => {};
      gates.set(action, new Promise<void>((resolve) => (release = resolve)));
      return () => release();
    },
    refuse: (action, as = {}) => fault(action, { kind: 'error', code: as.code ?? 'AccessDenied' }, as.times === undefined ? {} : { times: as.times }),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.closeAllConnections();
        listener.close(() => resolve());
      }),
  };
}

type Style = 'xml' | 'json';

/** The fault a request of `action` gets now, if any; counts it against the fault's skip and times. */
function armedFor(faults: Map<string, ArmedFault>, action: string): Fault | undefined {
  const armed = faults.get(action) ?? faults.get('*');
  if (!armed) return undefined;
  if (armed.skip > 0) {
    armed.skip--;
    return undefined;
  }
  if (armed.left <= 0) return undefined;
  armed.left--;
  return armed.fault;
}

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

function faultReply(fault: Exclude<Fault, { kind: 'delay' | 'reset' | 'hang' }>, action: string, style: Style, redirectTo: string): Reply {
  switch (fault.kind) {
    case 'error':
      return { status: fault.status ?? 403, headers: { 'content-type': 'text/xml' }, body: stsError(fault.code ?? 'AccessDenied', messageOf(fault.code ?? 'AccessDenied', action)) };
    case 'throttle':
      return style === 'xml'
        ? { status: 400, headers: { 'content-type': 'text/xml' }, body: stsError('Throttling', 'Rate exceeded') }
        : { status: 429, headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' }, body: JSON.stringify({ message: 'Rate exceeded' }) };
    case 'status':
      return { status: fault.status, headers: { 'content-type': 'text/plain' }, body: fault.status === 503 ? 'Service Unavailable' : 'Internal Server Error' };
    case 'garbage':
      return style === 'xml'
        ? { status: 200, headers: { 'content-type': 'text/xml' }, body: `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${action}Result><Credentials><AccessKeyId>ASIA` }
        : { status: 200, headers: { 'content-type': 'application/json' }, body: '{"roleCredentials": {"accessKeyId": "ASIA' };
    case 'html':
      return { status: 200, headers: { 'content-type': 'text/html' }, body: '<!DOCTYPE html>\n<html><head><title>Sign in to the network</title></head>\n<body><h1>Welcome</h1><p>Accept the terms to go on.</p></body></html>\n' };
    case 'redirect':
      return { status: fault.status, headers: { location: redirectTo, 'content-type': 'text/html' }, body: `<html><body>Moved to <a href="${redirectTo}">here</a></body></html>` };
  }
}

/** The upstream's status and headers and half its body; then the connection is reset, as a dropped link leaves a reply. */
function resetHalfway(outgoing: ServerResponse, response: IncomingMessage, payload: Buffer): void {
  const { 'transfer-encoding': _chunked, ...headers } = response.headers;
  outgoing.writeHead(response.statusCode ?? 200, { ...headers, 'content-length': String(payload.length) });
  outgoing.write(payload.subarray(0, Math.floor(payload.length / 2)), () => {
    setTimeout(() => outgoing.socket?.resetAndDestroy(), 50);
  });
}

function collect(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** The call a request makes: its Action when it names one, else its path. */
function record(incoming: IncomingMessage, body: Buffer): ProxiedCall {
  const url = new URL(incoming.url ?? '/', 'http://x');
  const form = /x-www-form-urlencoded/.test(String(incoming.headers['content-type'] ?? '')) ? Object.fromEntries(new URLSearchParams(body.toString('utf8'))) : {};
  const all: Record<string, string> = { ...Object.fromEntries(url.searchParams), ...form };
  const auth = String(incoming.headers.authorization ?? '');
  const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\//.exec(auth);
  return { action: all.Action ?? url.pathname, params: all, signedWith: scope?.[1] ?? '', region: scope?.[2] ?? '', at: Date.now() };
}

function messageOf(code: string, action: string): string {
  if (code === 'AccessDenied') return `User is not authorized to perform: sts:${action}`;
  if (code === 'InvalidClientTokenId') return 'The security token included in the request is invalid.';
  return code;
}

/** An awsQuery error document, as STS and IAM send one. */
function stsError(code: string, message: string): string {
  return (
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code>` +
    `<Message>${message}</Message></Error><RequestId>c0ffee00-0000-4000-8000-000000000000</RequestId></ErrorResponse>`
  );
}
