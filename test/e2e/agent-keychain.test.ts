/**
 * The agent with the keychain (gnome-keyring), against moto: once an exec
 * has read the keys and cached the session, the next one is served by the
 * agent with the keychain out of reach (a D-Bus address that leads nowhere),
 * which proves it made no keytar round trip; without the agent the same
 * command fails. With no backend chosen, the agent also remembers that the
 * automatic choice was the keychain, so keytar is not even loaded to probe.
 * A key removed from the keychain while the agent cannot be told (stopped
 * with SIGSTOP, or ROLECALL_AGENT=off) is not served by it afterwards: the
 * keychain's generation marker changed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall } from '../helpers/sandbox.js';
import { CALLER_ARN, randomKeys, stsWorldForSuite } from '../helpers/sts-world.js';
import { requireBackend, uniqueName } from './vault-harness.js';
import { AGENT_ON, waitForAgents } from './agent-harness.js';

describe('the agent and the keychain', { concurrency: false }, () => {
  const suite = stsWorldForSuite();
  const unreachable = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/rolecall-test-bus' };

  for (const [label, backend] of [
    ['ROLECALL_BACKEND=keychain', 'keychain'],
    ['no backend chosen', ''],
  ] as const) {
    test(`${label}: a warm exec is served with the keychain unreachable`, async (t) => {
      if (!requireCommands(t, 'moto_server', 'aws') || !(await requireBackend(t, 'keychain'))) return;
      const box = suite.world.sandbox({ ...AGENT_ON, ROLECALL_BACKEND: backend });
      const base = uniqueName('base');
      const role = uniqueName('admin');
      box.write('.aws/config', `[profile ${base}]\nregion = eu-west-1\n\n[profile ${role}]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = ${base}\nregion = eu-west-1\n`);
      const keys = randomKeys();
      t.after(async () => {
        // This test's own sessions only: `clear` of all would take those of every other test using the one keychain, whose markers it cannot change.
        await runRolecall(box, ['clear', role, '--backend', 'keychain'], { env: { ROLECALL_AGENT: 'off' } });
        await runRolecall(box, ['remove', base, '--force', '--backend', 'keychain'], { env: { ROLECALL_AGENT: 'off' } });
      });
      const added = await runRolecall(box, ['add', base, '--env', '--backend', 'keychain'], { env: { ROLECALL_AGENT: 'off', AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey } });
      assert.equal(added.status, 0, added.stderr);
      suite.world.proxy.reset();

      const first = await runRolecall(box, ['exec', '--debug', role, '--', ...CALLER_ARN]);
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stderr, /from the keychain vault/);
      await waitForAgents(box, 1);

      const cut = await runRolecall(box, ['exec', '--debug', role, '--', ...CALLER_ARN], { env: unreachable });
      assert.equal(cut.status, 0, cut.stderr);
      assert.equal(cut.stdout, first.stdout);
      assert.match(cut.stderr, /rolecall-sessions \S+: from the agent/);
      assert.doesNotMatch(cut.stderr, /keychain (refused|does not answer)|not using the keychain/);
      const plain = await runRolecall(box, ['exec', '--debug', '--no-session', base, '--', 'sh', '-c', 'printf %s "$AWS_ACCESS_KEY_ID"'], { env: unreachable });
      assert.equal(plain.status, 0, plain.stderr);
      assert.equal(plain.stdout, keys.accessKeyId);
      assert.equal(suite.world.proxy.count('AssumeRole'), 1);

      // The keychain really is out of reach at that address: without the agent, the command cannot get the keys.
      const off = await runRolecall(box, ['exec', '--no-session', base, '--', 'true'], { env: { ...unreachable, ROLECALL_AGENT: 'off', ROLECALL_BACKEND: 'keychain' } });
      assert.notEqual(off.status, 0);
      assert.match(off.stderr, /keychain/);

      const status = await runRolecall(box, ['agent', '--status']);
      assert.match(status.stdout, new RegExp(`profile ${base} \\[keychain\\]`));
      assert.match(status.stdout, new RegExp(`profile ${role} \\(\\S+\\), expires \\S+ \\[keychain\\]`));
      assert.match(status.stdout, /unlocked: no file vault/);
      assert.doesNotMatch(status.stdout, new RegExp(keys.secretAccessKey.replace(/[+/]/g, '\\$&')));
      await runRolecall(box, ['lock']);
      await waitForAgents(box, 0);
    });
  }

  test('a key removed while the agent cannot be told (stopped, or ROLECALL_AGENT=off) is not served by it', async (t) => {
    if (!requireCommands(t, 'moto_server') || !(await requireBackend(t, 'keychain'))) return;
    const box = suite.world.sandbox({ ...AGENT_ON, ROLECALL_BACKEND: 'keychain' });
    const base = uniqueName('base');
    box.write('.aws/config', `[profile ${base}]\nregion = eu-west-1\n`);
    t.after(async () => {
      await runRolecall(box, ['remove', base, '--force'], { env: { ROLECALL_AGENT: 'off' } });
    });
    const keyOf = ['exec', '--debug', '--no-session', base, '--', 'sh', '-c', 'printf %s "$AWS_ACCESS_KEY_ID"'];
    const add = async () => {
      const keys = randomKeys();
      const added = await runRolecall(box, ['add', base, '--env'], { env: { ROLECALL_AGENT: 'off', AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey } });
      assert.equal(added.status, 0, added.stderr);
      const first = await runRolecall(box, keyOf);
      assert.equal(first.stdout, keys.accessKeyId, first.stderr);
      const served = await runRolecall(box, keyOf);
      assert.match(served.stderr, new RegExp(`rolecall ${base}: from the agent`));
    };

    await add();
    const [pid] = await waitForAgents(box, 1);
    process.kill(pid!, 'SIGSTOP');
    let removed;
    try {
      // No backend named: the first request (which backend the agent saw chosen) goes unanswered, and the drop is never sent.
      removed = await runRolecall(box, ['remove', base, '--force'], { env: { ROLECALL_BACKEND: '' } });
    } finally {
      process.kill(pid!, 'SIGCONT');
    }
    assert.equal(removed.status, 0, removed.stderr);
    assert.match(removed.stderr, new RegExp(`the agent was not told of the removal of rolecall ${base}; it may still hold the old value \\(rolecall lock makes it forget\\)`));
    const status = await runRolecall(box, ['agent', '--status']);
    assert.match(status.stdout, new RegExp(`profile ${base} \\[keychain\\]`), 'the agent still holds the copy it was not told to drop');
    const after = await runRolecall(box, keyOf);
    assert.notEqual(after.status, 0, 'the removed key is not served');
    assert.doesNotMatch(after.stderr, /from the agent/);
    assert.match(after.stderr, /has no keys in the keychain/);

    await add();
    const off = await runRolecall(box, ['remove', base, '--force'], { env: { ROLECALL_AGENT: 'off' } });
    assert.equal(off.status, 0, off.stderr);
    const afterOff = await runRolecall(box, keyOf);
    assert.notEqual(afterOff.status, 0, 'the key removed with the agent off is not served');
    assert.match(afterOff.stderr, /has no keys in the keychain/);
    await runRolecall(box, ['lock']);
    await waitForAgents(box, 0);
  });
});
