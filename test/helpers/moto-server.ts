/**
 * moto's server on a free loopback port: the STS (and instance metadata)
 * peer of the end-to-end tests. One per test file; stopped in `after`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { runProcess } from './sandbox.js';

export interface MotoServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'motoadmin', AWS_SECRET_ACCESS_KEY: 'motoadmin' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited: ${stderr.slice(-500)}`);
    try {
      const response = await fetch(`${url}/moto-api/`);
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not start on ${url}: ${stderr.slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * The AWS CLI as moto's administrator, straight at moto (not through a
 * test's proxy): to set up IAM users and keys, and read them back. Its JSON
 * answer, parsed ({} for none).
 */
export async function motoAdmin(moto: MotoServer, args: readonly string[]): Promise<Record<string, any>> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !/^AWS_/.test(key)) env[key] = value;
  const result = await runProcess('aws', [...args, '--output', 'json'], {
    env: { ...env, AWS_ACCESS_KEY_ID: 'motoadmin', AWS_SECRET_ACCESS_KEY: 'motoadmin', AWS_DEFAULT_REGION: 'us-east-1', AWS_ENDPOINT_URL: moto.url },
  });
  if (result.status !== 0) throw new Error(`aws ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout.trim() || '{}') as Record<string, any>;
}

/**
 * One call of IAM's query API at moto, as its administrator: what the AWS
 * CLI would send, without its 3 s of start on a loaded machine (moto reads
 * whose call it is from the Authorization header; it checks no signature).
 */
export async function motoIam(motoUrl: string, action: string, params: Record<string, string>): Promise<string> {
  const response = await fetch(motoUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=motoadmin/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0' },
    body: new URLSearchParams({ Action: action, Version: '2010-05-08', ...params }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`IAM ${action}: ${response.status} ${text}`);
  return text;
}

/** The access key ids IAM (moto) holds for `user`, sorted. */
export async function accessKeyIdsOf(motoUrl: string, user: string): Promise<string[]> {
  const listed = await motoIam(motoUrl, 'ListAccessKeys', { UserName: user });
  return [...listed.matchAll(/<AccessKeyId>([^<]+)<\/AccessKeyId>/g)].map((m) => m[1] as string).sort();
}
