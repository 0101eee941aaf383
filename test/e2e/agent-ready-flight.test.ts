/**
 * Single flight of ready answers, against moto behind the fault proxy and
 * gnome-keyring (the file vault where it is missing): twenty plain execs
 * started at once with the agent holding the base keys make one AssumeRole;
 * the one that missed first resolves, the others wait at the agent for its
 * answer (agent --status counts them as served). A resolver that fails lets
 * its waiters go their own way at once, not at the end of the 10 s flight.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AGENT_ON } from './agent-harness.js';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall, type Sandbox } from '../helpers/sandbox.js';
import { randomKeys, rolesOverBase, startStsWorld, type StsWorld } from '../helpers/sts-world.js';

const CONFIG = rolesOverBase({ app: 'App' });

function servedTimes(status: string, words: string): number {
  const line = status.split('\n').find((l) => l.startsWith(`  ${words}, served `));
  return line ? Number(/served (\d+)/.exec(line)?.[1]) : 0;
}

describe('ready answers: one command resolves, the same commands meanwhile wait for its answer', { concurrency: false }, () => {
  let world: StsWorld;
  let box: Sandbox;
  before(async () => {
    world = await startStsWorld();
    box = world.sandbox({ ...AGENT_ON, ROLECALL_BACKEND: 'file', ROLECALL_FILE_PASSPHRASE: 'flight-test-passphrase' });
    box.write('.aws/config', CONFIG);
    const written = Date.now();
    const keys = randomKeys();
    const added = await runRolecall(box, ['add', 'base', '--env'], { env: { ...box.env, AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey } });
    assert.equal(added.status, 0, added.stderr);
    // The agent running and holding the keys, no session: a cold exec as users meet it.
    const primed = await runRolecall(box, ['exec', 'app', '--', 'true']);
    assert.equal(primed.status, 0, primed.stderr);
    assert.equal((await runRolecall(box, ['clear', 'app'])).status, 0);
    // An answer is kept only from a config whose stamp has settled (a second old): on a fast machine the setup takes less.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, written + 1_100 - Date.now())));
  });
  after(async () => world?.stop());

  test('20 plain execs at once: one AssumeRole, 19 answered with the resolver\'s answer, every child with the same session', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    world.proxy.reset();
    // Held back so that all twenty are running while the first waits on STS.
    world.proxy.delay('AssumeRole', 1500);
    const runs = await Promise.all(Array.from({ length: 20 }, () => runRolecall(box, ['exec', 'app', '--', 'sh', '-c', 'echo "$AWS_ACCESS_KEY_ID"'])));
    for (const run of runs) assert.equal(run.status, 0, run.stderr);
    assert.equal(world.proxy.count('AssumeRole'), 1);
    assert.equal(new Set(runs.map((run) => run.stdout.trim())).size, 1, 'one session for all');
    const status = await runRolecall(box, ['agent', '--status']);
    assert.ok(servedTimes(status.stdout, 'exec app') >= 19, status.stdout);
  });

  test('a resolver that fails sends its waiters their own way at once', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    assert.equal((await runRolecall(box, ['clear', 'app'])).status, 0);
    world.proxy.reset();
    // STS refuses, after a while: the resolver fails, and so does every waiter's own try.
    world.proxy.fault('AssumeRole', { kind: 'error', code: 'AccessDenied', status: 403 });
    world.proxy.delay('AssumeRole', 1000);
    const started = Date.now();
    const runs = await Promise.all(Array.from({ length: 5 }, () => runRolecall(box, ['exec', 'app', '--', 'true'])));
    const took = Date.now() - started;
    for (const run of runs) {
      assert.equal(run.status, 125, run.stderr);
      assert.match(run.stderr, /AccessDenied/);
    }
    // Well short of the 10 s a flight may last.
    assert.ok(took < 8000, `took ${took} ms`);
  });
});
