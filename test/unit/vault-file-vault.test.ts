/**
 * The encrypted-file backend on a real file system: what is on disk, what a
 * wrong passphrase or one flipped byte does, and several processes writing
 * at once (real processes, since a lock or its absence only shows there).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { VaultAccessError } from '../../src/base/errors.js';
import { FileVault } from '../../src/vault/file-vault.js';
import { openFileVault } from '../../src/pipeline/open-vault.js';
import type { PassphrasePurpose, PassphraseSource } from '../../src/vault/vault-passphrase.js';
import { KEYS_SERVICE, SESSIONS_SERVICE } from '../../src/vault/vault.js';
import { fileVaultDir } from '../../src/fs/rolecall-dirs.js';

const homes: string[] = [];
after(() => homes.forEach((home) => rmSync(home, { recursive: true, force: true })));

function sandboxEnv(passphrase: string): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), 'rolecall-vault-'));
  homes.push(home);
  return { HOME: home, XDG_DATA_HOME: join(home, 'data'), ROLECALL_FILE_PASSPHRASE: passphrase };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

test('a value written with one vault object reads back with a new one, and never appears on disk in plain text', async () => {
  const env = sandboxEnv(`pass-${randomBytes(8).toString('hex')}`);
  const secret = `secret-${randomBytes(16).toString('hex')}`;
  await openFileVault(env).set(KEYS_SERVICE, 'prod/admin team', secret);
  const again = openFileVault(env);
  assert.equal(await again.get(KEYS_SERVICE, 'prod/admin team'), secret);
  assert.deepEqual(await again.list(KEYS_SERVICE), ['prod/admin team']);
  assert.deepEqual(await again.list(SESSIONS_SERVICE), []);
  assert.equal(await again.get(KEYS_SERVICE, 'other'), undefined);
  for (const file of filesUnder(fileVaultDir(env))) {
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes(secret), `${file} holds the secret in plain text`);
    assert.ok(!text.includes(env.ROLECALL_FILE_PASSPHRASE as string), `${file} holds the passphrase`);
  }
  assert.equal(await again.remove(KEYS_SERVICE, 'prod/admin team'), true);
  assert.equal(await again.remove(KEYS_SERVICE, 'prod/admin team'), false);
  assert.equal(await openFileVault(env).get(KEYS_SERVICE, 'prod/admin team'), undefined);
});

test('each write uses a fresh nonce: the same value twice gives different files', async () => {
  const env = sandboxEnv('nonce-test-passphrase');
  const vault = openFileVault(env);
  await vault.set(KEYS_SERVICE, 'a', 'same value');
  const [item] = filesUnder(join(fileVaultDir(env), KEYS_SERVICE));
  const first = readFileSync(item as string, 'utf8');
  await vault.set(KEYS_SERVICE, 'a', 'same value');
  assert.notEqual(readFileSync(item as string, 'utf8'), first);
});

test('files are 0600 in 0700 directories, and no temp file is left behind', async () => {
  const env = sandboxEnv('perm-test-passphrase');
  await openFileVault(env).set(KEYS_SERVICE, 'p', 'v');
  const dir = fileVaultDir(env);
  for (const d of [dirname(dir), dir, join(dir, KEYS_SERVICE)]) assert.equal(statSync(d).mode & 0o777, 0o700, d);
  const files = filesUnder(dir);
  assert.equal(files.length, 2, files.join(', '));
  for (const f of files) {
    assert.equal(statSync(f).mode & 0o777, 0o600, f);
    assert.ok(!f.endsWith('.tmp'), f);
  }
});

test('a wrong passphrase is one clear error and changes nothing', async () => {
  const env = sandboxEnv('the-right-passphrase');
  await openFileVault(env).set(KEYS_SERVICE, 'p', 'value');
  const before = filesUnder(fileVaultDir(env)).map((f) => readFileSync(f, 'utf8'));
  const wrong = { ...env, ROLECALL_FILE_PASSPHRASE: 'not-the-passphrase' };
  await assert.rejects(openFileVault(wrong).get(KEYS_SERVICE, 'p'), /ROLECALL_FILE_PASSPHRASE is not the passphrase of the file vault ~\/data\/rolecall\/vault; nothing was changed/);
  await assert.rejects(openFileVault(wrong).set(KEYS_SERVICE, 'q', 'other'), /is not the passphrase/);
  assert.deepEqual(filesUnder(fileVaultDir(env)).map((f) => readFileSync(f, 'utf8')), before);
  assert.equal(await openFileVault(env).get(KEYS_SERVICE, 'p'), 'value');
});

/** A fake terminal: answers in order, and records which questions were asked anew. */
function typedAnswers(answers: string[]): PassphraseSource & { asked: PassphrasePurpose[] } {
  const asked: PassphrasePurpose[] = [];
  const source = async (purpose: PassphrasePurpose) => {
    asked.push(purpose);
    const value = answers.shift();
    if (value === undefined) throw new Error('asked more often than the test typed');
    return { value, from: 'terminal' as const };
  };
  return Object.assign(source, { asked });
}

