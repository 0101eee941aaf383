/**
 * exec's vault lookup (pipeline/vault-keys.ts): opened on the first lookup
 * only (a cached exec never reaches the source keys, so it must not pay for
 * keytar or a passphrase), vault first, then the keys the Plan found in a
 * file, with a one-time notice.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MemoryVault } from '../../src/vault/memory-vault.js';
import { encodeKeys } from '../../src/vault/stored-keys.js';
import { commandContext } from '../../src/pipeline/command-context.js';
import { vaultKeyLookup } from '../../src/pipeline/vault-keys.js';
import { KEYS_SERVICE, type Vault } from '../../src/vault/vault.js';

const homes: string[] = [];
after(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

function sandboxHome(credentials = ''): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), 'rolecall-ext-'));
  homes.push(home);
  mkdirSync(join(home, '.aws'));
  writeFileSync(join(home, '.aws', 'credentials'), credentials);
  return { HOME: home, XDG_STATE_HOME: join(home, 'state') };
}

function counting(vault: Vault): { open: () => Promise<Vault>; opened: () => number } {
  let count = 0;
  return {
    open: async () => {
      count++;
      return vault;
    },
    opened: () => count,
  };
}

const KEYS = { accessKeyId: 'AKIAABCDEFGHIJKLMNOP', secretAccessKey: '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' };

test('the vault is not opened until a lookup, and then once', async () => {
  const vault = new MemoryVault();
  await vault.set(KEYS_SERVICE, 'base', encodeKeys(KEYS));
  const probe = counting(vault);
  const context = commandContext(sandboxHome(), { openVault: probe.open });
  const lookupVault = vaultKeyLookup(context, { kind: 'profileKeys', profile: 'base' });
  assert.equal(probe.opened(), 0, 'building the lookup opens nothing');
  assert.deepEqual(await lookupVault('base'), KEYS);
  // Nowhere at all: which vault was searched, for the one-line "has no keys" error.
  assert.deepEqual(await vaultKeyLookup(context, { kind: 'profileKeys', profile: 'other' })('other'), { missingFrom: 'the memory vault' });
  assert.equal(probe.opened(), 1);
});

test('a profile without vault keys but with keys in the credentials file: undefined, so the provider uses the file', async () => {
  const env = sandboxHome();
  const source = { kind: 'profileKeys' as const, profile: 'plain', fileKeys: KEYS, file: join(env.HOME as string, '.aws', 'credentials') };
  const lookupVault = vaultKeyLookup(commandContext(env, { openVault: async () => new MemoryVault() }), source);
  assert.equal(await lookupVault('plain'), undefined);
});

test('an entry that is not keys is an error, not a silent fall back to the file', async () => {
  const vault = new MemoryVault();
  await vault.set(KEYS_SERVICE, 'broken', 'garbage');
  const lookupVault = vaultKeyLookup(commandContext(sandboxHome(), { openVault: async () => vault }), { kind: 'profileKeys', profile: 'broken' });
  await assert.rejects(lookupVault('broken'), /memory vault's entry for profile "broken" is not keys rolecall wrote/);
});
