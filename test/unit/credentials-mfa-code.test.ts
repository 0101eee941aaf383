/**
 * Where an MFA code comes from, and which of its failures every rolecall
 * waiting on this one would meet too (so they fail with it instead of each
 * asking again): mfa_process failing or printing something else than a code.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mfaCode } from '../../src/credentials/mfa-code.js';
import { CredentialError, RolecallError } from '../../src/base/errors.js';

const SERIAL = 'arn:aws:iam::123456789012:mfa/alice';

test('mfa_process: its code, trimmed', async () => {
  assert.equal(await mfaCode({ serial: SERIAL, profile: 'base', process: 'echo " 123456 "' }, { env: {} }), '123456');
});

test('mfa_process failing or printing no code: a failure every waiter would meet', async () => {
  await assert.rejects(mfaCode({ serial: SERIAL, profile: 'base', process: 'exit 3' }, { env: {} }), (error: unknown) => {
    assert.ok(error instanceof CredentialError);
    assert.match(error.message, /mfa_process of profile "base" exited with status 3/);
    return error.sharedWithWaiters;
  });
  await assert.rejects(mfaCode({ serial: SERIAL, profile: 'base', process: 'echo not-a-code' }, { env: {} }), (error: unknown) => {
    assert.ok(error instanceof RolecallError);
    assert.match(error.message, /the MFA code from mfa_process of profile "base" is not six digits/);
    return error.sharedWithWaiters;
  });
});

test('a code given with --mfa-token is used as it is, with no process run', async () => {
  assert.equal(await mfaCode({ serial: SERIAL, profile: 'base', process: 'exit 9' }, { given: '654321', env: {} }), '654321');
});

test('when no prompt may be shown, a code the terminal would give is an error that says why; mfa_process still serves', async () => {
  const noPrompt = 'the command owns the terminal';
  await assert.rejects(mfaCode({ serial: SERIAL, profile: 'base' }, { env: {}, noPrompt }), (error: unknown) => {
    assert.ok(error instanceof RolecallError);
    assert.match(error.message, /profile "base" needs a new MFA code for arn:aws:iam::123456789012:mfa\/alice, and rolecall cannot ask for it: the command owns the terminal; set mfa_process/);
    return !error.sharedWithWaiters;
  });
  assert.equal(await mfaCode({ serial: SERIAL, profile: 'base', process: 'echo 123456' }, { env: {}, noPrompt }), '123456');
});