test('at the terminal a wrong passphrase is asked again: the right one on the second try opens the vault', async () => {
  const env = sandboxEnv('the-right-passphrase');
  await openFileVault(env).set(KEYS_SERVICE, 'p', 'value');
  const { ROLECALL_FILE_PASSPHRASE: _, ...without } = env;
  const terminal = typedAnswers(['the-wrong-passphrase', 'the-right-passphrase']);
  const vault = new FileVault(fileVaultDir(env), terminal, without);
  await vault.set(KEYS_SERVICE, 'q', 'other');
  assert.deepEqual(terminal.asked.map((p) => p.again ?? false), [false, true]);
  assert.equal(await openFileVault(env).get(KEYS_SERVICE, 'q'), 'other', 'written with the right key');
});

test('three wrong passphrases at the terminal: one clear error, nothing written', async () => {
  const env = sandboxEnv('the-right-passphrase');
  await openFileVault(env).set(KEYS_SERVICE, 'p', 'value');
  const before = filesUnder(fileVaultDir(env)).map((f) => readFileSync(f, 'utf8'));
  const { ROLECALL_FILE_PASSPHRASE: _, ...without } = env;
  const terminal = typedAnswers(['wrong-1', 'wrong-2', '', 'the-right-passphrase']);
  await assert.rejects(new FileVault(fileVaultDir(env), terminal, without).set(KEYS_SERVICE, 'q', 'other'), (error: Error) => {
    assert.ok(error instanceof VaultAccessError);
    assert.equal(error.message, 'wrong passphrase of the file vault ~/data/rolecall/vault (3 tries); nothing was changed');
    return true;
  });
  assert.equal(terminal.asked.length, 3, 'a fourth try is never asked for');
  assert.deepEqual(filesUnder(fileVaultDir(env)).map((f) => readFileSync(f, 'utf8')), before);
});

test('vault.json gone while items remain is not a new vault: nothing is created or written', async () => {
  const env = sandboxEnv('header-gone-passphrase');
  await openFileVault(env).set(KEYS_SERVICE, 'p', 'value');
  const dir = fileVaultDir(env);
  rmSync(join(dir, 'vault.json'));
  const before = filesUnder(dir);
  await assert.rejects(openFileVault({ ...env, ROLECALL_FILE_PASSPHRASE: 'another-passphrase' }).set(KEYS_SERVICE, 'q', 'v'), /vault\.json is missing, so the items beside it cannot be decrypted; nothing was changed/);
  assert.deepEqual(filesUnder(dir), before);
});

test('one flipped byte in an item is detected, named by file, and the item is not overwritten', async () => {
  const env = sandboxEnv('flip-test-passphrase');
  await openFileVault(env).set(KEYS_SERVICE, 'p', 'a value long enough to flip a byte in');
  const [item] = filesUnder(join(fileVaultDir(env), KEYS_SERVICE)) as [string];
  const parsed = JSON.parse(readFileSync(item, 'utf8')) as { sealed: { data: string } };
  const data = Buffer.from(parsed.sealed.data, 'base64');
  data[3] = (data[3] as number) ^ 0x01;
  parsed.sealed.data = data.toString('base64');
  const tampered = JSON.stringify(parsed);
  writeFileSync(item, tampered);
  await assert.rejects(openFileVault(env).get(KEYS_SERVICE, 'p'), /~\/data\/rolecall\/vault\/rolecall\/p\.item was changed or is damaged/);
  await assert.rejects(openFileVault(env).set(KEYS_SERVICE, 'p', 'new'), /p\.item was changed or is damaged/);
  assert.equal(readFileSync(item, 'utf8'), tampered);
});

test('an item copied over another one does not open (it is bound to its name)', async () => {
  const env = sandboxEnv('swap-test-passphrase');
  const vault = openFileVault(env);
  await vault.set(KEYS_SERVICE, 'a', 'value of a');
  await vault.set(KEYS_SERVICE, 'b', 'value of b');
  const dir = join(fileVaultDir(env), KEYS_SERVICE);
  writeFileSync(join(dir, 'b.item'), readFileSync(join(dir, 'a.item')));
  await assert.rejects(openFileVault(env).get(KEYS_SERVICE, 'b'), /b\.item was changed or is damaged/);
});

