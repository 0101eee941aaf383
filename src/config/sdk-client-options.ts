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
