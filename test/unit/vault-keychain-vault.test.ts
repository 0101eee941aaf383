import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { KeychainVault, type Keytar } from '../../src/vault/keychain-vault.js';

/** A keytar whose calls fail as libsecret's do when another process removed the item found: `failures` times, then as asked. */
function racedKeytar(failures: number): Keytar & { calls: number } {
  const items = new Map<string, string>();
  let left = failures;
  const raced = <T>(body: () => T): Promise<T> => {
    keytar.calls += 1;
    if (left-- > 0) return Promise.reject(new Error('No such secret item at path: /org/freedesktop/secrets/collection/login/35'));
    return Promise.resolve(body());
  };
  const keytar = {
    calls: 0,
    getPassword: (service: string, account: string) => raced(() => items.get(`${service}/${account}`) ?? null),
    setPassword: (service: string, account: string, password: string) => raced(() => void items.set(`${service}/${account}`, password)),
    deletePassword: (service: string, account: string) => raced(() => items.delete(`${service}/${account}`)),
    findCredentials: (service: string) => raced(() => [...items].filter(([k]) => k.startsWith(`${service}/`)).map(([k, password]) => ({ account: k.slice(service.length + 1), password }))),
  };
  return keytar;
}

test('an item removed by another process between libsecret\'s search and its use is tried once more', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-keychain-'));
  try {
    const once = racedKeytar(1);
    const vault = new KeychainVault(once, join(dir, 'gen'));
    await vault.set('rolecall', 'p', 'value');
    assert.equal(once.calls, 2);
    assert.equal(await vault.get('rolecall', 'p'), 'value');
    // Twice in a row is the keychain's answer, said in one line.
    const twice = new KeychainVault(racedKeytar(2), join(dir, 'gen'));
    await assert.rejects(twice.get('rolecall', 'p'), /^RolecallError: the keychain refused: No such secret item/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('has asks for the one item, never a search of the service (libsecret reads every secret it finds)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-keychain-'));
  try {
    const keytar = racedKeytar(0);
    const searched: string[] = [];
    const find = keytar.findCredentials;
    keytar.findCredentials = (service: string) => (searched.push(service), find(service));
    const vault = new KeychainVault(keytar, join(dir, 'gen'));
    await vault.set('rolecall', 'p', 'value');
    assert.equal(await vault.has('rolecall', 'p'), true);
    assert.equal(await vault.has('rolecall', 'q'), false);
    assert.equal(await vault.has('rolecall-sessions', 'p'), false);
    assert.deepEqual(searched, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
