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
