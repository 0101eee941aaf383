import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryVault } from '../../src/vault/memory-vault.js';
import { KEYS_SERVICE, SESSIONS_SERVICE } from '../../src/vault/vault.js';

test('the memory vault keeps services apart and lists accounts sorted', async () => {
  const vault = new MemoryVault();
  await vault.set(KEYS_SERVICE, 'prod', 'p');
  await vault.set(KEYS_SERVICE, 'dev', 'd');
  await vault.set(SESSIONS_SERVICE, 'prod', 's');
  assert.equal(await vault.get(KEYS_SERVICE, 'prod'), 'p');
  assert.equal(await vault.get(SESSIONS_SERVICE, 'prod'), 's');
  assert.deepEqual(await vault.list(KEYS_SERVICE), ['dev', 'prod']);
  assert.equal(await vault.has(KEYS_SERVICE, 'dev'), true);
  assert.equal(await vault.has(SESSIONS_SERVICE, 'dev'), false);
  assert.equal(await vault.remove(KEYS_SERVICE, 'prod'), true);
  assert.equal(await vault.remove(KEYS_SERVICE, 'prod'), false);
  assert.equal(await vault.get(KEYS_SERVICE, 'prod'), undefined);
  assert.equal(await vault.has(KEYS_SERVICE, 'prod'), false);
  assert.deepEqual(await vault.list('nothing'), []);
});
