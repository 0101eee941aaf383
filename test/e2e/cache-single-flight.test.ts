/**
 * The session cache across processes, against moto behind the recording
 * proxy: 20 commands at once on a cold cache make one AssumeRole, a warm one
 * makes none (and needs neither the SDK nor the network), `clear` makes the
 * next one call STS again.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { rolecallBin, runProcess, runRolecall, type Sandbox } from '../helpers/sandbox.js';
import { credentialsFile, randomKeys, rolesOverBase, startStsWorld, type StsWorld } from '../helpers/sts-world.js';

const CONFIG = rolesOverBase({ app: 'App', other: 'Other' });

describe('session cache: single flight across processes', { concurrency: false }, () => {
  let world: StsWorld;
  let box: Sandbox;
  const baseKeys = randomKeys();
  before(async () => {
    world = await startStsWorld();
    box = world.sandbox();
    box.write('.aws/config', CONFIG);
    box.write('.aws/credentials', credentialsFile({ base: baseKeys }));
  });
  after(async () => world?.stop());

  test('20 concurrent execs on a cold cache make exactly one AssumeRole', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    // Held back so that all twenty are running while the first one waits on STS.
    world.proxy.delay('AssumeRole', 1500);
    const runs = await Promise.all(Array.from({ length: 20 }, () => runRolecall(box, ['exec', 'app', '--debug', '--', 'true'])));
    for (const run of runs) assert.equal(run.status, 0, run.stderr);
    assert.equal(world.proxy.count('AssumeRole'), 1);
    const waited = runs.filter((run) => /waiting for rolecall pid \d+/.test(run.stderr)).length;
    assert.ok(waited > 0, 'some of them waited for the one calling STS');
  });

  test('a warm exec makes no STS call, says how long the session has left, and loads no SDK', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    world.proxy.reset();
    const warm = await runRolecall(box, ['exec', 'app', '--debug', '--', 'true']);
    assert.equal(warm.status, 0, warm.stderr);
    assert.match(warm.stderr, /cached, expires in (59|60)m/);
    assert.deepEqual(world.proxy.counts(), {});
    // The bundle alone (dist/ and its chunks), with no node_modules to find
    // @aws-sdk in: only a warm exec can work from there.
    const lonely = mkdtempSync(join(tmpdir(), 'rolecall-bare-'));
    try {
      cpSync(dirname(rolecallBin), lonely, { recursive: true });
      const bare = await runProcess(process.execPath, [join(lonely, 'rolecall.cjs'), 'exec', 'app', '--', 'true'], { env: box.env, cwd: box.home });
      assert.equal(bare.status, 0, bare.stderr);
      const cold = await runProcess(process.execPath, [join(lonely, 'rolecall.cjs'), 'exec', 'other', '--', 'true'], { env: box.env, cwd: box.home });
      assert.equal(cold.status, 125, 'a cold exec needs the SDK, so this copy proves the warm one did not load it');
      assert.match(cold.stderr, /@aws-sdk\/client-sts/);
    } finally {
      rmSync(lonely, { recursive: true, force: true });
    }
  });

  test('`list` shows the cached session of each profile and how long it has left', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const listed = await runRolecall(box, ['list']);
    assert.equal(listed.status, 0, listed.stderr);
    const app = listed.stdout.split('\n').find((line) => line.startsWith('app '));
    assert.match(app ?? '', /AssumeRole arn:aws:iam::123456789012:role\/App in eu-west-1, 1h session, (59|60)m left$/);
    assert.match(listed.stdout.split('\n').find((line) => line.startsWith('other ')) ?? '', / -$/);
    const json = JSON.parse((await runRolecall(box, ['list', '--json'])).stdout) as { profile: string; sessions: { label: string; region: string; durationSeconds: number; expiration: string }[] }[];
    const [session] = json.find((p) => p.profile === 'app')?.sessions ?? [];
    assert.equal(session?.label, 'AssumeRole arn:aws:iam::123456789012:role/App');
    assert.equal(session?.region, 'eu-west-1');
    assert.equal(session?.durationSeconds, 3600);
    assert.ok(Date.parse(session?.expiration ?? '') > Date.now() + 55 * 60_000);
  });

  test('`list` tells apart the sessions of one profile made with --region and --duration, and says "settings only" for a profile without credentials', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const own = world.sandbox();
    own.write('.aws/config', `[default]\nregion = eu-west-1\noutput = json\n${CONFIG}`);
    own.write('.aws/credentials', credentialsFile({ base: baseKeys }));
    for (const extra of [[], ['--region', 'us-west-2'], ['--duration', '2h']]) {
      const run = await runRolecall(own, ['exec', ...extra, 'app', '--', 'true']);
      assert.equal(run.status, 0, run.stderr);
    }
    const listed = await runRolecall(own, ['list']);
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /^default\s+settings only\s+none\s+-$/m);
    assert.match(listed.stdout, /^base\s+keys\s+credentials file\s+-$/m);
    const app = listed.stdout.split('\n').find((line) => line.startsWith('app ')) ?? '';
    const role = 'AssumeRole arn:aws:iam::123456789012:role/App';
    assert.equal(app.split('; ').length, 3, app);
    assert.ok(app.includes(`${role} in eu-west-1, 1h session, `), app);
    assert.ok(app.includes(`${role} in us-west-2, 1h session, `), app);
    assert.match(app, new RegExp(`${role} in eu-west-1, 2h session, (1h 59m|2h) left`));
    const json = JSON.parse((await runRolecall(own, ['list', '--json'])).stdout) as { profile: string; kind: string; keys: string | null; sessions: { region: string; durationSeconds: number }[] }[];
    const def = json.find((p) => p.profile === 'default');
    assert.deepEqual([def?.kind, def?.keys], ['settings only', 'none']);
    const told = json.find((p) => p.profile === 'app')?.sessions.map((s) => `${s.region}/${s.durationSeconds}`).sort();
    assert.deepEqual(told, ['eu-west-1/3600', 'eu-west-1/7200', 'us-west-2/3600']);
    for (const secret of [baseKeys.secretAccessKey]) assert.ok(!listed.stdout.includes(secret) && !JSON.stringify(json).includes(secret));
  });

  test('after `clear app` the next exec makes one AssumeRole; `clear` drops everything', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    world.proxy.reset();
    const cleared = await runRolecall(box, ['clear', 'app']);
    assert.equal(cleared.status, 0, cleared.stderr);
    assert.match(cleared.stdout, /cleared 1 cached session of profile "app"/);
    assert.equal((await runRolecall(box, ['exec', 'app', '--', 'true'])).status, 0);
    assert.equal(world.proxy.count('AssumeRole'), 1);
    assert.equal((await runRolecall(box, ['exec', 'app', '--', 'true'])).status, 0);
    assert.equal(world.proxy.count('AssumeRole'), 1);
    const all = await runRolecall(box, ['clear']);
    assert.equal(all.status, 0, all.stderr);
    assert.match(all.stdout, /cleared 1 cached session \(file vault\)/);
    assert.equal((await runRolecall(box, ['exec', 'app', '--', 'true'])).status, 0);
    assert.equal(world.proxy.count('AssumeRole'), 2);
  });

  test('`remove base` drops the sessions of the roles built on its keys', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    // Keys in the vault (the normal place) as well as in the file, so there is something to remove.
    const added = await runRolecall(box, ['add', 'base', '--env', '--force'], { env: { AWS_ACCESS_KEY_ID: baseKeys.accessKeyId, AWS_SECRET_ACCESS_KEY: baseKeys.secretAccessKey } });
    assert.equal(added.status, 0, added.stderr);
    assert.equal((await runRolecall(box, ['exec', 'other', '--', 'true'])).status, 0);
    const removed = await runRolecall(box, ['remove', 'base', '--force']);
    assert.equal(removed.status, 0, removed.stderr);
    assert.match(removed.stdout, /dropped 2 cached sessions/);
    const listed = await runRolecall(box, ['list']);
    assert.doesNotMatch(listed.stdout, /AssumeRole/);
  });

  test('`clear` of a profile that is nowhere is a one-line error', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const result = await runRolecall(box, ['clear', 'nope']);
    assert.equal(result.status, 1);
    assert.equal(result.stderr, 'rolecall: profile "nope" is not in the config and has no cached sessions\n');
  });
});
