/**
 * rolecall killed with SIGKILL (no cleanup runs) while it writes to the file
 * vault, or in the middle of a key rotation: the next run works and the
 * stored keys are whole, the old pair or the new one, never a torn item; for
 * a rotation, what rolecall said before it died and what IAM holds agree
 * with the pair that is stored, and that pair works. (Killed during a
 * session's refresh: test/e2e/cache-crash.test.ts.)
 *
 * Each kill lands where it is meant to: in a write, the moment the temp file
 * beside the item appears (the write is then between its first byte and its
 * rename); in a rotation, while the proxy holds IAM's or STS's answer back.
 */
import assert from 'node:assert/strict';
import { readdirSync, watch } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall, type RunResult, type Sandbox } from '../helpers/sandbox.js';
import { randomKeys, stsWorldForSuite } from '../helpers/sts-world.js';
import { accessKeyIdsOf, motoIam } from '../helpers/moto-server.js';
import { uniqueName } from './vault-harness.js';

const PRINT_KEY = ['--', 'sh', '-c', 'printf "%s %s" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY"'];

async function storedPair(box: Sandbox, profile: string): Promise<string> {
  const exec = await runRolecall(box, ['exec', '--no-session', profile, ...PRINT_KEY]);
  assert.equal(exec.status, 0, exec.stderr);
  return exec.stdout;
}

