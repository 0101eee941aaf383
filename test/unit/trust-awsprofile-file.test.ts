import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findAwsprofile, isValidProfileName, profileRequest, readAwsprofile } from '../../src/trust/awsprofile-file.js';

test('the first line that is neither blank nor a comment names the profile', () => {
  assert.deepEqual(profileRequest(Buffer.from('# billing\n\n  billing-dev  \nother\n')), { kind: 'profile', name: 'billing-dev' });
  assert.deepEqual(profileRequest(Buffer.from('prod-admin')), { kind: 'profile', name: 'prod-admin' });
  assert.deepEqual(profileRequest(Buffer.from('dev\r\n')), { kind: 'profile', name: 'dev' });
  assert.deepEqual(profileRequest(Buffer.from('# only a comment\n\n')), { kind: 'empty' });
  assert.deepEqual(profileRequest(undefined), { kind: 'unreadable' });
});

test('shell syntax is an invalid name, reported quoted', () => {
  for (const name of ['$(touch /tmp/x)', 'a;rm -rf ~', '`id`', "it's", 'a b', 'x|y', '${HOME}', 'a\u001b[2J']) {
    assert.equal(isValidProfileName(name), false, name);
    const request = profileRequest(Buffer.from(`${name}\n`));
    assert.equal(request.kind, 'invalid', name);
    if (request.kind === 'invalid') assert.doesNotMatch(request.reason, /\u001b/, 'no raw escape reaches the terminal');
  }
  for (const name of ['dev', 'prod-admin', 'team.app_01', 'sso/role@org', 'a+b=c,d']) assert.equal(isValidProfileName(name), true, name);
});

test('the nearest .awsprofile from a directory up to /, a directory of that name is not one', () => {
  const root = mkdtempSync(join(tmpdir(), 'rolecall-awsprofile-'));
  try {
    mkdirSync(join(root, 'a', 'b', 'c', '.awsprofile'), { recursive: true });
    writeFileSync(join(root, 'a', '.awsprofile'), 'dev\n');
    assert.equal(findAwsprofile(join(root, 'a', 'b', 'c')), join(root, 'a', '.awsprofile'));
    assert.equal(findAwsprofile(join(root, 'a')), join(root, 'a', '.awsprofile'));
    assert.equal(findAwsprofile(root), undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a FIFO read as .awsprofile is unreadable at once, never a read that waits for a writer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'awsprofile-fifo-'));
  try {
    const path = join(dir, '.awsprofile');
    assert.equal(spawnSync('mkfifo', [path]).status, 0);
    // As if it became a FIFO after findAwsprofile had seen a file there.
    assert.deepEqual(readAwsprofile(path), { path, bytes: undefined });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
