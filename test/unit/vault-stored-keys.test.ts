import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redact } from '../../src/log/redact.js';
import { checkKeyShape, decodeKeys, encodeKeys } from '../../src/vault/stored-keys.js';
import { decodeName, encodeName } from '../../src/fs/file-names.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzz';

test('keys round-trip through their stored form, and a decoded secret is registered for redaction', () => {
  const keys = { accessKeyId: 'AKIAABCDEFGHIJKLMNOP', secretAccessKey: `${SECRET}1` };
  const back = decodeKeys(encodeKeys(keys), 'p', 'file');
  assert.deepEqual(back, keys);
  assert.equal(redact(`x ${keys.secretAccessKey} y`), 'x **** y');
});

test('a stored value that is not keys is an error that names the profile and the fix, not the value', () => {
  assert.throws(() => decodeKeys('{"accessKeyId":"AKIA"}', 'prod', 'keychain'), /^RolecallError: the keychain vault's entry for profile "prod" is not keys rolecall wrote; store them again with `rolecall add prod --force`$/);
  assert.throws(() => decodeKeys('not json at all', 'prod', 'file'), /is not keys rolecall wrote/);
});

test('shape checks catch what a paste gets wrong, and never quote the secret', () => {
  const ok = { accessKeyId: 'AKIAABCDEFGHIJKLMNOP', secretAccessKey: SECRET };
  checkKeyShape(ok, 'here');
  assert.throws(() => checkKeyShape({ ...ok, accessKeyId: 'akiaabcdefghijklmnop' }, 'here'), /here: the access key id \("akiaabcdefghijklmnop"\) is not 16 to 128/);
  const spaced = `${SECRET.slice(0, 20)} ${SECRET.slice(20)}`;
  assert.throws(
    () => checkKeyShape({ ...ok, secretAccessKey: spaced }, 'here'),
    (error: Error) => /does not look like one \(41 characters/.test(error.message) && !error.message.includes(spaced.slice(0, 10)),
  );
  assert.throws(() => checkKeyShape({ ...ok, accessKeyId: 'ASIAABCDEFGHIJKLMNOP' }, 'here'), /temporary key \(ASIA…\), which needs a session token/);
  checkKeyShape({ ...ok, accessKeyId: 'ASIAABCDEFGHIJKLMNOP', sessionToken: 'token-token-token' }, 'here');
});

test('file names for vault items map back to exactly the name, and are never hidden or a path', () => {
  for (const name of ['prod', 'team/app', '..', '.hidden', 'a b', 'ünï', 'p@0123abcd', '%41']) {
    const encoded = encodeName(name);
    assert.match(encoded, /^(?:[A-Za-z0-9_-]|%[0-9A-F]{2})+$/, name);
    assert.equal(decodeName(encoded), name);
  }
  assert.equal(decodeName('.tmp-file'), undefined);
  assert.equal(decodeName('%zz'), undefined);
});
