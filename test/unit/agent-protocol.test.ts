import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeLine, parseReply, parseRequest } from '../../src/agent/agent-protocol.js';

const KEY = Buffer.alloc(32, 7).toString('base64');

test('every request survives a round trip through its line', () => {
  const requests = [
    { op: 'ping' },
    { op: 'get', store: 'file:/v', service: 'rolecall', account: 'base', signature: '1:2:3:4' },
    { op: 'get', store: 'keychain', service: 'rolecall', account: 'base' },
    { op: 'put', store: 'keychain', service: 'rolecall-sessions', account: 'a@b', value: '{"x":1}', profile: 'admin', expiresAt: '2030-01-01T00:00:00.000Z' },
    { op: 'drop', store: 'keychain', service: 's', account: 'a' },
    { op: 'key-get', dir: '/v' },
    { op: 'key-put', dir: '/v', key: KEY },
    { op: 'choice-get', scope: '/v' },
    { op: 'choice-put', scope: '/v', backend: 'file', fallbackReason: 'no bus' },
    { op: 'status' },
    { op: 'lock' },
  ] as const;
  for (const request of requests) assert.deepEqual(parseRequest(encodeLine(request).trimEnd()), request);
});

test('a malformed request is named, never half-used', () => {
  for (const [line, why] of [
    ['not json', /not a JSON object/],
    ['[1,2]', /not a JSON object/],
    ['null', /not a JSON object/],
    ['{"op":"fly"}', /unknown op "fly"/],
    ['{"op":"get","store":"keychain","service":"s"}', /malformed get/],
    ['{"op":"get","store":"","service":"s","account":"a"}', /malformed get/],
    ['{"op":"put","store":"k","service":"s","account":"a"}', /malformed put/],
    ['{"op":"put","store":"k","service":"s","account":"a","value":"v","expiresAt":"soon"}', /malformed put/],
    ['{"op":"key-put","dir":"/v","key":"c2hvcnQ="}', /malformed key-put/],
    ['{"op":"choice-put","scope":"/v","backend":"memory"}', /malformed choice-put/],
  ] as const) {
    const parsed = parseRequest(line);
    assert.ok('invalid' in parsed, line);
    assert.match(parsed.invalid, why, line);
  }
});

test('extra fields of a request are dropped, not passed on', () => {
  assert.deepEqual(parseRequest('{"op":"drop","store":"k","service":"s","account":"a","value":"secret"}'), { op: 'drop', store: 'k', service: 's', account: 'a' });
});

test('replies: ours parse; garbage, wrong types and half a reply are undefined (a broken agent)', () => {
  assert.deepEqual(parseReply('{"ok":true,"value":"v"}'), { ok: true, value: 'v' });
  assert.deepEqual(parseReply('{"ok":false,"error":"malformed get request"}'), { ok: false, error: 'malformed get request' });
  const status = { pid: 42, since: '2030-01-01T00:00:00.000Z', ttlSeconds: 900, keys: ['/v'], entries: [{ store: 'keychain', service: 's', account: 'a', profile: 'p', expiresAt: '2030-01-01T01:00:00.000Z' }] };
  assert.deepEqual(parseReply(JSON.stringify({ ok: true, pid: 42, status })), { ok: true, pid: 42, status });
  for (const line of [
    '',
    'HTTP/1.1 400 Bad Request',
    '{"ok":true,"value":"half a rep',
    '{"ok":"yes"}',
    '{"value":"v"}',
    '{"ok":true,"value":7}',
    '{"ok":true,"key":"not a key"}',
    '{"ok":true,"pid":-1}',
    '{"ok":false}',
    JSON.stringify({ ok: true, status: { ...status, entries: [{ store: 'keychain' }] } }),
    JSON.stringify({ ok: true, status: { ...status, ttlSeconds: 'long' } }),
  ]) {
    assert.equal(parseReply(line), undefined, line);
  }
});

test('ready answers: requests are read field by field, malformed ones refused', () => {
  const dependsOn = [{ service: 's', account: 'a', signature: 'sig', signedBy: { fileVault: '/v' }, extra: 'dropped' }];
  const put = parseRequest(JSON.stringify({ op: 'ready-put', words: ['exec', 'p'], env: { HOME: '/h' }, stamps: ['x', 'none'], answer: '{}', until: '2030-01-01T00:00:00.000Z', dependsOn, more: 1 }));
  assert.deepEqual(put, { op: 'ready-put', words: ['exec', 'p'], env: { HOME: '/h' }, stamps: ['x', 'none'], answer: '{}', until: '2030-01-01T00:00:00.000Z', dependsOn: [{ service: 's', account: 'a', signature: 'sig', signedBy: { fileVault: '/v' } }] });
  assert.deepEqual(parseRequest(JSON.stringify({ op: 'ready-get', words: ['credential-process', 'p'], env: {}, stamps: ['s', 'none'] })), { op: 'ready-get', words: ['credential-process', 'p'], env: {}, stamps: ['s', 'none'] });
  assert.deepEqual(parseRequest(JSON.stringify({ op: 'ready-get', words: ['exec', 'p'], env: {}, stamps: [], pid: 4242 })), { op: 'ready-get', words: ['exec', 'p'], env: {}, stamps: [], pid: 4242 });
  assert.deepEqual(parseRequest(JSON.stringify({ op: 'ready-wait', words: ['exec', 'p'], env: {}, stamps: [] })), { op: 'ready-wait', words: ['exec', 'p'], env: {}, stamps: [] });
  assert.deepEqual(parseRequest(JSON.stringify({ op: 'ready-none', words: ['exec', 'p'], env: {} })), { op: 'ready-none', words: ['exec', 'p'], env: {} });
  for (const bad of [
    { op: 'ready-get', words: ['exec', 'p'], env: {} },
    { op: 'ready-wait', words: ['exec', 'p'], env: {}, stamps: [1] },
    { op: 'ready-get', words: ['exec', 'p'], env: {}, stamps: [], pid: 0 },
    { op: 'ready-get', words: ['exec', 'p'], env: {}, stamps: [], pid: 1.5 },
    { op: 'ready-get', words: ['exec', 'p'], env: {}, stamps: [], pid: '42' },
    { op: 'ready-get', words: [], env: {} },
    { op: 'ready-get', words: ['exec', 1], env: {} },
    { op: 'ready-get', words: ['exec'], env: { A: 1 } },
    { op: 'ready-put', words: ['exec'], env: {}, stamps: [], answer: '{}', dependsOn: [] },
    { op: 'ready-put', words: ['exec'], env: {}, stamps: [], answer: '{}', until: 'soon', dependsOn: [] },
    { op: 'ready-put', words: ['exec'], env: {}, stamps: [], answer: '{}', until: '2030-01-01T00:00:00Z', dependsOn: [{ service: 's', account: 'a', signature: 'x', signedBy: {} }] },
  ]) {
    assert.ok('invalid' in parseRequest(JSON.stringify(bad)), JSON.stringify(bad));
  }
  assert.deepEqual(parseReply('{"ok":true,"answer":"{}"}'), { ok: true, answer: '{}' });
  assert.equal(parseReply('{"ok":true,"answer":5}'), undefined);
});
