/**
 * Each export format's text for a fixed session, and what each refuses:
 * what fish and python-dotenv read back is checked against the real readers
 * in test/e2e/export-formats.test.ts; here, the lines themselves and the refusals.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderExport, type ExportedSession } from '../../src/export/export-formats.js';

const SESSION: ExportedSession = {
  variables: { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: "se'cr\\et", AWS_REGION: 'eu-west-1' },
  removed: ['AWS_PROFILE'],
  credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: "se'cr\\et", sessionToken: 'token', expiration: new Date('2030-01-02T03:04:05.678Z') },
  section: 'tool',
};

test('sh: export lines quoted for bash and zsh, then unset lines', () => {
  assert.equal(renderExport('sh', SESSION), "export AWS_ACCESS_KEY_ID='ASIAEXAMPLE'\nexport AWS_SECRET_ACCESS_KEY=$'se\\'cr\\\\et'\nexport AWS_REGION='eu-west-1'\nunset AWS_PROFILE\n");
});

test('fish and dotenv: single quotes with \\\\ and \\\' the only escapes', () => {
  assert.equal(renderExport('fish', SESSION), "set -gx AWS_ACCESS_KEY_ID 'ASIAEXAMPLE'\nset -gx AWS_SECRET_ACCESS_KEY 'se\\'cr\\\\et'\nset -gx AWS_REGION 'eu-west-1'\nset -e AWS_PROFILE\n");
  assert.equal(renderExport('dotenv', SESSION), "AWS_ACCESS_KEY_ID='ASIAEXAMPLE'\nAWS_SECRET_ACCESS_KEY='se\\'cr\\\\et'\nAWS_REGION='eu-west-1'\n");
  assert.throws(() => renderExport('dotenv', { ...SESSION, variables: { AWS_SECRET_ACCESS_KEY: 'a${HOME}' } }), /holds "\$\{", which \.env readers/);
});

test('env: raw KEY=value, and a line break refused', () => {
  assert.equal(renderExport('env', SESSION), "AWS_ACCESS_KEY_ID=ASIAEXAMPLE\nAWS_SECRET_ACCESS_KEY=se'cr\\et\nAWS_REGION=eu-west-1\n");
  assert.throws(() => renderExport('env', { ...SESSION, variables: { AWS_SESSION_TOKEN: 'a\nb' } }), /AWS_SESSION_TOKEN holds a line break/);
});

test('json: the credential_process document, Expiration without milliseconds', () => {
  assert.deepEqual(JSON.parse(renderExport('json', SESSION)), { Version: 1, AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: "se'cr\\et", SessionToken: 'token', Expiration: '2030-01-02T03:04:05Z' });
  const longTerm = JSON.parse(renderExport('json', { ...SESSION, credentials: { accessKeyId: 'AKIA', secretAccessKey: 's' } })) as object;
  assert.deepEqual(Object.keys(longTerm), ['Version', 'AccessKeyId', 'SecretAccessKey'], 'no token or expiry for a long-term key');
});

test('ini: a credentials-file section; names and values it cannot hold are refused', () => {
  assert.equal(
    renderExport('ini', SESSION),
    "[tool]\n# expires 2030-01-02T03:04:05Z: run rolecall export again then\naws_access_key_id = ASIAEXAMPLE\naws_secret_access_key = se'cr\\et\naws_session_token = token\n",
  );
  for (const section of ['a]b', 'a\nb', ' padded', '']) assert.throws(() => renderExport('ini', { ...SESSION, section }), /cannot be a section name/);
  assert.throws(() => renderExport('ini', { ...SESSION, credentials: { ...SESSION.credentials, secretAccessKey: ' s' } }), /starts or ends with a space/);
});
