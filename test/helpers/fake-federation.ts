/**
 * A fake of the AWS federation endpoint (https://signin.aws.amazon.com/federation),
 * ours, on loopback: no real peer stands in for it. It answers
 * Action=getSigninToken with a fresh random SigninToken and keeps what each
 * request sent (SessionDuration, the session's credentials), so a test can
 * check what rolecall asked for and which token the URL it made carries.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';

export interface SigninTokenRequest {
  readonly sessionDuration?: string;
  readonly session: { readonly sessionId?: string; readonly sessionKey?: string; readonly sessionToken?: string };
  /** The token answered. */
  readonly token: string;
}

export interface FakeFederation {
  /** The base URL, for AWS_ENDPOINT_URL_SIGNIN. */
  readonly url: string;
  readonly requests: SigninTokenRequest[];
  stop(): Promise<void>;
}

export async function startFakeFederation(): Promise<FakeFederation> {
  const requests: SigninTokenRequest[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const url = new URL(incoming.url ?? '/', 'http://fake');
    const params = url.searchParams;
    if (url.pathname !== '/federation' || params.get('Action') !== 'getSigninToken') {
      outgoing.writeHead(400, { 'content-type': 'text/plain' }).end('not a getSigninToken request');
      return;
    }
    let session: SigninTokenRequest['session'];
    try {
      session = JSON.parse(params.get('Session') ?? '') as SigninTokenRequest['session'];
    } catch {
      outgoing.writeHead(400).end('Session is not JSON');
      return;
    }
    const token = randomBytes(48).toString('base64url');
    const duration = params.get('SessionDuration');
    requests.push({ ...(duration !== null ? { sessionDuration: duration } : {}), session, token });
    outgoing.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ SigninToken: token }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
