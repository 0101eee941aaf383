import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { bumpVaultGeneration, vaultGeneration } from '../../src/vault/vault-generation.js';

const root = mkdtempSync(join(tmpdir(), 'rolecall-generation-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('every change of an item gives it a generation it never had, also past the marker\'s reset', () => {
  const dir = join(root, 'keychain');
  assert.equal(vaultGeneration(dir, 's', 'a'), 'gen:none');
  const seen = new Set(['gen:none']);
  // Back to back, within one tick of a coarse clock, and across the file's replacement at 4096 bytes.
  for (let i = 0; i < 4200; i++) {
    bumpVaultGeneration(dir, 's', 'a');
    const generation = vaultGeneration(dir, 's', 'a');
    assert.ok(!seen.has(generation), `change ${i} repeated ${generation}`);
    seen.add(generation);
  }
  assert.equal(statSync(dir).mode & 0o777, 0o700);
});

test('items have their own markers: a change of one leaves the others as they were', () => {
  const dir = join(root, 'two');
  bumpVaultGeneration(dir, 's', 'a');
  const before = vaultGeneration(dir, 's', 'b');
  const ofA = vaultGeneration(dir, 's', 'a');
  bumpVaultGeneration(dir, 's', 'a');
  assert.equal(vaultGeneration(dir, 's', 'b'), before);
  assert.notEqual(vaultGeneration(dir, 's', 'a'), ofA);
  bumpVaultGeneration(dir, 't', 'a');
  assert.notEqual(vaultGeneration(dir, 't', 'a'), 'gen:none');
});
