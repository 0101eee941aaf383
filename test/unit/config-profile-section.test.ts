import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, symlinkSync, lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkProfileName, ensureProfileSection } from '../../src/config/profile-section.js';

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

test('appends [profile NAME] after the last byte, adding a newline only when the file lacks one', async () => {
  const { env, path } = home('[profile a]\nregion = x');
  assert.equal(await ensureProfileSection(env, 'b'), path);
  assert.equal(readFileSync(path, 'utf8'), '[profile a]\nregion = x\n[profile b]\n');
  assert.equal(await ensureProfileSection(env, 'b'), undefined, 'present now: nothing appended');
  assert.equal(await ensureProfileSection(env, 'a'), undefined);
  assert.equal(readFileSync(path, 'utf8'), '[profile a]\nregion = x\n[profile b]\n');
});

test('keeps CRLF files CRLF, writes [default] for default, and keeps the mode', async () => {
  const { env, path } = home('[profile a]\r\nregion = x\r\n');
  chmodSync(path, 0o640);
  await ensureProfileSection(env, 'default');
  assert.equal(readFileSync(path, 'utf8'), '[profile a]\r\nregion = x\r\n[default]\r\n');
  assert.equal(statSync(path).mode & 0o777, 0o640);
});

test('creates a missing config file 0600', async () => {
  const { env, path } = home();
  await ensureProfileSection(env, 'new');
  assert.equal(readFileSync(path, 'utf8'), '[profile new]\n');
  assert.equal(statSync(path).mode & 0o777, 0o600);
});

test('writes through a symlinked config file to its target', async () => {
  const { env, path } = home();
  const target = join(env.HOME as string, 'dotfiles-config');
  writeFileSync(target, '[profile a]\n');
  mkdirSync(join(env.HOME as string, '.aws'));
  symlinkSync(target, path);
  await ensureProfileSection(env, 'b');
  assert.ok(lstatSync(path).isSymbolicLink());
  assert.equal(readFileSync(target, 'utf8'), '[profile a]\n[profile b]\n');
});

test('names botocore would read back differently are refused', async () => {
  for (const bad of ['', 'my profile', 'a"b', "it's", 'x]', 'tab\there', 'a\\b']) assert.throws(() => checkProfileName(bad), /cannot be a profile name/, bad);
  for (const good of ['prod', 'prod-admin', 'team/app', 'a.b@c+d=e,f', 'ünïcode']) checkProfileName(good);
});

test('processes appending at the same moment keep every section, once each', async () => {
  const { env, path } = home('[profile base]\nregion = eu-west-1\n');
  const go = join(env.HOME as string, 'go');
  const module = new URL('../../src/config/profile-section.js', import.meta.url).href;
  // Each process waits for the same start file, then appends its own section.
  const script = `const { existsSync } = await import('node:fs');
while (!existsSync(process.env.GO)) await new Promise((r) => setTimeout(r, 2));
const { ensureProfileSection } = await import(process.env.MODULE);
await ensureProfileSection(process.env, process.env.NAME);`;
  const names = Array.from({ length: 8 }, (_, i) => `p${i}`);
  const { spawn } = await import('node:child_process');
  const ended = names.map(
    (name) =>
      new Promise<number | null>((resolve) =>
        spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env, GO: go, MODULE: module, NAME: name }, stdio: 'inherit' }).on('exit', resolve),
      ),
  );
  await new Promise((r) => setTimeout(r, 400));
  writeFileSync(go, '');
  assert.deepEqual(await Promise.all(ended), names.map(() => 0));
  const config = readFileSync(path, 'utf8');
  for (const name of names) assert.equal(config.split(`[profile ${name}]\n`).length - 1, 1, config);
});

test('with no cache directory to lock in, the section is still appended', async () => {
  const { env, path } = home('[profile a]\n');
  const notADirectory = join(env.HOME as string, 'cache-is-a-file');
  writeFileSync(notADirectory, '');
  assert.equal(await ensureProfileSection({ ...env, XDG_CACHE_HOME: notADirectory }, 'b'), path);
  assert.equal(readFileSync(path, 'utf8'), '[profile a]\n[profile b]\n');
});
