import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runHelper } from '../../src/credentials/helper-process.js';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' };

test('a helper past ROLECALL_HELPER_TIMEOUT is stopped and said so, even when what it started holds its output open', async () => {
  const started = Date.now();
  // The pipeline's `cat` outlives the shell that is killed, and keeps the pipe open until `sleep` ends.
  await assert.rejects(runHelper('mfa_process of profile "m"', '/bin/sh', ['-c', 'sleep 8 | cat'], { ...env, ROLECALL_HELPER_TIMEOUT: '1' }), /mfa_process of profile "m" did not finish within 1s \(ROLECALL_HELPER_TIMEOUT\), so it was stopped/);
  assert.ok(Date.now() - started < 5000, `ended after ${Date.now() - started} ms`);
});

test('a helper that answers in time: its status and output', async () => {
  assert.deepEqual(await runHelper('mfa_process of profile "m"', '/bin/sh', ['-c', 'echo 123456'], { ...env, ROLECALL_HELPER_TIMEOUT: '5' }), { exitCode: 0, stdout: '123456' });
});
