/**
 * What rolecall gives every AWS SDK client it makes (STS, IAM, the IAM
 * Identity Center portal and OIDC): the region, the endpoint when one is
 * configured, the caller's credentials (none for Identity Center, whose
 * calls carry a token), and no credential lookup of the SDK's own (it would
 * read ~/.aws on its own terms); how long a call may take and how often it
 * is tried; and the one line its failure is told in.
 */
import { RolecallError } from '../base/errors.js';
import type { Credentials } from './credentials.js';

export interface ServiceTarget {
  readonly region: string;
  readonly endpoint?: string;
}

/**
 * Tries of one call, with the SDK's standard retry strategy (exponential
 * backoff with jitter) between them, for what it deems retryable: 5xx,
 * throttling, a reset connection, an attempt timed out. IAM alone makes one
 * (iam/iam-client.ts says why).
 */
export const SDK_ATTEMPTS = 3;

/**
 * The limits on one attempt: 5 s to connect, 10 s for the whole answer
 * (throwOnRequestTimeout: without it the SDK only warns on the console and
 * waits on). An endpoint that accepts and never answers is given up on, and
 * tried again.
 */
export const ATTEMPT_TIMEOUTS = { connectionTimeout: 5_000, requestTimeout: 10_000, throwOnRequestTimeout: true } as const;

/**
 * The whole of one call, its retries and their backoff included: a step
 * (AssumeRole, GetRoleCredentials, CreateToken) ends within this, so a
 * command that calls AWS ends within 30 s of starting however slowly an
 * endpoint answers (a reply after 20 s fails every attempt of 10 s).
 */
export const CALL_DEADLINE_SECONDS = 25;

export function sdkClientOptions(target: ServiceTarget, caller: Credentials | undefined, maxAttempts = SDK_ATTEMPTS) {
  // The SDK warns on stderr about Node 20 at its first call; rolecall's output
  // must not carry it, and engines in package.json already says what we support.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return {
    region: target.region,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    ...(caller
      ? {
          credentials: {
            accessKeyId: caller.accessKeyId,
            secretAccessKey: caller.secretAccessKey,
            ...(caller.sessionToken ? { sessionToken: caller.sessionToken } : {}),
          },
        }
      : {}),
    maxAttempts,
    requestHandler: { ...ATTEMPT_TIMEOUTS },
  };
}

/** A call that ran past CALL_DEADLINE_SECONDS. */
class CallDeadlineError extends Error {
  override readonly name = 'CallDeadlineError';
  constructor(readonly seconds: number) {
    super(`timed out after ${seconds} s`);
  }
}

/**
 * Runs one SDK call (`send` with the signal to hand to `client.send`) within
 * CALL_DEADLINE_SECONDS: past it the request is aborted and the call fails
 * at once, even inside the SDK's backoff. `abortSignal`: the caller's own
 * (a sign-in's Ctrl-C), which aborts it too.
 */
export async function withinDeadline<T>(send: (abortSignal: AbortSignal) => Promise<T>, abortSignal?: AbortSignal): Promise<T> {
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort(abortSignal?.reason);
  if (abortSignal?.aborted) onCallerAbort();
  abortSignal?.addEventListener('abort', onCallerAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const late = new CallDeadlineError(CALL_DEADLINE_SECONDS);
      controller.abort(late);
      reject(late);
    }, CALL_DEADLINE_SECONDS * 1000);
  });
  try {
    return await Promise.race([send(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
    abortSignal?.removeEventListener('abort', onCallerAbort);
  }
}

/** The statuses met in front of a service (node:http's table would load node:http on exec's path). */
const STATUS_TEXTS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

interface SdkError {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly attempts?: number };
  readonly $response?: { readonly headers?: Readonly<Record<string, string | undefined>> };
}

/**
 * An SDK client's error as the one line a report shows: "Name: the first line
 * of the message" for the service's own errors, and plain words for what the
 * SDK says in its internals (a timeout, a reset, an answer that does not
 * parse, a redirect, a bare HTTP status), with how many times it was tried.
 */
export function sdkErrorLine(error: unknown): string {
  const e = (error ?? {}) as SdkError;
  const attempts = e.$metadata?.attempts ?? 1;
  return `${described(e, error)}${attempts > 1 ? ` (tried ${attempts} times)` : ''}`;
}

function described(e: SdkError, error: unknown): string {
  const firstLine = (e.message ?? String(error)).split('\n')[0] ?? '';
  if (error instanceof RolecallError || error instanceof CallDeadlineError) return firstLine;
  const status = e.$metadata?.httpStatusCode;
  // The SDK names every ECONNRESET, EPIPE and ETIMEDOUT a TimeoutError: its own timeouts are told by their messages.
  if (/exceeded the configured \d+ ms requestTimeout/.test(firstLine)) return `timed out after ${ATTEMPT_TIMEOUTS.requestTimeout / 1000} s`;
  if (/did not establish a connection/.test(firstLine)) return `could not connect within ${ATTEMPT_TIMEOUTS.connectionTimeout / 1000} s`;
  // Node's own words for a connection that failed: "connect ECONNREFUSED 127.0.0.1:443", "getaddrinfo ENOTFOUND host".
  if (/^(connect|getaddrinfo|read|write) E[A-Z_]+/.test(firstLine)) return firstLine;
  // Node's words for a connection that closed mid-reply: "aborted", "socket hang up".
  if (e.code === 'ECONNRESET' || /^(aborted|socket hang up)$/.test(firstLine)) return 'the connection was reset before the answer was complete';
  if (status !== undefined && status >= 300 && status < 400) {
    const location = e.$response?.headers?.location;
    return `HTTP ${status}: a redirect${location ? ` to ${location}` : ''}, which is not followed`;
  }
  const unparsed = /Deserialization error|XML parse error|Unexpected token|JSON/.test(e.message ?? '');
  const json = /Unexpected token|JSON/.test(e.message ?? '');
  if (status !== undefined && status >= 400 && (unparsed || e.name === 'Unknown' || e.name === 'UnknownError')) {
    return `HTTP ${status}${STATUS_TEXTS[status] ? ` ${STATUS_TEXTS[status]}` : ''}`;
  }
  // JSON.parse quotes the start of what it was given: an HTML page's, which is not for the line.
  if (unparsed) return json ? 'an answer that does not parse as JSON' : `an answer that does not parse (${firstLine.replace(/^@aws-sdk /, '')})`;
  const name = e.name && e.name !== 'Error' ? `${e.name}: ` : '';
  return `${name}${firstLine}`;
}

/**
 * Whether an error line (sdkErrorLine's) says something other than the
 * service answered: a bare HTTP status, a redirect, a body that does not
 * parse, or one that parses with nothing in it (an HTML page read as XML).
 */
export function notTheService(line: string): boolean {
  return /XML parse error|Deserialization error|does not parse|held no credentials|^HTTP [345]\d\d(?! Too Many)/.test(line);
}

/**
 * Whether an error line (sdkErrorLine's) says a request may have reached the
 * service and its answer was lost (a timeout or a reset after connecting): a
 * call that creates something may then have created it.
 */
export function answerMayBeLost(line: string): boolean {
  return /timed out after|connection was reset|socket hang up|ECONNRESET/i.test(line);
}

/** Whether an error line (sdkErrorLine's) says the endpoint was out of reach, for the hint that says where it was looked for. */
export function unreachable(line: string): boolean {
  return /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|ECONNRESET|socket hang up|timed out after|could not connect within|connection was reset/i.test(line);
}
