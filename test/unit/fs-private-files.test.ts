import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { keepPrivate } from '../../src/fs/private-files.js';

test('keepPrivate: a file others may read, about to take secrets, becomes 0600; its owner bits stay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-private-'));
  try {
    for (const [mode, expected] of [
      [0o644, 0o600],
      [0o664, 0o600],
      [0o755, 0o700],
      [0o600, 0o600],
      [0o400, 0o400],
    ] as const) {
      const path = join(dir, `out-${mode.toString(8)}`);
      writeFileSync(path, '');
      chmodSync(path, mode);
      const fd = openSync(path, 'r');
      try {
        keepPrivate(fd);
      } finally {
        closeSync(fd);
      }
      assert.equal(statSync(path).mode & 0o777, expected, `from ${mode.toString(8)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keepPrivate: what is not a regular file (/dev/null, a terminal, a pipe) is left alone', () => {
  const before = statSync('/dev/null').mode;
  const fd = openSync('/dev/null', 'w');
  try {
    keepPrivate(fd);
  } finally {
    closeSync(fd);
  }
  assert.equal(statSync('/dev/null').mode, before);
});
