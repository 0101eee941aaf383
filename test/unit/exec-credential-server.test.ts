/**
 * The credential server of exec --server on its own (the e2e test runs it
 * under the AWS CLI): overlapping fetches share one session, a failed one is
 * a 500 with no key, and close frees the port.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RolecallError } from '../../src/base/errors.js';
import { startCredentialServer } from '../../src/exec/credential-server.js';

const session = { accessKeyId: 'ASIAUNITTEST0001', secretAccessKey: 'unit-secret-access-key-0001', sessionToken: 'unit-session-token-0001', expiration: new Date('2026-12-01T10:00:00.500Z') };

test('overlapping fetches share one session; the ECS JSON has the four fields, Expiration in seconds', async () => {
  let calls = 0;
  const server = await startCredentialServer(async () => {
    calls++;
    await new Promise((resolve) => setTimeout(resolve, 50));
    return session;
  }, 'unit');
  try {
    const answers = await Promise.all([1, 2, 3].map(() => fetch(server.url, { headers: { authorization: server.token } })));
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200]);
    assert.equal(calls, 1, 'one session for the three overlapping fetches');
    assert.deepEqual(await answers[0]?.json(), { AccessKeyId: session.accessKeyId, SecretAccessKey: session.secretAccessKey, Token: session.sessionToken, Expiration: '2026-12-01T10:00:00Z' });
    assert.equal(answers[0]?.headers.get('cache-control'), 'no-store');
    await fetch(server.url, { headers: { authorization: server.token } });
    assert.equal(calls, 2, 'a later fetch asks again');
  } finally {
    await server.close();
  }
  await assert.rejects(fetch(server.url), 'closed: nothing listens there');
});

test('a session that cannot be had is a 500 that holds no key; the server keeps serving', async () => {
  let fail = true;
  const server = await startCredentialServer(async () => {
    if (fail) throw new RolecallError('no MFA code');
    return session;
  }, 'unit');
  try {
    const failed = await fetch(server.url, { headers: { authorization: server.token } });
    assert.equal(failed.status, 500);
    assert.doesNotMatch(await failed.text(), /ASIA|secret|token/i);
    fail = false;
    assert.equal((await fetch(server.url, { headers: { authorization: server.token } })).status, 200);
  } finally {
    await server.close();
  }
});