test('a damaged vault.json is named, not replaced', async () => {
  const env = sandboxEnv('header-test-passphrase');
  await openFileVault(env).set(KEYS_SERVICE, 'p', 'v');
  const header = join(fileVaultDir(env), 'vault.json');
  writeFileSync(header, '{"format": "rolecall-file-vault", ');
  await assert.rejects(openFileVault(env).set(KEYS_SERVICE, 'q', 'v'), /vault\.json was changed or is damaged/);
  assert.equal(readFileSync(header, 'utf8'), '{"format": "rolecall-file-vault", ');
});

test('reading a missing item, listing, asking whether an item exists and removing need no passphrase', async () => {
  const env = sandboxEnv('no-pass-needed');
  await openFileVault(env).set(KEYS_SERVICE, 'p', 'v');
  const { ROLECALL_FILE_PASSPHRASE: _, ...without } = env;
  const vault = openFileVault(without);
  assert.equal(await vault.get(KEYS_SERVICE, 'missing'), undefined);
  assert.deepEqual(await vault.list(KEYS_SERVICE), ['p']);
  assert.equal(await vault.has(KEYS_SERVICE, 'p'), true);
  assert.equal(await vault.has(KEYS_SERVICE, 'missing'), false);
  assert.equal(await vault.has(SESSIONS_SERVICE, 'p'), false);
  await assert.rejects(vault.get(KEYS_SERVICE, 'p'), /needs a passphrase: set ROLECALL_FILE_PASSPHRASE, or run rolecall from a terminal/);
  assert.equal(await vault.remove(KEYS_SERVICE, 'p'), true);
  assert.equal(await vault.has(KEYS_SERVICE, 'p'), false);
});

const openVaultModule = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'pipeline', 'open-vault.js')).href;

/** A separate node process that writes `count` items into the vault as fast as it can. */
function writer(env: Record<string, string>, prefix: string, count: number): Promise<number | null> {
  const script = `
    const { openFileVault } = await import(${JSON.stringify(openVaultModule)});
    const vault = openFileVault(process.env);
    for (let i = 0; i < ${count}; i++) await vault.set('rolecall-sessions', '${prefix}-' + i, 'value ' + i);
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
}

test('four processes creating the vault and writing at once lose nothing', async () => {
  const env = sandboxEnv('concurrent-passphrase');
  const statuses = await Promise.all(['a', 'b', 'c', 'd'].map((prefix) => writer(env, prefix, 25)));
  assert.deepEqual(statuses, [0, 0, 0, 0]);
  const vault = openFileVault(env);
  const names = await vault.list(SESSIONS_SERVICE);
  assert.equal(names.length, 100);
  for (const prefix of ['a', 'b', 'c', 'd']) assert.equal(await vault.get(SESSIONS_SERVICE, `${prefix}-24`), 'value 24');
  assert.deepEqual(readdirSync(join(fileVaultDir(env), SESSIONS_SERVICE)).filter((n) => n.endsWith('.tmp')), []);
});

test('a kept key (the agent\'s) opens the vault without the passphrase; a wrong one is not used, and the derived key is handed over', async () => {
  const env = sandboxEnv(`pass-${randomBytes(8).toString('hex')}`);
  let kept: Buffer | undefined;
  const keeper = { recall: async () => kept, remember: async (key: Buffer) => void (kept = Buffer.from(key)) };
  await openFileVault(env, undefined, true, keeper).set(KEYS_SERVICE, 'p', 'value');
  assert.equal(kept?.length, 32, 'the key of the new vault was handed over');
  const noPassphrase = { ...env, ROLECALL_FILE_PASSPHRASE: '' };
  const asked: PassphrasePurpose[] = [];
  const refuse: PassphraseSource = async (purpose) => {
    asked.push(purpose);
    throw new VaultAccessError('asked for the passphrase');
  };
  const served = new FileVault(fileVaultDir(env), refuse, noPassphrase, undefined, false, keeper);
  assert.equal(await served.get(KEYS_SERVICE, 'p'), 'value');
  assert.deepEqual(asked, [], 'no passphrase asked with the kept key');

  const right = kept;
  kept = randomBytes(32);
  const wrongKey = new FileVault(fileVaultDir(env), refuse, noPassphrase, undefined, false, keeper);
  await assert.rejects(wrongKey.get(KEYS_SERVICE, 'p'), /asked for the passphrase/);
  assert.equal(asked.length, 1, 'a key that does not open the check value is not used: the passphrase is asked');
  const rederived = openFileVault(env, undefined, false, keeper);
  assert.equal(await rederived.get(KEYS_SERVICE, 'p'), 'value');
  assert.deepEqual(kept, right, 'the key derived from the passphrase replaced the wrong one');
});
