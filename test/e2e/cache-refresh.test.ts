/**
 * When a cached session is not used: less than ROLECALL_MIN_TTL left,
 * expired (and then purged), unreadable (replaced); and a cache that cannot
 * be written costs one warning line, not the command.
 */
import assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openVault } from '../../src/pipeline/open-vault.js';
import { SESSIONS_SERVICE } from '../../src/vault/vault.js';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall } from '../helpers/sandbox.js';
import { credentialsFile, randomKeys, rolesOverBase, stsWorldPerTest } from '../helpers/sts-world.js';

const CONFIG = rolesOverBase({ app: 'App' }, 'duration_seconds = 900\n');

const KEY_ID = /^AWS_ACCESS_KEY_ID=(.*)$/m;

describe('session cache: refreshing', { concurrency: false }, () => {
  const suite = stsWorldPerTest((box) => {
    box.write('.aws/config', CONFIG);
    box.write('.aws/credentials', credentialsFile({ base: randomKeys() }));
  });

  async function keyIdOfExec(env: Record<string, string> = {}, extra: string[] = []): Promise<{ keyId: string; stderr: string }> {
    const run = await runRolecall(suite.box, ['exec', 'app', ...extra, '--', 'env'], { env });
    assert.equal(run.status, 0, run.stderr);
    return { keyId: KEY_ID.exec(run.stdout)?.[1] ?? '', stderr: run.stderr };
  }

  test('a session with less than ROLECALL_MIN_TTL left is refreshed; with enough left it is reused', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const first = await keyIdOfExec();
    // 900 s sessions: the default minimum (300 s) keeps it, 901 s does not.
    assert.equal((await keyIdOfExec()).keyId, first.keyId);
    assert.equal(suite.world.proxy.count('AssumeRole'), 1);
    const refreshed = await keyIdOfExec({ ROLECALL_MIN_TTL: '901' }, ['--debug']);
    assert.notEqual(refreshed.keyId, first.keyId);
    assert.match(refreshed.stderr, /less than ROLECALL_MIN_TTL \(901s\): refreshing/);
    assert.equal(suite.world.proxy.count('AssumeRole'), 2);
    assert.equal((await keyIdOfExec()).keyId, refreshed.keyId, 'the refreshed session replaced the old one');
    assert.equal(suite.world.proxy.count('AssumeRole'), 2);
  });

  test('an expired session is refreshed and purged', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const first = await keyIdOfExec();
    const vault = await openVault(suite.box.env);
    const [account] = await vault.list(SESSIONS_SERVICE);
    assert.ok(account);
    const stored = JSON.parse((await vault.get(SESSIONS_SERVICE, account)) as string) as Record<string, unknown>;
    await vault.set(SESSIONS_SERVICE, account, JSON.stringify({ ...stored, expiration: new Date(Date.now() - 60_000).toISOString() }));
    const second = await keyIdOfExec({}, ['--debug']);
    assert.match(second.stderr, /has expired: removed/);
    assert.notEqual(second.keyId, first.keyId);
    assert.equal(suite.world.proxy.count('AssumeRole'), 2);
    // `list`-style reading purges too: an expired entry is gone once seen.
    await vault.set(SESSIONS_SERVICE, account, JSON.stringify({ ...stored, expiration: new Date(Date.now() - 60_000).toISOString() }));
    const { listSessions } = await import('../../src/cache/session-admin.js');
    assert.deepEqual(await listSessions(vault), []);
    assert.deepEqual(await vault.list(SESSIONS_SERVICE), []);
  });

  test('an entry that cannot be decrypted is a miss, replaced by a fresh session', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    await keyIdOfExec();
    const dir = join(suite.box.home, '.local', 'share', 'rolecall', 'vault', 'rolecall-sessions');
    const items = readdirSync(dir).filter((name) => name.endsWith('.item'));
    assert.equal(items.length, 1);
    writeFileSync(join(dir, items[0] as string), '{"version":1,"sealed":{"nonce":"AAAA","data":"AAAA","tag":"AAAA"}}\n');
    const replaced = await keyIdOfExec();
    assert.ok(replaced.keyId.startsWith('ASIA'));
    assert.equal(suite.world.proxy.count('AssumeRole'), 2);
    await keyIdOfExec();
    assert.equal(suite.world.proxy.count('AssumeRole'), 2, 'the fresh session was cached in its place');
  });

  test('a cache that cannot be written is one warning line, and the command runs', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    // A file where the sessions directory should be: no write can succeed, even as root.
    const vaultDir = join(suite.box.home, '.local', 'share', 'rolecall', 'vault');
    suite.box.write('.local/share/rolecall/vault/rolecall-sessions', 'not a directory\n');
    const run = await runRolecall(suite.box, ['exec', 'app', '--', 'sh', '-c', 'echo ran']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'ran\n');
    const warnings = run.stderr.split('\n').filter((line) => line.includes('was not cached'));
    assert.equal(warnings.length, 1, run.stderr);
    assert.match(warnings[0] as string, /^rolecall: warning: the session of profile "app" was not cached: /);
    rmSync(vaultDir, { recursive: true, force: true });
  });
});
