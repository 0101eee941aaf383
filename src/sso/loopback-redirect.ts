/**
 * The PKCE flow's redirect target: a one-shot HTTP server on 127.0.0.1 (a
 * port of the system's choosing, the path /oauth/callback), which takes the
 * first request to that path, checks its `state`, answers the browser with a
 * short page, and hands the code back. Loopback only: nothing off the
 * machine can reach it. node:http is imported here, in the function, so the
 * exec bundle does not load it on paths that never sign in.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RolecallError } from '../base/errors.js';
import { debug } from '../log/debug-log.js';
import { CALLBACK_PATH, codeFromRedirect } from './pkce.js';

export interface LoopbackRedirect {
  /** http://127.0.0.1:PORT/oauth/callback */
  readonly redirectUri: string;
  /** The code of the first redirect with this login's state; refused (rejected) on any other. */
  readonly code: Promise<string>;
  close(): void;
}

const DONE_PAGE = '<!doctype html><title>rolecall</title><p>Signed in to IAM Identity Center. You can close this tab and go back to the terminal.</p>';
const REFUSED_PAGE = '<!doctype html><title>rolecall</title><p>rolecall refused this sign-in. Go back to the terminal.</p>';

export async function openLoopbackRedirect(expectedState: string): Promise<LoopbackRedirect> {
  const { createServer } = await import('node:http');
  let settle: { resolve: (code: string) => void; reject: (error: unknown) => void } | undefined;
  const code = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  // A caller that gives up first (Ctrl-C, a timeout) leaves this unawaited: not an unhandled rejection.
  code.catch(() => undefined);
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method !== 'GET' || url.pathname !== CALLBACK_PATH) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    try {
      const got = codeFromRedirect(url.searchParams, expectedState);
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' }).end(DONE_PAGE);
      debug('the sign-in redirect came back with this login\'s state');
      settle?.resolve(got);
    } catch (error) {
      response.writeHead(400, { 'content-type': 'text/html; charset=utf-8', connection: 'close' }).end(REFUSED_PAGE);
      settle?.reject(error);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new RolecallError(`cannot listen on 127.0.0.1 for the sign-in redirect (${error.code ?? error.message}); try --use-device-code`)));
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
