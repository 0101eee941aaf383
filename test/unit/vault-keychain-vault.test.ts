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
    const vault = new KeychainVault(once, join(dir, 'gen'), join(dir, 'locks'));
    await vault.set('rolecall', 'p', 'value');
    assert.equal(once.calls, 2);
    assert.equal(await vault.get('rolecall', 'p'), 'value');
    // Twice in a row is the keychain's answer, said in one line.
    const twice = new KeychainVault(racedKeytar(2), join(dir, 'gen'), join(dir, 'locks'));
    await assert.rejects(twice.get('rolecall', 'p'), /^RolecallError: the keychain refused: No such secret item/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('has asks for the one item, never a search of the service (libsecret reads every secret it finds), and says a locked keyring is locked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-keychain-'));
  try {
    const keytar = racedKeytar(0);
    const searched: string[] = [];
    const find = keytar.findCredentials;
    keytar.findCredentials = (service: string) => (searched.push(service), find(service));
    const vault = new KeychainVault(keytar, join(dir, 'gen'), join(dir, 'locks'));
    await vault.set('rolecall', 'p', 'value');
    assert.equal(await vault.has('rolecall', 'p'), true);
    assert.equal(await vault.has('rolecall', 'q'), false);
    assert.equal(await vault.has('rolecall-sessions', 'p'), false);
    assert.deepEqual(searched, []);
    // A locked keyring answers every lookup with nothing: that is not "no such item".
    const locked: Keytar = {
      ...racedKeytar(0),
      getPassword: async () => null,
      setPassword: async () => Promise.reject(new Error('Cannot create an item in a locked collection')),
    };
    await assert.rejects(new KeychainVault(locked, join(dir, 'gen'), join(dir, 'locks')).has('rolecall', 'p'), /^VaultAccessError: the keychain is locked \(Cannot create an item in a locked collection\); unlock the login keyring/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * A keytar whose search takes `searchMs` and notes every write made while a
 * search is under way: what libsecret kills the searching process for.
 */
function slowSearchKeytar(searchMs: number): Keytar & { readonly writesDuringSearch: string[]; readonly lookupsDuringSearch: string[] } {
  const items = new Map<string, string>();
  let searching = 0;
  const writesDuringSearch: string[] = [];
  const lookupsDuringSearch: string[] = [];
  return {
    writesDuringSearch,
    lookupsDuringSearch,
    async getPassword(service, account) {
      if (searching) lookupsDuringSearch.push(account);
      return items.get(`${service}/${account}`) ?? null;
    },
    async setPassword(service, account, password) {
      if (searching) writesDuringSearch.push(`set ${account}`);
      items.set(`${service}/${account}`, password);
    },
    async deletePassword(service, account) {
      if (searching) writesDuringSearch.push(`delete ${account}`);
      return items.delete(`${service}/${account}`);
    },
    async findCredentials(service) {
      searching++;
      await new Promise((resolve) => setTimeout(resolve, searchMs));
      searching--;
      return [...items].filter(([k]) => k.startsWith(`${service}/`)).map(([k, password]) => ({ account: k.slice(service.length + 1), password }));
    },
  };
}

test("a search of a service and the writes to it take turns among rolecalls; lookups and other services' writes do not wait", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-keychain-'));
  try {
    const keytar = slowSearchKeytar(150);
    // Two rolecalls: two vaults over the one keychain, their locks in the one cache directory.
    const lister = new KeychainVault(keytar, join(dir, 'gen'), join(dir, 'locks'));
    const writer = new KeychainVault(keytar, join(dir, 'gen'), join(dir, 'locks'));
    await writer.set('rolecall-sessions', 'a', '1');
    const listing = lister.list('rolecall-sessions');
    await new Promise((resolve) => setTimeout(resolve, 30));
    const looked = await writer.get('rolecall-sessions', 'a');
    await writer.set('rolecall', 'keys', 'k');
    assert.deepEqual(keytar.writesDuringSearch, ['set keys'], "another service's write goes on at once");
    await Promise.all([writer.set('rolecall-sessions', 'b', '2'), writer.remove('rolecall-sessions', 'a')]);
    assert.deepEqual(await listing, ['a']);
    assert.equal(looked, '1');
    assert.deepEqual(keytar.lookupsDuringSearch, ['a'], 'a lookup did not wait for the search');
    assert.deepEqual(keytar.writesDuringSearch, ['set keys'], 'the writes to the searched service waited for the search to end');
    assert.deepEqual(await lister.list('rolecall-sessions'), ['b']);

    // The control: rolecalls whose cache directories differ take no turns, and the fake sees it.
    const apart = new KeychainVault(keytar, join(dir, 'gen'), join(dir, 'other-locks'));
    const again = lister.list('rolecall-sessions');
    await new Promise((resolve) => setTimeout(resolve, 30));
    await apart.set('rolecall-sessions', 'c', '3');
    await again;
    assert.deepEqual(keytar.writesDuringSearch, ['set keys', 'set c']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