describe('SIGKILL in the middle of a vault write or a rotation', { concurrency: true }, () => {
  const suite = stsWorldForSuite();

  test('killed while add writes the item: the item is the old pair or the new one, whole; the next add works', async (t) => {
    const box = suite.world.sandbox();
    box.write('.aws/config', '[profile base]\nregion = eu-west-1\n');
    const first = randomKeys();
    const add = (keys: ReturnType<typeof randomKeys>, onSpawn?: (pid: number) => void) =>
      runRolecall(box, ['add', 'base', '--env', '--force'], { env: { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey }, ...(onSpawn ? { onSpawn } : {}) });
    assert.equal((await add(first)).status, 0);
    const itemDir = join(box.env.XDG_DATA_HOME as string, 'rolecall', 'vault', 'rolecall');
    let stored = `${first.accessKeyId} ${first.secretAccessKey}`;
    const outcomes: string[] = [];
    let killedTemps = 0;
    for (let round = 0; round < 3; round++) {
      const next = randomKeys();
      let pid = 0;
      let landed = false;
      // The temp file appearing is the write under way: killed at once, it has not been renamed yet (or just was).
      const watcher = watch(itemDir, (_, name) => {
        if (!landed && pid && String(name).endsWith('.tmp')) {
          landed = true;
          process.kill(pid, 'SIGKILL');
        }
      });
      const run: RunResult = await add(next, (p) => (pid = p));
      watcher.close();
      assert.ok(landed, `round ${round}: the write was seen (${run.stderr})`);
      assert.equal(run.signal, 'SIGKILL', `round ${round}: killed, not ended (${run.status}: ${run.stderr})`);
      const now = await storedPair(box, 'base');
      assert.ok([stored, `${next.accessKeyId} ${next.secretAccessKey}`].includes(now), `round ${round}: a whole pair, the old or the new (${now})`);
      outcomes.push(now === stored ? 'old' : 'new');
      killedTemps += readdirSync(itemDir).filter((name) => name.endsWith('.tmp')).length;
      stored = now;
      const list = await runRolecall(box, ['list']);
      assert.equal(list.status, 0, list.stderr);
      assert.match(list.stdout, /^base\s+keys\s+file vault/m, 'a leftover temp file is not taken for an item');
    }
    const last = randomKeys();
    assert.equal((await add(last)).status, 0);
    assert.equal(await storedPair(box, 'base'), `${last.accessKeyId} ${last.secretAccessKey}`);
    // What the kills left (the temp file of the write each stopped) goes with the next write.
    assert.deepEqual(readdirSync(itemDir).filter((name) => name.endsWith('.tmp')), [], 'no temp file of a dead writer is left');
    t.diagnostic(`the item after each kill: ${outcomes.join(', ')}; temp files seen after the kills: ${killedTemps}`);
  });

  test('killed at each step of a rotation: the stored pair works, and IAM holds what was said', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const { world } = suite;
    const { proxy } = world;
    const moto = world.moto.url;
    const user = uniqueName('rotated');
    await motoIam(moto, 'CreateUser', { UserName: user });
    const made = await motoIam(moto, 'CreateAccessKey', { UserName: user });
    const created = { AccessKey: { AccessKeyId: /<AccessKeyId>([^<]+)</.exec(made)?.[1] ?? '', SecretAccessKey: /<SecretAccessKey>([^<]+)</.exec(made)?.[1] ?? '' } };
    const box = world.sandbox({ AWS_ENDPOINT_URL_IAM: proxy.url });
    box.write('.aws/config', `[profile ${user}]\nregion = eu-west-1\n`);
    const added = await runRolecall(box, ['add', user, '--env'], { env: { AWS_ACCESS_KEY_ID: created.AccessKey.AccessKeyId, AWS_SECRET_ACCESS_KEY: created.AccessKey.SecretAccessKey } });
    assert.equal(added.status, 0, added.stderr);
    const arn = `arn:aws:iam::123456789012:user/${user}`;

    /** Rotates until the proxy holds `action`'s answer back (after `after`'s answer, when given), then kills rolecall. */
    async function killedAt(action: string, after?: string): Promise<RunResult> {
      let release = () => {};
      let pid = 0;
      // The calls of `action` before the hold (GetCallerIdentity of the old key, first): the held one comes after them.
      let before = Number.POSITIVE_INFINITY;
      const hold = () => {
        before = proxy.count(action);
        release = proxy.hold(action);
      };
      if (after) proxy.onAnswered(after, hold);
      else hold();
      const run = runRolecall(box, ['rotate', user], { onSpawn: (p) => (pid = p) });
      const until = Date.now() + 20_000;
      while (!(proxy.count(action) > before) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      const held = proxy.count(action) > before;
      assert.ok(held, `${action} was asked for`);
      process.kill(pid, 'SIGKILL');
      const result = await run;
      release();
      proxy.reset();
      assert.equal(result.signal, 'SIGKILL', `killed during ${action}: ${result.stderr}`);
      return result;
    }

    async function storedId(): Promise<string> {
      return (await storedPair(box, user)).split(' ')[0] as string;
    }

    const old = created.AccessKey.AccessKeyId;
    /** The key id rotate said it created and stored, before it was killed. */
    const said = (run: RunResult) => /created the key (\S+) for IAM user/.exec(run.stdout)?.[1];

    // 1. Before DeleteAccessKey's answer: the new key is stored (as said), and the only one left in IAM.
    const deleting = await killedAt('DeleteAccessKey');
    const first = said(deleting);
    assert.ok(first && first !== old, deleting.stdout);
    assert.equal(await storedId(), first);
    assert.deepEqual(await accessKeyIdsOf(moto, user), [first]);

    // 2. While STS is checking the new key: it is stored (as said); the one before it is still in IAM, as a run to its end would have deleted.
    const checking = await killedAt('GetCallerIdentity', 'CreateAccessKey');
    const second = said(checking);
    assert.ok(second && second !== first, checking.stdout);
    assert.equal(await storedId(), second);
    assert.deepEqual(await accessKeyIdsOf(moto, user), [first, second].sort());
    await motoIam(moto, 'DeleteAccessKey', { UserName: user, AccessKeyId: first });

    // 3. Before CreateAccessKey's answer reached rolecall: nothing was said or stored; IAM made a key nobody holds.
    const creating = await killedAt('CreateAccessKey');
    assert.equal(said(creating), undefined, creating.stdout);
    assert.equal(await storedId(), second);
    const keys = await accessKeyIdsOf(moto, user);
    assert.equal(keys.length, 2, 'the stored key and the one IAM made before the kill');
    assert.ok(keys.includes(second));

    // After all that, the stored pair works, with the AWS CLI as the client.
    const exec = await runRolecall(box, ['exec', '--no-session', user, '--', 'aws', 'sts', 'get-caller-identity', '--query', 'Arn', '--output', 'text']);
    assert.equal(exec.status, 0, exec.stderr);
    assert.equal(exec.stdout.trim(), arn);
  });
});
