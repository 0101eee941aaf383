import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redact, registerSecret } from '../../src/log/redact.js';

test('long secrets are scrubbed wherever they appear', () => {
  registerSecret('wJalrXUtnFEMIK7MDENGbPxRfiCYredacttest');
  assert.equal(redact('error: key=wJalrXUtnFEMIK7MDENGbPxRfiCYredacttest!'), 'error: key=****!');
  assert.equal(redact('x-wJalrXUtnFEMIK7MDENGbPxRfiCYredacttest-y'), 'x-****-y');
});

test('a short secret such as an MFA code is scrubbed as a word, not inside an account id', () => {
  registerSecret('864213');
  assert.equal(redact('code 864213 refused'), 'code **** refused');
  assert.equal(redact('arn:aws:iam::864213789012:mfa/alice'), 'arn:aws:iam::864213789012:mfa/alice');
  assert.equal(redact('TokenCode=864213&x'), 'TokenCode=****&x');
});

test('values shorter than six characters are not registered', () => {
  registerSecret('abc');
  assert.equal(redact('abc abc'), 'abc abc');
});

test('secrets kept in the config files are registered as soon as the files are read', async () => {
  const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { loadConfig } = await import('../../src/config/load-config.js');
  const home = mkdtempSync(join(tmpdir(), 'rolecall-redact-'));
  try {
    mkdirSync(join(home, '.aws'));
    const secret = 'zQ9xLoadedFromTheCredentialsFile0123456789';
    const token = 'IQoJb3JpZ2luX2VjEXAMPLETOKENfromTheConfigFile';
    writeFileSync(join(home, '.aws', 'credentials'), `[base]\naws_access_key_id = AKIAEXAMPLEEXAMPLE12\nAWS_Secret_Access_Key = ${secret}\n`);
    writeFileSync(join(home, '.aws', 'config'), `[profile temp]\naws_session_token = ${token}\n`);
    assert.ok(redact(`a line with ${secret}`).includes(secret), 'not registered before the files are read');
    loadConfig({ HOME: home });
    assert.equal(redact(`region "${secret}" and ${token}`), 'region "****" and ****');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
