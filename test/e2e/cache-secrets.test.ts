/**
 * The sessions rolecall caches are secrets like the base keys: for each
 * backend, after a cold and a warm exec, neither the role session the child
 * got nor the MFA session below it is in any file under HOME in plain text,
 * nor in rolecall's output.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall } from '../helpers/sandbox.js';
import { randomKeys, startStsWorld, type StsWorld } from '../helpers/sts-world.js';
import { BACKENDS, backendEnv, requireBackend, uniqueName } from './vault-harness.js';
import { filesHolding } from '../helpers/secret-scan.js';

/** What moto's GetSessionToken always returns: the cached MFA session's secret. */
const MOTO_SESSION_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';

describe('cached sessions are never plain text under HOME', { concurrency: false }, () => {
  let world: StsWorld;
  before(async () => {
    world = await startStsWorld();
  });
  after(async () => world?.stop());

  for (const backend of BACKENDS) {
    test(`${backend} backend`, async (t) => {
      if (!requireCommands(t, 'moto_server', 'sh') || !(await requireBackend(t, backend))) return;
      const box = world.sandbox(backendEnv(backend));
      // The keychain is shared by every test of the D-Bus session: names of our own.
      const base = uniqueName('cache-base');
      const role = uniqueName('cache-role');
      box.write(
        '.aws/config',
        `[profile ${base}]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\nmfa_process = echo 123456\n\n` +
          `[profile ${role}]\nrole_arn = arn:aws:iam::123456789012:role/Cached\nsource_profile = ${base}\nregion = eu-west-1\n`,
      );
      const keys = randomKeys();
      t.after(async () => {
        await runRolecall(box, ['remove', base, '--force']);
      });
      const added = await runRolecall(box, ['add', base, '--env'], { env: { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey } });
      assert.equal(added.status, 0, added.stderr);

      world.proxy.reset();
      const printEnv = ['sh', '-c', 'printf "%s\\n%s\\n" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN"'];
      const cold = await runRolecall(box, ['exec', '--debug', role, '--', ...printEnv]);
      assert.equal(cold.status, 0, cold.stderr);
      const [secret, token] = cold.stdout.trim().split('\n');
      assert.ok(secret && token && secret !== MOTO_SESSION_SECRET, cold.stdout);
      assert.deepEqual(world.proxy.counts(), { GetSessionToken: 1, AssumeRole: 1 });
      const warm = await runRolecall(box, ['exec', '--debug', role, '--', ...printEnv]);
      assert.equal(warm.status, 0, warm.stderr);
      assert.equal(warm.stdout, cold.stdout, 'the warm exec gave the child the cached session');
      assert.deepEqual(world.proxy.counts(), { GetSessionToken: 1, AssumeRole: 1 }, `cached in the ${backend} backend`);

      const secrets = [secret, token, MOTO_SESSION_SECRET, keys.secretAccessKey];
      assert.deepEqual(filesHolding(box, secrets), []);
      for (const run of [cold, warm]) {
        for (const s of secrets) assert.ok(!run.stderr.includes(s), 'no secret in --debug output');
      }
    });
  }
});
