/**
 * The one line an SDK client's failure is told in: the service's own errors
 * as "Name: message", and what the SDK says in its internals (a timeout, a
 * reset, a redirect, a bare status, a body that does not parse) in words,
 * with the number of tries; and the limits every client is given.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CredentialError } from '../../src/base/errors.js';
import { ATTEMPT_TIMEOUTS, CALL_DEADLINE_SECONDS, SDK_ATTEMPTS, sdkClientOptions, sdkErrorLine, unreachable, withinDeadline } from '../../src/config/sdk-client-options.js';

/** An error shaped as the SDK throws it. */
function sdkError(name: string, message: string, metadata: { httpStatusCode?: number; attempts?: number } = {}, extra: object = {}): Error {
  return Object.assign(new Error(message), { name, $metadata: metadata }, extra);
}

test("the service's own error: its name and the first line of its message, and how often it was tried", () => {
  assert.equal(sdkErrorLine(sdkError('Throttling', 'Rate exceeded', { httpStatusCode: 400, attempts: 3 })), 'Throttling: Rate exceeded (tried 3 times)');
  assert.equal(sdkErrorLine(sdkError('AccessDenied', 'User is not authorized\nmore', { httpStatusCode: 403, attempts: 1 })), 'AccessDenied: User is not authorized');
});

test("the SDK's internals in words: no stack, no hidden fields, no [object Object]", () => {
  const deserialization = '@aws-sdk XML parse error: unexpected content.\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.';
  assert.equal(sdkErrorLine(sdkError('Error', deserialization, { httpStatusCode: 503, attempts: 3 })), 'HTTP 503 Service Unavailable (tried 3 times)');
  assert.equal(sdkErrorLine(sdkError('Error', '@aws-sdk XML parse error: missing closing tag </A>.\n  Deserialization error: …', { httpStatusCode: 200 })), 'an answer that does not parse (XML parse error: missing closing tag </A>.)');
  assert.equal(sdkErrorLine(sdkError('Error', 'aborted\n  Deserialization error: …', { httpStatusCode: 200, attempts: 3 }, { code: 'ECONNRESET' })), 'the connection was reset before the answer was complete (tried 3 times)');
  assert.equal(
    sdkErrorLine(sdkError('Unknown', 'Unknown', { httpStatusCode: 307 }, { $response: { statusCode: 307, headers: { location: 'http://example.com/' } } })),
    'HTTP 307: a redirect to http://example.com/, which is not followed',
  );
  assert.equal(sdkErrorLine(sdkError('TimeoutError', '@smithy/node-http-handler - [ERROR] a request has exceeded the configured 10000 ms requestTimeout.', { attempts: 3 })), 'timed out after 10 s (tried 3 times)');
  assert.equal(sdkErrorLine(sdkError('TimeoutError', '@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 5000 ms.')), 'could not connect within 5 s');
  assert.equal(sdkErrorLine(new CredentialError('the answer held no credentials')), 'the answer held no credentials');
  // The SDK calls a refused or reset connect a TimeoutError too: Node's words are kept, and no name.
  assert.equal(sdkErrorLine(sdkError('TimeoutError', 'connect ECONNRESET 127.0.0.1:9', { attempts: 3 }, { code: 'ECONNRESET' })), 'connect ECONNRESET 127.0.0.1:9 (tried 3 times)');
  assert.equal(sdkErrorLine(sdkError('Error', 'connect ECONNREFUSED 127.0.0.1:9', {}, { code: 'ECONNREFUSED' })), 'connect ECONNREFUSED 127.0.0.1:9');
  assert.equal(sdkErrorLine({ toString: () => 'odd' }), 'odd');
});

test('a timeout, a reset and a refused connection are "out of reach", for the hint that says where the endpoint was looked for', () => {
  for (const line of ['timed out after 25 s', 'could not connect within 5 s', 'the connection was reset before the answer was complete', 'connect ECONNREFUSED 127.0.0.1:9']) assert.ok(unreachable(line), line);
  assert.ok(!unreachable('Throttling: Rate exceeded'));
});

test('every client is given the attempts and the per-attempt limits, and credentials only when there is a caller', () => {
  const keys = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' };
  const signed = sdkClientOptions({ region: 'eu-west-1' }, keys);
  assert.equal(signed.maxAttempts, SDK_ATTEMPTS);
  assert.deepEqual(signed.requestHandler, { ...ATTEMPT_TIMEOUTS });
  assert.equal(signed.requestHandler.throwOnRequestTimeout, true, 'without it the SDK only warns and waits on');
  assert.deepEqual(signed.credentials, keys);
  assert.equal('credentials' in sdkClientOptions({ region: 'us-east-1' }, undefined), false);
  assert.equal(sdkClientOptions({ region: 'us-east-1' }, keys, 1).maxAttempts, 1);
  // Three attempts that each time out fit in the deadline only with the deadline as a backstop: 30 s is the promise.
  assert.ok(CALL_DEADLINE_SECONDS < 30);
});

test("a caller's abort (a sign-in's Ctrl-C) reaches the call run within the deadline", async () => {
  const caller = new AbortController();
  const call = withinDeadline(
    (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })))),
    caller.signal,
  );
  caller.abort();
  await assert.rejects(call, { name: 'AbortError' });
  assert.equal(await withinDeadline(async () => 'answered'), 'answered');
});
