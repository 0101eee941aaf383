/**
 * The credential server of `exec --server`: an HTTP server on 127.0.0.1 that
 * answers the one request every AWS SDK and the AWS CLI make of an ECS
 * container's credential endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI with
 * AWS_CONTAINER_AUTHORIZATION_TOKEN), with a session fetched at each
 * request, so a command that runs for hours outlives its first session.
 *
 * Anyone on the machine can connect to a loopback port, so the token is the
 * lock: 256 random bits, compared in constant time, checked before anything
 * else; a request without it learns nothing but 401, a wrong one 403. Only
 * GET of the one path, with no body and small headers, is answered.
 */
import { nodeCrypto } from '../base/node-crypto.js';
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorLine } from '../base/errors.js';
import type { Credentials } from '../config/credentials.js';
import { debug, note } from '../log/debug-log.js';
import { maskKeyId, registerSecret } from '../log/redact.js';
import { isoSeconds, type ServerAddress } from './child-env.js';

export const CREDENTIALS_PATH = '/rolecall/credentials';

/** Far more than an SDK's request needs (a few hundred bytes), far less than Node's 16 KiB default. */
const MAX_HEADER_BYTES = 4096;
/**
 * A client that has not sent its whole request by then is not an SDK (an SDK
 * sends it at once): it is answered 408 and closed, so that connections
 * opened and never finished (or sent a byte at a time) do not pile up.
 */
const REQUEST_TIMEOUT_MS = 5_000;
/**
 * How often Node looks for requests past that time. Its default, 30 s, let a
 * slow client hold its connection six times as long as REQUEST_TIMEOUT_MS said.
 */
const TIMEOUT_CHECK_MS = 1_000;

export interface CredentialServer extends ServerAddress {
  /** Stops listening and drops every connection; resolves when the port is free. */
  close(): Promise<void>;
}

/**
 * Starts the server; `session` is called at each authorised request (calls
 * that overlap share one), and its failure is a 500 with a line on stderr.
 */
export async function startCredentialServer(session: () => Promise<Credentials>, label: string): Promise<CredentialServer> {
  const token = nodeCrypto().randomBytes(32).toString('base64url');
  registerSecret(token);
  const expected = digest(token);
  let inFlight: Promise<Credentials> | undefined;
  const shared = (): Promise<Credentials> =>
    (inFlight ??= session().finally(() => {
      inFlight = undefined;
    }));

  // Imported here: the bundle hoists static imports of node: modules, and exec's fast path must not load node:http.
  const { createServer } = await import('node:http');
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: TIMEOUT_CHECK_MS }, (request, response) => {
    void answer(request, response, expected, shared, label);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}${CREDENTIALS_PATH}`;
  debug(`credential server for "${label}" listening on 127.0.0.1:${port}`);
  return {
    url,
    token,
    close: async () => {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
      debug('credential server closed');
    },
  };
}

async function answer(request: IncomingMessage, response: ServerResponse, expected: Buffer, session: () => Promise<Credentials>, label: string): Promise<void> {
  const given = request.headers.authorization;
  if (given === undefined) return refuse(response, 401, 'a request without the token');
  if (!nodeCrypto().timingSafeEqual(digest(given), expected)) return refuse(response, 403, 'a request with a wrong token');
  if (request.method !== 'GET') return refuse(response, 405, `a ${request.method ?? '?'} request`);
  if (request.url !== CREDENTIALS_PATH) return refuse(response, 404, 'a request for another path');
  if (request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0) {
    return refuse(response, 413, 'a request with a body');
  }
  let credentials: Credentials;
  try {
    credentials = await session();
  } catch (error) {
    note(`credential server: no session for "${label}": ${errorLine(error)}`);
    return send(response, 500, { Code: 'RolecallFailed', Message: 'rolecall could not get a session; its stderr says why' });
  }
  debug(`credential server: session ${maskKeyId(credentials.accessKeyId)} handed out, expires ${credentials.expiration?.toISOString() ?? 'never'}`);
  send(response, 200, {
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    Token: credentials.sessionToken,
    Expiration: credentials.expiration ? isoSeconds(credentials.expiration) : undefined,
  });
}

/** Equal lengths for timingSafeEqual whatever was sent, and no timing that tells how much of it matched. */
function digest(text: string): Buffer {
  return nodeCrypto().createHash('sha256').update(text).digest();
}

function refuse(response: ServerResponse, status: number, what: string): void {
  debug(`credential server: refused ${what} (${status})`);
  response.writeHead(status, { 'Content-Length': '0', 'Cache-Control': 'no-store' });
  response.end();
}

function send(response: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)), 'Cache-Control': 'no-store' });
  response.end(text);
}
