/**
 * What rolecall gives every AWS SDK client it makes (STS, IAM): the region,
 * the endpoint when one is configured, the caller's credentials, and no
 * credential lookup of the SDK's own (it would read ~/.aws on its own terms).
 */
import type { Credentials } from './credentials.js';

export interface ServiceTarget {
  readonly region: string;
  readonly endpoint?: string;
}

/** "Name: the first line of the message" of an SDK client's error, as a one-line report shows it. */
export function sdkErrorLine(error: unknown): string {
  const e = error as { name?: string; message?: string };
  const name = e.name && e.name !== 'Error' ? `${e.name}: ` : '';
  return `${name}${(e.message ?? String(error)).split('\n')[0] ?? ''}`;
}

/**
 * The IAM Identity Center clients' (OIDC, portal) limits on one attempt: 10 s
 * to connect, 30 s for the answer. A sign-in waits on CreateToken with Ctrl-C
 * its only other way out, and an exec on the portal: neither should hang on
 * an endpoint that accepts and never answers. (STS keeps the SDK's defaults.)
 */
export const IDENTITY_CENTER_TIMEOUTS = { connectionTimeout: 10_000, requestTimeout: 30_000 } as const;

export function sdkClientOptions(target: ServiceTarget, caller: Credentials, maxAttempts: number) {
  // The SDK warns on stderr about Node 20 at its first call; rolecall's output
  // must not carry it, and engines in package.json already says what we support.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return {
    region: target.region,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    credentials: {
      accessKeyId: caller.accessKeyId,
      secretAccessKey: caller.secretAccessKey,
      ...(caller.sessionToken ? { sessionToken: caller.sessionToken } : {}),
    },
    maxAttempts,
  };
}
