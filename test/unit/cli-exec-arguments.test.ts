import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExecArguments } from '../../src/cli/exec-arguments.js';
import { parseDuration } from '../../src/cli/parse-duration.js';
import { ArgumentError } from '../../src/base/errors.js';

test('options, then the profile, then the command; -- is optional after the profile', () => {
  assert.deepEqual(parseExecArguments(['--debug', 'prod', '--', 'aws', 's3', 'ls', '--debug']).command, ['aws', 's3', 'ls', '--debug']);
  const implicit = parseExecArguments(['prod', 'ls', '-l', '--force']);
  assert.equal(implicit.profile, 'prod');
  assert.deepEqual(implicit.command, ['ls', '-l', '--force']);
  assert.equal(implicit.force, false, 'options after the command belong to the command');
  const noProfile = parseExecArguments(['--', 'aws', 'sts']);
  assert.equal(noProfile.profile, undefined);
  assert.deepEqual(noProfile.command, ['aws', 'sts']);
});

test('every option, in both spellings', () => {
  const parsed = parseExecArguments(['--duration=2h', '--region', 'eu-west-1', '--no-session', '--mfa-token', '123456', '--force', '--backend', 'file', 'p']);
  assert.equal(parsed.backend, 'file');
  assert.throws(() => parseExecArguments(['--backend', 'plaintext', 'p']), /use keychain or file/);
  assert.equal(parsed.durationSeconds, 7200);
  assert.equal(parsed.region, 'eu-west-1');
  assert.equal(parsed.noSession, true);
  assert.equal(parsed.mfaToken, '123456');
  assert.equal(parsed.force, true);
  assert.equal(parsed.server, false);
  assert.equal(parseExecArguments(['--server', 'p', '--', 'terraform', 'apply']).server, true);
  assert.throws(() => parseExecArguments(['--server=yes', 'p']), /--server takes no value/);
  assert.equal(parsed.profile, 'p');
  assert.equal(parseExecArguments(['p', '--help']).help, true);
  assert.equal(parseExecArguments(['p', '--', '--help']).help, false);
});

test('mistakes are one-line errors that never echo an MFA code', () => {
  assert.throws(() => parseExecArguments(['--bogus', 'p']), (e: Error) => e instanceof ArgumentError && /unknown option --bogus/.test(e.message));
  assert.throws(() => parseExecArguments(['--duration', 'soon', 'p']), /not a duration/);
  assert.throws(() => parseExecArguments(['--region']), /needs a value/);
  assert.throws(() => parseExecArguments(['--no-session=yes']), /takes no value/);
  assert.throws(
    () => parseExecArguments(['--mfa-token', '98765x', 'p']),
    (e: Error) => /six digits/.test(e.message) && !e.message.includes('98765x'),
  );
});

test('durations: 900s, 15m, 1h, 12h, 1h30m, bare seconds', () => {
  assert.equal(parseDuration('900s'), 900);
  assert.equal(parseDuration('15m'), 900);
  assert.equal(parseDuration('1h'), 3600);
  assert.equal(parseDuration('12h'), 43200);
  assert.equal(parseDuration('1h30m'), 5400);
  assert.equal(parseDuration('3600'), 3600);
  assert.equal(parseDuration('1d'), undefined);
  assert.equal(parseDuration(''), undefined);
});
