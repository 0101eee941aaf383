import assert from 'node:assert/strict';
import { test } from 'node:test';
import { childEnv, childEnvFromReady, isoSeconds, readyChildEnvAnswer, serverChildEnv, sessionVariables } from '../../src/exec/child-env.js';
import { namedProfile } from '../../src/pipeline/named-profile.js';

const session = { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token', expiration: new Date('2026-11-29T01:02:03.456Z') };

test('the child gets the session and loses every other credential and profile selection', () => {
  const env = childEnv(
    {
      PATH: '/bin',
      AWS_PROFILE: 'x',
      AWS_DEFAULT_PROFILE: 'y',
      AWS_ACCESS_KEY_ID: 'old',
      AWS_SECRET_ACCESS_KEY: 'old',
      AWS_SESSION_TOKEN: 'old',
      AWS_SECURITY_TOKEN: 'old',
      AWS_CREDENTIAL_EXPIRATION: 'old',
      ROLECALL_FILE_PASSPHRASE: 'vault passphrase',
      ROLECALL_SHELL_HOOK: 'hook',
    },
    'prod',
    session,
    'eu-west-1',
  );
  assert.deepEqual(env, {
    PATH: '/bin',
    AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_SESSION_TOKEN: 'token',
    AWS_CREDENTIAL_EXPIRATION: '2026-11-29T01:02:03Z',
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
    ROLECALL_PROFILE: 'prod',
  });
});

test('no region known: no region variables; long-term keys: no token or expiry', () => {
  const env = childEnv({ AWS_REGION: 'kept-from-parent' }, 'keys', { accessKeyId: 'AKIA', secretAccessKey: 's' }, undefined);
  assert.equal(env.AWS_REGION, 'kept-from-parent');
  assert.equal(env.AWS_DEFAULT_REGION, undefined);
  assert.equal(env.AWS_SESSION_TOKEN, undefined);
  assert.equal(env.AWS_CREDENTIAL_EXPIRATION, undefined);
});

test('expiry is ISO 8601 in UTC, to the second', () => {
  assert.equal(isoSeconds(new Date(Date.UTC(2027, 0, 2, 3, 4, 5, 999))), '2027-01-02T03:04:05Z');
});

test("exec --server's child: no keys, the server's address and token, and nothing an SDK would prefer to them", () => {
  const env = serverChildEnv(
    {
      PATH: '/bin',
      AWS_PROFILE: 'x',
      AWS_ACCESS_KEY_ID: 'old',
      AWS_SECRET_ACCESS_KEY: 'old',
      AWS_SESSION_TOKEN: 'old',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/ecs',
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: '/var/run/token',
      AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/web-identity',
      AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/Pod',
      ROLECALL_FILE_PASSPHRASE: 'vault passphrase',
    },
    'prod',
    'eu-west-1',
    { url: 'http://127.0.0.1:4321/rolecall/credentials', token: 'the-token' },
  );
  assert.deepEqual(env, {
    PATH: '/bin',
    AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:4321/rolecall/credentials',
    AWS_CONTAINER_AUTHORIZATION_TOKEN: 'the-token',
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
    ROLECALL_PROFILE: 'prod',
  });
});

test("a ready answer makes the child's environment exec makes, from another process's own environment", () => {
  // In a directory of the shell hook for another profile: its region is taken out (pipeline/named-profile.ts).
  const writer = { PATH: '/bin', AWS_PROFILE: 'x', AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1', ROLECALL_SHELL_HOOK: 'other', ROLECALL_SHELL_HOOK_REGION: 'us-east-1', ROLECALL_FILE_PASSPHRASE: 'pass' };
  const read = namedProfile(writer, 'prod').env;
  const variables = sessionVariables('prod', session, undefined);
  const answer = readyChildEnvAnswer(writer, read, variables);
  // The reader's own PATH and TERM differ: they pass through as exec would pass them.
  const reader = { ...writer, PATH: '/usr/bin', TERM: 'xterm' };
  assert.deepEqual(childEnvFromReady(reader, answer), childEnv(namedProfile(reader, 'prod').env, 'prod', session, undefined));
  assert.equal(childEnvFromReady(reader, answer)?.AWS_REGION, undefined);
  assert.equal(childEnvFromReady(reader, answer)?.ROLECALL_FILE_PASSPHRASE, undefined);
  for (const garbage of ['', 'null', '[]', '{"set":{"A":1},"unset":[]}', '{"set":{},"unset":"A"}', '{"unset":[]}']) assert.equal(childEnvFromReady(reader, garbage), undefined, garbage);
});
