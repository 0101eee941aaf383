/**
 * The PKCE flow's redirect target: an HTTP server on 127.0.0.1 (a port of
 * the system's choosing, the path /oauth/callback) that waits for the
 * redirect carrying this login's `state`, answers the browser with a short
 * page, and hands the code back. Loopback only, yet any local process (or a
 * page in the browser) can reach the port: a request it cannot parse, or one
 * without this login's state, is answered 400 and the wait goes on, so none
 * can end or spoil the sign-in; only this login's state settles it (its code,
 * or its `error=`). Once settled, the server stops listening and a late
 * request is told the sign-in is over. node:http is imported here, in the
 * function, so the exec bundle does not load it on paths that never sign in.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { RolecallError } from '../base/errors.js';
import { debug } from '../log/debug-log.js';
import { CALLBACK_PATH, codeFromRedirect } from './pkce.js';

export interface LoopbackRedirect {
  /** http://127.0.0.1:PORT/oauth/callback */
  readonly redirectUri: string;
  /** The code of the redirect with this login's state; rejected when that redirect carries an error instead. */
  readonly code: Promise<string>;
  close(): void;
}

const page = (text: string) => `<!doctype html><title>rolecall</title><p>${text}</p>`;
const DONE_PAGE = page('Signed in to IAM Identity Center. You can close this tab and go back to the terminal.');
const REFUSED_PAGE = page('rolecall refused this sign-in. Go back to the terminal.');
const NOT_THIS_LOGIN_PAGE = page('This is not the redirect of the sign-in rolecall is waiting for: ignored.');
const OVER_PAGE = page('This sign-in is over. Go back to the terminal.');

/** `deviceCodeHint`: how the command that signs in offers a device code instead, for when no port can be had. */
export async function openLoopbackRedirect(expectedState: string, deviceCodeHint: string): Promise<LoopbackRedirect> {
  const { createServer } = await import('node:http');
  let settled = false;
  let settle: { resolve: (code: string) => void; reject: (error: unknown) => void } | undefined;
  const code = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  // A caller that gives up first (Ctrl-C, a timeout) leaves this unawaited: not an unhandled rejection.
  code.catch(() => undefined);

  const answer = (response: ServerResponse, status: number, body: string) => {
    response.writeHead(status, { 'content-type': status === 404 ? 'text/plain' : 'text/html; charset=utf-8', connection: 'close' }).end(body);
  };
  const finish = (outcome: () => void) => {
    settled = true;
    outcome();
    // No new connection once the outcome is known; those open get OVER_PAGE.
    server.close();
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    try {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      if (request.method !== 'GET' || url.pathname !== CALLBACK_PATH) return answer(response, 404, 'not found\n');
      if (settled) return answer(response, 409, OVER_PAGE);
      let got: string | undefined;
      try {
        got = codeFromRedirect(url.searchParams, expectedState);
      } catch (error) {
        answer(response, 400, REFUSED_PAGE);
        finish(() => settle?.reject(error));
        return;
      }
      if (got === undefined) {
        // Not this login's redirect (no state, or another): its code is never exchanged, and the wait goes on.
        debug('a request to the sign-in redirect without this login\'s state: refused, still waiting');
        return answer(response, 400, NOT_THIS_LOGIN_PAGE);
      }
      answer(response, 200, DONE_PAGE);
      debug('the sign-in redirect came back with this login\'s state');
      const theCode = got;
      finish(() => settle?.resolve(theCode));
    } catch {
      // A request line new URL() cannot read (`GET //[`): a bad request, not the end of the sign-in.
      if (!response.headersSent) answer(response, 400, 'bad request\n');
      else response.destroy();
    }
  });
  // Bytes that are not HTTP at all: answered 400 on that connection only.
  server.on('clientError', (_error: Error, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new RolecallError(`cannot listen on 127.0.0.1 for the sign-in redirect (${error.code ?? error.message}); ${deviceCodeHint} signs in with a device code instead`)));
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    redirectUri: `http://127.0.0.1:${port}${CALLBACK_PATH}`,
    code,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
