import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, symlinkSync, lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkProfileName, ensureProfileSection } from '../../src/vault/profile-section.js';

const homes: string[] = [];
after(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

function home(config?: string): { env: Record<string, string>; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-section-'));
  homes.push(dir);
  const path = join(dir, '.aws', 'config');
  if (config !== undefined) {
    mkdirSync(join(dir, '.aws'));
    writeFileSync(path, config);
  }
  return { env: { HOME: dir }, path };
}

test('appends [profile NAME] after the last byte, adding a newline only when the file lacks one', () => {
  const { env, path } = home('[profile a]\nregion = x');
  assert.equal(ensureProfileSection(env, 'b'), path);
  assert.equal(readFileSync(path, 'utf8'), '[profile a]\nregion = x\n[profile b]\n');
  assert.equal(ensureProfileSection(env, 'b'), undefined, 'present now: nothing appended');
  assert.equal(ensureProfileSection(env, 'a'), undefined);
  assert.equal(readFileSync(path, 'utf8'), '[profile a]\nregion = x\n[profile b]\n');
});

test('keeps CRLF files CRLF, writes [default] for default, and keeps the mode', () => {
  const { env, path } = home('[profile a]\r\nregion = x\r\n');
  chmodSync(path, 0o640);
  ensureProfileSection(env, 'default');
  assert.equal(readFileSync(path, 'utf8'), '[profile a]\r\nregion = x\r\n[default]\r\n');
  assert.equal(statSync(path).mode & 0o777, 0o640);
});

test('creates a missing config file 0600', () => {
  const { env, path } = home();
  ensureProfileSection(env, 'new');
  assert.equal(readFileSync(path, 'utf8'), '[profile new]\n');
  assert.equal(statSync(path).mode & 0o777, 0o600);
});

test('writes through a symlinked config file to its target', () => {
  const { env, path } = home();
  const target = join(env.HOME as string, 'dotfiles-config');
  writeFileSync(target, '[profile a]\n');
  mkdirSync(join(env.HOME as string, '.aws'));
  symlinkSync(target, path);
  ensureProfileSection(env, 'b');
  assert.ok(lstatSync(path).isSymbolicLink());
  assert.equal(readFileSync(target, 'utf8'), '[profile a]\n[profile b]\n');
});

test('names botocore would read back differently are refused', () => {
  for (const bad of ['', 'my profile', 'a"b', "it's", 'x]', 'tab\there', 'a\\b']) assert.throws(() => checkProfileName(bad), /cannot be a profile name/, bad);
  for (const good of ['prod', 'prod-admin', 'team/app', 'a.b@c+d=e,f', 'ünïcode']) checkProfileName(good);
});
