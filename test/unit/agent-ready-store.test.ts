import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ReadyStore } from '../../src/agent/ready-store.js';
import type { ReadyAnswerRecord } from '../../src/agent/agent-protocol.js';
import { configStamps } from '../../src/config/config-stamps.js';
import { bumpVaultGeneration, vaultGeneration } from '../../src/vault/vault-generation.js';

const words = ['exec', 'role'];

/** What a command asks by: its stamps of the config files as they are now. */
function asking(askWords: readonly string[], env: Record<string, string>) {
  return { words: askWords, env, stamps: configStamps(env).signatures };
}

function world() {
  const home = mkdtempSync(join(tmpdir(), 'rolecall-ready-'));
  const markers = join(home, 'markers');
  const env = { HOME: home, AWS_REGION: 'eu-west-1' };
  writeFileSync(join(home, 'config'), '[profile role]\n');
  const settledEnv = { ...env, AWS_CONFIG_FILE: join(home, 'config') };
  // Stamps settle a second after the file's last change: make it older.
  utimesSync(join(home, 'config'), new Date(Date.now() - 5000), new Date(Date.now() - 5000));
  const record = (overrides: Partial<ReadyAnswerRecord> = {}): ReadyAnswerRecord => ({
    words,
    env: settledEnv,
    stamps: configStamps(settledEnv).signatures,
    answer: '{"set":{},"unset":[]}',
    until: new Date(Date.now() + 60_000).toISOString(),
    dependsOn: [{ service: 'rolecall-sessions', account: 'role@x', signature: vaultGeneration(markers, 'rolecall-sessions', 'role@x'), signedBy: { markers } }],
    ...overrides,
  });
  return { home, markers, env: settledEnv, record, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

test('an answer is served to the same words and environment while the files and what it was read from stay as they were', (t) => {
  const w = world();
  t.after(w.cleanup);
  const store = new ReadyStore();
  store.keep(w.record());
  assert.deepEqual(store.lookup(asking(words, w.env)), { answer: '{"set":{},"unset":[]}' });
  assert.deepEqual(store.lookup(asking(['credential-process', 'role'], w.env)), { miss: true });
  assert.deepEqual(store.lookup(asking(words, { ...w.env, AWS_REGION: 'us-east-1' })), { miss: true });
  assert.equal(store.summaries()[0]?.served, 1);
  // The config edited: a miss (and the answer goes).
  writeFileSync(join(w.home, 'config'), '[profile role]\nregion = us-east-1\n');
  assert.deepEqual(store.lookup(asking(words, w.env)), { miss: true });
});

test('a vault item it was read from changed, or its time up: never served again', (t) => {
  const w = world();
  t.after(w.cleanup);
  const store = new ReadyStore();
  store.keep(w.record());
  bumpVaultGeneration(w.markers, 'rolecall-sessions', 'role@x');
  assert.deepEqual(store.lookup(asking(words, w.env)), { miss: true });
  const late = new ReadyStore();
  late.keep(w.record({ until: new Date(Date.now() - 1).toISOString() }));
  assert.equal(late.summaries().length, 0);
  // Handed over after the item changed already: not kept.
  const stale = new ReadyStore();
  stale.keep(w.record({ dependsOn: [{ service: 'rolecall-sessions', account: 'role@x', signature: 'gen:none', signedBy: { markers: w.markers } }] }));
  assert.equal(stale.summaries().length, 0);
});

test('the first to miss resolves; the same command meanwhile waits for its answer, or goes its way when it keeps none', async (t) => {
  const w = world();
  t.after(w.cleanup);
  const store = new ReadyStore();
  assert.deepEqual(store.lookup(asking(words, w.env)), { miss: true });
  const second = store.lookup(asking(words, w.env));
  assert.ok('resolvingUntil' in second && second.resolvingUntil > Date.now());
  const waiting = [store.wait(asking(words, w.env)), store.wait(asking(words, w.env))];
  store.keep(w.record());
  assert.deepEqual(await Promise.all(waiting), ['{"set":{},"unset":[]}', '{"set":{},"unset":[]}']);
  assert.equal(store.summaries()[0]?.served, 2);

  const other = { ...w.env, AWS_REGION: 'ap-south-1' };
  assert.deepEqual(store.lookup(asking(words, other)), { miss: true });
  const gaveUp = store.wait(asking(words, other));
  store.none({ words, env: other });
  assert.equal(await gaveUp, undefined);
  // The flight is over: the next to miss resolves in its turn.
  assert.deepEqual(store.lookup(asking(words, other)), { miss: true });
  const cleared = store.wait(asking(words, other));
  store.clear();
  assert.equal(await cleared, undefined);
  assert.equal(store.summaries().length, 0);
});

test('a dropped item takes the answers made from it out of memory', (t) => {
  const w = world();
  t.after(w.cleanup);
  const store = new ReadyStore();
  store.keep(w.record());
  store.forgetDependingOn('rolecall-sessions', 'role@y');
  assert.equal(store.summaries().length, 1);
  store.forgetDependingOn('rolecall-sessions', 'role@x');
  assert.equal(store.summaries().length, 0);
});

test('a flight whose resolver has ended without a word (Ctrl-C, a kill) is over: the next asker resolves, a parked waiter goes at once', async (t) => {
  const w = world();
  t.after(w.cleanup);
  const store = new ReadyStore();
  // A process that has run and ended: a resolver that was killed.
  const ended = spawnSync('true').pid as number;
  assert.deepEqual(store.lookup(asking(words, w.env), ended), { miss: true });
  assert.deepEqual(store.lookup(asking(words, w.env), process.pid), { miss: true }, 'not told to wait for a process that is gone');
  assert.ok('resolvingUntil' in store.lookup(asking(words, w.env)), 'this resolver runs: the next one waits');

  // A waiter parked while its resolver runs, let go when the resolver is killed.
  const parked = new ReadyStore();
  const resolver = spawn('sleep', ['30'], { stdio: 'ignore' });
  await new Promise((resolve) => resolver.once('spawn', resolve));
  parked.lookup(asking(words, w.env), resolver.pid);
  const waited = parked.wait(asking(words, w.env));
  const started = Date.now();
  resolver.kill('SIGKILL');
  // The store's own check is unref'd (the agent's server keeps it alive): this test holds the event loop meanwhile.
  const alive = setInterval(() => undefined, 1_000);
  const answer = await waited.finally(() => clearInterval(alive));
  assert.equal(answer, undefined);
  assert.ok(Date.now() - started < 2_000, `let go after ${Date.now() - started} ms`);
});

test('a newer answer for the same command and environment replaces the one made from the files as they were', (t) => {
  const w = world();
  t.after(w.cleanup);
  const store = new ReadyStore();
  store.keep(w.record({ stamps: ['old-config', 'none'], answer: 'old' }));
  store.keep(w.record({ stamps: ['old-config', 'none'], words: ['credential-process', 'role'], answer: 'other words' }));
  store.keep(w.record());
  assert.deepEqual(
    store.summaries().map((s) => s.words.join(' ')),
    ['credential-process role', 'exec role'],
  );
  assert.deepEqual(store.lookup(asking(words, w.env)), { answer: '{"set":{},"unset":[]}' });
});
