/**
 * What the agent holds never outlives what it was copied from: `clear`,
 * `remove` and `rotate` (against moto's IAM) through the vault update or
 * drop its copy; the same done by a command with ROLECALL_AGENT=off (which
 * cannot tell the agent) is noticed by the file item's changed signature;
 * an edited config asks for another session, which the agent does not have.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { motoAdmin } from '../helpers/moto-server.js';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall, type Sandbox } from '../helpers/sandbox.js';
import { CALLER_ARN, randomKeys, rolesOverBase, stsWorldForSuite } from '../helpers/sts-world.js';
import { uniqueName } from './vault-harness.js';
import { AGENT_ON, waitForAgents } from './agent-harness.js';

describe('the agent never serves what was dropped or no longer matches', { concurrency: false }, () => {
  const suite = stsWorldForSuite();
  const noPassphrase = { ROLECALL_FILE_PASSPHRASE: '' };
  const off = { ROLECALL_AGENT: 'off' };

  async function setup(): Promise<Sandbox> {
    const box = suite.world.sandbox(AGENT_ON);
    box.write('.aws/config', rolesOverBase({ admin: 'Admin' }));
    const keys = randomKeys();
    const added = await runRolecall(box, ['add', 'base', '--env'], { env: { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey } });
    assert.equal(added.status, 0, added.stderr);
    const warm = await runRolecall(box, ['exec', 'admin', '--', 'true']);
    assert.equal(warm.status, 0, warm.stderr);
    await waitForAgents(box, 1);
    suite.world.proxy.reset();
    return box;
  }

  async function exec(box: Sandbox, args: string[], env: Record<string, string> = {}) {
    const result = await runRolecall(box, ['exec', '--debug', ...args], { env: { ...noPassphrase, ...env } });
    assert.equal(result.status, 0, result.stderr);
    return result;
  }

  test('clear, of one profile or of all, drops the agent\'s copy: the next exec asks STS', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = await setup();
    assert.match((await exec(box, ['admin', '--', 'true'])).stderr, /rolecall-sessions \S+: from the agent/);
    assert.equal(suite.world.proxy.count('AssumeRole'), 0);
    for (const args of [['clear', 'admin'], ['clear']]) {
      const cleared = await runRolecall(box, args);
      assert.equal(cleared.status, 0, cleared.stderr);
      const before = suite.world.proxy.count('AssumeRole');
      const next = await exec(box, ['admin', '--', 'true']);
      assert.doesNotMatch(next.stderr, /rolecall-sessions \S+: from the agent/);
      assert.equal(suite.world.proxy.count('AssumeRole'), before + 1, `${args.join(' ')}: a new session`);
    }
  });

  test('a clear or remove by a command that cannot tell the agent (ROLECALL_AGENT=off) is noticed from the file', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = await setup();
    const cleared = await runRolecall(box, ['clear'], { env: off });
    assert.equal(cleared.status, 0, cleared.stderr);
    const next = await exec(box, ['admin', '--', 'true']);
    assert.doesNotMatch(next.stderr, /rolecall-sessions \S+: from the agent/);
    assert.equal(suite.world.proxy.count('AssumeRole'), 1, 'the agent\'s session was not served: its file is gone');

    const removed = await runRolecall(box, ['remove', 'base', '--force'], { env: off });
    assert.equal(removed.status, 0, removed.stderr);
    const plain = await runRolecall(box, ['exec', '--no-session', 'base', '--', 'true'], { env: noPassphrase });
    assert.notEqual(plain.status, 0, 'the removed keys are not served by the agent');
    assert.match(plain.stderr, /no (keys|credentials)/i);
  });

  test('remove through the agent drops the keys it held', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = await setup();
    assert.match((await exec(box, ['--no-session', 'base', '--', 'true'])).stderr, /rolecall base: from the agent/);
    const removed = await runRolecall(box, ['remove', 'base', '--force']);
    assert.equal(removed.status, 0, removed.stderr);
    const status = await runRolecall(box, ['agent', '--status']);
    assert.match(status.stdout, /keys: +none/);
    const plain = await runRolecall(box, ['exec', '--no-session', 'base', '--', 'true'], { env: noPassphrase });
    assert.notEqual(plain.status, 0);
  });

  test('an edited config is another session: the agent\'s is not served for it', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = await setup();
    box.write('.aws/config', rolesOverBase({ admin: 'Auditor' }));
    const edited = await exec(box, ['admin', '--', ...CALLER_ARN]);
    assert.match(edited.stdout, /assumed-role\/Auditor\//);
    assert.equal(suite.world.proxy.count('AssumeRole'), 1);
  });

  test('rotate (moto\'s IAM) leaves the agent serving the new key, and no session of the old one', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const { world } = suite;
    const admin = (args: string[]) => motoAdmin(world.moto, args);
    const user = uniqueName('alice');
    await admin(['iam', 'create-user', '--user-name', user]);
    const created = (await admin(['iam', 'create-access-key', '--user-name', user])).AccessKey as { AccessKeyId: string; SecretAccessKey: string };
    const box = world.sandbox({ ...AGENT_ON, AWS_ENDPOINT_URL_IAM: world.proxy.url });
    box.write('.aws/config', `[profile ${user}]\nregion = eu-west-1\n\n[profile ${user}-admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = ${user}\nregion = eu-west-1\n`);
    const added = await runRolecall(box, ['add', user, '--env'], { env: { AWS_ACCESS_KEY_ID: created.AccessKeyId, AWS_SECRET_ACCESS_KEY: created.SecretAccessKey } });
    assert.equal(added.status, 0, added.stderr);
    await exec(box, [`${user}-admin`, '--', 'true'], { ROLECALL_FILE_PASSPHRASE: box.env.ROLECALL_FILE_PASSPHRASE as string });
    await waitForAgents(box, 1);
    assert.match((await exec(box, [`${user}-admin`, '--', 'true'])).stderr, /rolecall-sessions \S+: from the agent/);

    const rotated = await runRolecall(box, ['rotate', user], { env: noPassphrase });
    assert.equal(rotated.status, 0, rotated.stderr);
    const listed = (await admin(['iam', 'list-access-keys', '--user-name', user])).AccessKeyMetadata as { AccessKeyId: string }[];
    assert.equal(listed.length, 1);
    const fresh = listed[0]!.AccessKeyId;
    assert.notEqual(fresh, created.AccessKeyId);

    const plain = await exec(box, ['--no-session', user, '--', 'sh', '-c', 'printf %s "$AWS_ACCESS_KEY_ID"']);
    assert.equal(plain.stdout, fresh, 'the agent serves the new key');
    assert.match(plain.stderr, new RegExp(`rolecall ${user}: from the agent`));
    world.proxy.reset();
    const role = await exec(box, [`${user}-admin`, '--', 'true']);
    assert.doesNotMatch(role.stderr, /rolecall-sessions \S+: from the agent/, 'the old key\'s session is gone from the agent');
    const assumed = world.proxy.calls.filter((c) => c.action === 'AssumeRole');
    assert.equal(assumed.length, 1);
    assert.equal(assumed[0]?.signedWith, fresh);
  });
});
