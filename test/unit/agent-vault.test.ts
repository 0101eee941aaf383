/**
 * The agent's copy of a keychain entry is served only while the keychain's
 * generation marker is unchanged, against a real agent server in this
 * process. The keychain is a stand-in of ours (a map behind keytar's four
 * calls, named as a fake); the KeychainVault over it is rolecall's own, so
 * the marker is changed by the code that changes it for users.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ask, AgentLink } from '../../src/agent/agent-client.js';
import { agentPlace } from '../../src/agent/agent-dir.js';
import { serveAgent } from '../../src/agent/agent-server.js';
import { AgentVault, type AgentVaultSpec } from '../../src/agent/agent-vault.js';
import { KeychainVault } from '../../src/vault/keychain-vault.js';
import { KEYS_SERVICE, SESSIONS_SERVICE } from '../../src/vault/vault.js';

const root = mkdtempSync(join(tmpdir(), 'rolecall-agent-vault-'));
const place = agentPlace({ HOME: root, XDG_RUNTIME_DIR: root });
const marker = join(root, 'state', 'vault-generation', 'keychain');
let served: Promise<unknown>;

before(async () => {
  served = serveAgent({ place, ttlSeconds: 60 });
  for (let i = 0; i < 100 && !('reply' in (await ask(place, { op: 'ping' }))); i++) await new Promise((r) => setTimeout(r, 20));
});
after(async () => {
  await ask(place, { op: 'lock' });
  await served;
  rmSync(root, { recursive: true, force: true });
});

/** A fake keychain: keytar's calls over one map, shared by every "rolecall" of a test; `duringGet` runs inside a read. */
function fakeKeychain() {
  const items = new Map<string, string>();
  const hooks: { duringGet?: () => Promise<void> } = {};
  const keytar = {
    async getPassword(service: string, account: string) {
      const value = items.get(`${service}/${account}`) ?? null;
      const during = hooks.duringGet;
      hooks.duringGet = undefined;
      await during?.();
      return value;
    },
    async setPassword(service: string, account: string, password: string) {
      items.set(`${service}/${account}`, password);
    },
    async deletePassword(service: string, account: string) {
      return items.delete(`${service}/${account}`);
    },
    async findCredentials() {
      return [];
    },
  };
  return { hooks, vault: () => new KeychainVault(keytar, marker, join(root, 'cache', 'locks')) };
}

/** One rolecall with the agent: a new link (as each command has) over the shared keychain. */
function withAgent(keychain: ReturnType<typeof fakeKeychain>): AgentVault {
  const spec: AgentVaultSpec = { link: new AgentLink(place), chosen: 'keychain', fileDir: join(root, 'vault'), keychainGeneration: marker, open: async () => keychain.vault() };
  return new AgentVault(spec, 'keychain');
}

test('a removal by a rolecall that does not tell the agent: its copy is not served', async () => {
  const keychain = fakeKeychain();
  const account = 'removed-behind-its-back';
  await withAgent(keychain).set(KEYS_SERVICE, account, '{"k":1}');
  assert.equal(await withAgent(keychain).get(KEYS_SERVICE, account), '{"k":1}');
  // ROLECALL_AGENT=off, or an agent stopped when the drop was sent: only the keychain changes.
  assert.equal(await keychain.vault().remove(KEYS_SERVICE, account), true);
  assert.equal(await withAgent(keychain).get(KEYS_SERVICE, account), undefined);
});

test('a value read just before another rolecall removes it is not brought back by the put that follows', async () => {
  const keychain = fakeKeychain();
  const account = 'removed-during-a-read';
  await keychain.vault().set(KEYS_SERVICE, account, '{"k":2}');
  keychain.hooks.duringGet = async () => {
    assert.equal(await withAgent(keychain).remove(KEYS_SERVICE, account), true);
  };
  // A miss: the keychain is read (and the entry removed meanwhile), then the value read is handed to the agent.
  assert.equal(await withAgent(keychain).get(KEYS_SERVICE, account), '{"k":2}');
  assert.equal(keychain.hooks.duringGet, undefined, 'the removal ran inside the read');
  const status = await ask(place, { op: 'status' });
  assert.ok('reply' in status && status.reply.ok && status.reply.status?.entries.some((e) => e.account === account), 'the agent was handed the value read');
  assert.equal(await withAgent(keychain).get(KEYS_SERVICE, account), undefined, 'the removed entry is not served');
});

test('an update by another rolecall is served, not the copy before it', async () => {
  const keychain = fakeKeychain();
  const account = 'updated';
  await withAgent(keychain).set(KEYS_SERVICE, account, '{"k":"old"}');
  await keychain.vault().set(KEYS_SERVICE, account, '{"k":"new"}');
  assert.equal(await withAgent(keychain).get(KEYS_SERVICE, account), '{"k":"new"}');
  assert.equal(await withAgent(keychain).get(KEYS_SERVICE, account), '{"k":"new"}');
});

test('a write of one entry leaves the agent serving the others: each has its own marker', async () => {
  const keychain = fakeKeychain();
  await withAgent(keychain).set(KEYS_SERVICE, 'kept', '{"k":3}');
  await keychain.vault().set(SESSIONS_SERVICE, 'a-session', '{"s":1}');
  const reader = withAgent(keychain);
  keychain.hooks.duringGet = async () => assert.fail('the keychain was read: the agent dropped an entry nobody changed');
  assert.equal(await reader.get(KEYS_SERVICE, 'kept'), '{"k":3}');
  keychain.hooks.duringGet = undefined;
});
