import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { TrustStore } from '../../src/trust/trust-store.js';
import { readAwsprofile } from '../../src/trust/awsprofile-file.js';

let home: string;
let store: TrustStore;
let file: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'rolecall-trust-'));
  store = new TrustStore({ HOME: home, XDG_DATA_HOME: join(home, 'data') });
  mkdirSync(join(home, 'project'));
  file = join(home, 'project', '.awsprofile');
  writeFileSync(file, 'dev\n');
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

test('a file is untrusted until allowed, for that content only', () => {
  assert.equal(store.verdict(file, Buffer.from('dev\n')), 'untrusted');
  store.allow(file, Buffer.from('dev\n'));
  assert.equal(store.verdict(file, Buffer.from('dev\n')), 'allowed');
  assert.equal(store.verdict(file, Buffer.from('prod\n')), 'edited');
  assert.equal(store.verdict(join(home, 'other', '.awsprofile'), Buffer.from('dev\n')), 'untrusted', 'another path is another file');
});

test('deny blocks the path whatever it says; allow lifts it', () => {
  store.allow(file, Buffer.from('dev\n'));
  store.deny(file);
  assert.equal(store.verdict(file, Buffer.from('dev\n')), 'denied');
  assert.equal(store.verdict(file, Buffer.from('anything\n')), 'denied');
  store.allow(file, Buffer.from('dev\n'));
  assert.equal(store.verdict(file, Buffer.from('dev\n')), 'allowed');
});

test('records and markers are 0600 in 0700 directories under XDG_DATA_HOME/rolecall', () => {
  store.allow(file, Buffer.from('dev\n'));
  const dir = join(home, 'data', 'rolecall');
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  for (const sub of ['trust', 'generation']) {
    assert.equal(statSync(join(dir, sub)).mode & 0o777, 0o700, sub);
    for (const name of readdirSync(join(dir, sub))) assert.equal(statSync(join(dir, sub, name)).mode & 0o777, 0o600, `${sub}/${name}`);
  }
});

test('every change removes the generation marker the shells hold, leaving one new one', () => {
  const first = store.generation();
  assert.equal(store.generation(), first, 'stable while nothing changes');
  store.allow(file, Buffer.from('dev\n'));
  assert.ok(!existsSync(first), 'the old marker is gone: every hook notices at its next prompt');
  const second = store.generation();
  assert.notEqual(second, first);
  store.deny(file);
  assert.ok(!existsSync(second));
  assert.equal(readdirSync(join(home, 'data', 'rolecall', 'generation')).length, 1);
});

test('trust follows the real directory, not the route; a symlinked file is a file of its own', () => {
  store.allow(file, Buffer.from('dev\n'));
  symlinkSync(join(home, 'project'), join(home, 'link'));
  assert.equal(store.verdict(join(home, 'link', '.awsprofile'), Buffer.from('dev\n')), 'allowed');
  mkdirSync(join(home, 'elsewhere'));
  symlinkSync(file, join(home, 'elsewhere', '.awsprofile'));
  assert.equal(store.verdict(join(home, 'elsewhere', '.awsprofile'), Buffer.from('dev\n')), 'untrusted');
});

test('a relative XDG_DATA_HOME is ignored, as XDG says', () => {
  const relative = new TrustStore({ HOME: home, XDG_DATA_HOME: 'data' });
  assert.equal(relative.dir, join(home, '.local', 'share', 'rolecall'));
});

test('an allowed file is remembered by its stamp; an edit of the same size with its mtime put back is hashed again (ctime moved)', async () => {
  store.allow(file, Buffer.from('dev\n'));
  // A stamp is remembered only once its ctime is settled (a second old).
  await delay(1100);
  const first = readAwsprofile(file);
  assert.equal(store.verdict(file, first.bytes, first.stamp), 'allowed');
  const seen = join(home, 'data', 'rolecall', 'trust-seen.json');
  assert.ok(existsSync(seen), 'the stamp of the allowed file is kept');
  const again = readAwsprofile(file);
  assert.equal(again.stamp?.signature, first.stamp?.signature, 'nothing changed: the same stamp');
  assert.equal(new TrustStore({ HOME: home, XDG_DATA_HOME: join(home, 'data') }).verdict(file, again.bytes, again.stamp), 'allowed');

  const { mtimeNs } = statSync(file, { bigint: true });
  writeFileSync(file, 'prd\n');
  const touched = spawnSync('touch', ['-d', `@${mtimeNs / 1_000_000_000n}.${String(mtimeNs % 1_000_000_000n).padStart(9, '0')}`, file]);
  assert.equal(touched.status, 0, String(touched.stderr));
  assert.equal(statSync(file, { bigint: true }).mtimeNs, mtimeNs, 'the control: size and mtime as they were');
  const edited = readAwsprofile(file);
  assert.notEqual(edited.stamp?.signature, first.stamp?.signature, 'ctime moved');
  assert.equal(store.verdict(file, edited.bytes, edited.stamp), 'edited');
});

test('a stamp is good for one generation of the store: a deny after it wins', async () => {
  store.allow(file, Buffer.from('dev\n'));
  await delay(1100);
  const read = readAwsprofile(file);
  assert.equal(store.verdict(file, read.bytes, read.stamp), 'allowed');
  store.deny(file);
  assert.equal(store.verdict(file, read.bytes, read.stamp), 'denied');
});

test('a file allowed less than a second after its last change is hashed at every check, not remembered', () => {
  store.allow(file, Buffer.from('dev\n'));
  const read = readAwsprofile(file);
  assert.equal(store.verdict(file, read.bytes, read.stamp), 'allowed');
  assert.equal(existsSync(join(home, 'data', 'rolecall', 'trust-seen.json')), false);
});
