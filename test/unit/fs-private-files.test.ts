import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensurePrivateDir, keepPrivate, readPrivateFile, removePrivateFile, UnsafeFileError, writePrivateFile } from '../../src/fs/private-files.js';

function scratch(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-private-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('readPrivateFile reads a 0600 file of ours, and undefined for none', (t) => {
  const dir = scratch(t);
  writePrivateFile(join(dir, 'item'), 'sealed');
  assert.equal(readPrivateFile(join(dir, 'item'))?.toString(), 'sealed');
  assert.equal(statSync(join(dir, 'item')).mode & 0o777, 0o600);
  assert.equal(readPrivateFile(join(dir, 'none')), undefined);
});

test('readPrivateFile refuses a file open to others with the chmod that fixes it, a symlink without following it, and what is not a file', (t) => {
  const dir = scratch(t);
  const loose = join(dir, 'loose');
  writeFileSync(loose, 'x');
  for (const mode of [0o640, 0o604, 0o620, 0o666]) {
    chmodSync(loose, mode);
    assert.throws(() => readPrivateFile(loose), (error: Error) => error instanceof UnsafeFileError && error.message === `${loose} is open to others (mode 0${mode.toString(8)}); rolecall refuses it, as ssh refuses a loose key: run chmod 600 ${loose}`);
  }
  const link = join(dir, 'link');
  writePrivateFile(join(dir, 'target'), 'target');
  symlinkSync(join(dir, 'target'), link);
  assert.throws(() => readPrivateFile(link), (error: Error) => error instanceof UnsafeFileError && /is a symbolic link, which rolecall does not follow/.test(error.message));
  symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
  assert.throws(() => readPrivateFile(join(dir, 'dangling')), UnsafeFileError, 'a dangling link is not "no file"');
  mkdirSync(join(dir, 'sub'), { mode: 0o700 });
  assert.throws(() => readPrivateFile(join(dir, 'sub')), /is not a regular file/);
});

test('readPrivateFile refuses a file of another user', { skip: process.getuid?.() !== 0 && 'needs root to give a file away' }, (t) => {
  const dir = scratch(t);
  const file = join(dir, 'theirs');
  writePrivateFile(file, 'x');
  spawnSync('chown', ['65534', file]);
  assert.throws(() => readPrivateFile(file), /is owned by uid 65534, not by you \(uid 0\); rolecall does not use it/);
});

test('writePrivateFile replaces a symlink planted at its target, never writing through it', (t) => {
  const dir = scratch(t);
  writeFileSync(join(dir, 'precious'), 'mine', { mode: 0o644 });
  symlinkSync(join(dir, 'precious'), join(dir, 'item'));
  writePrivateFile(join(dir, 'item'), 'sealed');
  assert.equal(readFileSync(join(dir, 'precious'), 'utf8'), 'mine');
  assert.equal(lstatSync(join(dir, 'item')).isFile(), true);
  assert.equal(readPrivateFile(join(dir, 'item'))?.toString(), 'sealed');
});

test('ensurePrivateDir tightens a loose directory of ours, and refuses a symlink (to a directory, or dangling) without touching its target', (t) => {
  const dir = scratch(t);
  const loose = join(dir, 'loose');
  mkdirSync(loose, { mode: 0o755 });
  chmodSync(loose, 0o755);
  ensurePrivateDir(loose);
  assert.equal(statSync(loose).mode & 0o777, 0o700);
  const elsewhere = join(dir, 'elsewhere');
  mkdirSync(elsewhere, { mode: 0o755 });
  chmodSync(elsewhere, 0o755);
  symlinkSync(elsewhere, join(dir, 'linked'));
  assert.throws(() => ensurePrivateDir(join(dir, 'linked')), (error: Error) => error instanceof UnsafeFileError && /linked is a symbolic link, which rolecall does not follow/.test(error.message));
  assert.equal(statSync(elsewhere).mode & 0o777, 0o755, 'the target is not chmod-ed');
  symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
  assert.throws(() => ensurePrivateDir(join(dir, 'dangling')), UnsafeFileError);
  assert.deepEqual(readdirSync(dir).sort(), ['dangling', 'elsewhere', 'linked', 'loose']);
});

test('a write that fails names its file and the reason in one line, not as an unexpected error', (t) => {
  const dir = scratch(t);
  writeFileSync(join(dir, 'file'), 'x');
  assert.throws(() => writePrivateFile(join(dir, 'file', 'item'), 'x'), { message: `cannot write ${join(dir, 'file', 'item')}: not a directory (ENOTDIR); what was stored there is as it was` });
  assert.throws(() => ensurePrivateDir(join(dir, 'file', 'sub')), { message: `cannot create ${join(dir, 'file', 'sub')}: not a directory (ENOTDIR)` });
  assert.equal(removePrivateFile(join(dir, 'none')), false);
  assert.equal(removePrivateFile(join(dir, 'file')), true);
});

test('a write sweeps the temp files its target was left with by writers now dead, not those of live ones', (t) => {
  const dir = scratch(t);
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  writeFileSync(join(dir, `.item.${dead}.abcdef.tmp`), 'half');
  writeFileSync(join(dir, `.item.${process.ppid}.abcdef.tmp`), 'a live writer');
  writeFileSync(join(dir, `.other.${dead}.abcdef.tmp`), 'another item');
  writePrivateFile(join(dir, 'item'), 'sealed');
  assert.deepEqual(readdirSync(dir).sort(), [`.item.${process.ppid}.abcdef.tmp`, `.other.${dead}.abcdef.tmp`, 'item']);
});

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

test('readPrivateFile: a FIFO at the path is refused at once, not waited on', (t) => {
  const dir = scratch(t);
  const fifo = join(dir, 'item');
  assert.equal(spawnSync('mkfifo', ['-m', '600', fifo]).status, 0);
  assert.throws(() => readPrivateFile(fifo), (error: unknown) => error instanceof UnsafeFileError && /is not a regular file/.test(error.message));
});
