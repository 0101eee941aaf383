/**
 * An agent that cannot be trusted or used costs a command a short, bounded
 * wait and one line, never the command: a fake agent of ours that hangs,
 * closes mid-reply or answers garbage; a socket directory open to others or
 * that is a symlink to another directory (refused, with one line naming it),
 * or inside an XDG_RUNTIME_DIR of another user (`su` without `-`: refused);
 * an agent killed with SIGKILL (its socket left behind: replaced by the next
 * command's agent), or killed in the middle of a command's request; its
 * socket replaced by a regular file, or by a symlink to someone else's agent
 * (refused before connecting). And ten commands starting an agent at once
 * leave one.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, chmodSync, writeFileSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startFakeAgent, type FakeAgentFault } from '../helpers/fake-agent.js';
import { requireCommands } from '../helpers/peers.js';
import { rolecallBin, runRolecall, type Sandbox } from '../helpers/sandbox.js';
import { eventually } from '../helpers/eventually.js';
import { CALLER_ARN, randomKeys, rolesOverBase, stsWorldForSuite } from '../helpers/sts-world.js';
import { AGENT_ON, agentPids, socketOf, waitForAgents } from './agent-harness.js';

/** Generous for a loaded two-core machine; the wait itself is 400 ms. */
const BOUNDED_MS = 3_000;

describe('a broken or unsafe agent costs a bounded wait and one line', { concurrency: false }, () => {
  const suite = stsWorldForSuite();

  async function setup(): Promise<Sandbox> {
    const box = suite.world.sandbox(AGENT_ON);
    box.write('.aws/config', rolesOverBase({ admin: 'Admin' }));
    const keys = randomKeys();
    const added = await runRolecall(box, ['add', 'base', '--env'], { env: { ROLECALL_AGENT: 'off', AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey } });
    assert.equal(added.status, 0, added.stderr);
    suite.world.proxy.reset();
    return box;
  }

  /** The time an exec takes with the agent off, as a baseline for the same machine now. */
  async function timedExec(box: Sandbox, env: Record<string, string> = {}) {
    const started = Date.now();
    const result = await runRolecall(box, ['exec', 'admin', '--', ...CALLER_ARN], { env });
    return { result, ms: Date.now() - started };
  }

  for (const fault of ['hang', 'close-mid-reply', 'garbage'] as FakeAgentFault[]) {
    test(`a fake agent that ${fault === 'hang' ? 'never answers' : fault === 'garbage' ? 'answers garbage' : 'closes mid-reply'}: the command works, says so once, within a bounded time`, async (t) => {
      if (!requireCommands(t, 'moto_server', 'aws')) return;
      const box = await setup();
      const fake = await startFakeAgent(socketOf(box), fault);
      t.after(() => fake.stop());
      const warm = await timedExec(box, { ROLECALL_AGENT: 'off' });
      assert.equal(warm.result.status, 0, warm.result.stderr);
      const { result, ms } = await timedExec(box);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /assumed-role\/Admin\//);
      assert.ok(ms - warm.ms < BOUNDED_MS, `took ${ms} ms, against ${warm.ms} ms without the agent`);
      const lines = result.stderr.split('\n').filter(Boolean);
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0] as string, new RegExp(`^rolecall: the agent at ${socketOf(box)} is not answering as it should \\(.+\\); carrying on without it`));
      if (fault === 'hang') assert.match(lines[0] as string, /no answer within 400 ms/);
      assert.equal(fake.connections(), 1, 'asked once, then left alone for the rest of the command');
      assert.deepEqual(agentPids(box), [], 'no agent started over it');
    });
  }

  test('a socket directory open to others, or a symlink to another directory, is refused with one line', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = await setup();
    const dir = join(box.env.XDG_RUNTIME_DIR as string, 'rolecall');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const open = await runRolecall(box, ['exec', 'admin', '--', 'true']);
    assert.equal(open.status, 0, open.stderr);
    assert.equal(open.stderr, `rolecall: not using the agent: the agent's directory ${dir} is open to others (mode 0755); it must be 0700\n`);
    assert.deepEqual(agentPids(box), []);
    const started = await runRolecall(box, ['agent']);
    assert.equal(started.status, 1);
    assert.equal(started.stderr, `rolecall: the agent's directory ${dir} is open to others (mode 0755); it must be 0700\n`);

    rmSync(dir, { recursive: true });
    const elsewhere = join(box.home, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    symlinkSync(elsewhere, dir);
    const linked = await runRolecall(box, ['exec', 'admin', '--', 'true']);
    assert.equal(linked.status, 0, linked.stderr);
    assert.equal(linked.stderr, `rolecall: not using the agent: the agent's directory ${dir} is a symbolic link; it must be a real directory\n`);
    const status = await runRolecall(box, ['agent', '--status']);
    assert.equal(status.stderr, `rolecall: the agent's directory ${dir} is a symbolic link; it must be a real directory\n`);
    assert.deepEqual(agentPids(box), []);
  });

  test('a directory owned by another user is refused', async (t) => {
    if (process.getuid?.() !== 0) {
      t.skip('needs root to give a directory to another user');
      return;
    }
    const box = await setup();
    const dir = join(box.env.XDG_RUNTIME_DIR as string, 'rolecall');
    mkdirSync(dir, { mode: 0o700 });
    const { chownSync } = await import('node:fs');
    chownSync(dir, 65534, 65534);
    const result = await runRolecall(box, ['exec', '--no-session', 'base', '--', 'true']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, `rolecall: not using the agent: the agent's directory ${dir} is owned by uid 65534, not by you (uid 0)\n`);
  });

  test('su without -: an XDG_RUNTIME_DIR owned by another user is refused, even with our own 0700 directory in it', async (t) => {
    if (process.getuid?.() !== 0) {
      t.skip('needs root to give a directory to another user');
      return;
    }
    const box = await setup();
    const runtime = box.env.XDG_RUNTIME_DIR as string;
    const dir = join(runtime, 'rolecall');
    const { chownSync } = await import('node:fs');
    chownSync(runtime, 65534, 65534);
    const line = `the agent's parent directory ${runtime} is owned by uid 65534, not by you (uid 0)`;
    const result = await runRolecall(box, ['exec', '--no-session', 'base', '--', 'true']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, `rolecall: not using the agent: ${line}\n`);
    assert.equal(existsSync(dir), false, 'nothing is made in the other user\'s directory');
    const started = await runRolecall(box, ['agent']);
    assert.notEqual(started.status, 0);
    assert.equal(started.stderr, `rolecall: ${line}\n`);
    // Root's own private directory there (left by an earlier run) does not make it safe: its owner can move it away.
    mkdirSync(dir, { mode: 0o700 });
    const again = await runRolecall(box, ['exec', '--no-session', 'base', '--', 'true']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stderr, `rolecall: not using the agent: ${line}\n`);
    assert.deepEqual(agentPids(box), []);
    chownSync(runtime, 0, 0);
  });

  test('an agent killed with SIGKILL leaves its socket; the next command works and its new agent takes the socket over', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = await setup();
    assert.equal((await timedExec(box)).result.status, 0);
    const [killed] = await waitForAgents(box, 1);
    process.kill(killed as number, 'SIGKILL');
    await waitForAgents(box, 0);
    const without = await timedExec(box, { ROLECALL_AGENT: 'off' });
    const { result, ms } = await timedExec(box);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '', 'a dead agent is not worth a line');
    // Its own work (the vault unlocked by scrypt) plus starting the new agent, bounded.
    assert.ok(ms - without.ms < BOUNDED_MS, `took ${ms} ms, against ${without.ms} ms without the agent`);
    const [fresh] = await waitForAgents(box, 1);
    assert.notEqual(fresh, killed);
    const served = await runRolecall(box, ['exec', '--debug', 'admin', '--', 'true'], { env: { ROLECALL_FILE_PASSPHRASE: '' } });
    assert.equal(served.status, 0, served.stderr);
    assert.match(served.stderr, /from the agent/);
  });

  test('its socket replaced by a regular file, or by a symlink to another agent: not used, one line, the command works; neither is touched', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = await setup();
    const dir = join(box.env.XDG_RUNTIME_DIR as string, 'rolecall');
    const socket = socketOf(box);
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(socket, 'not a socket\n', { mode: 0o600 });
    const overFile = await timedExec(box);
    assert.equal(overFile.result.status, 0, overFile.result.stderr);
    assert.match(overFile.result.stdout, /assumed-role\/Admin\//);
    assert.equal(overFile.result.stderr, `rolecall: not using the agent: the agent's socket ${socket} is not a socket\n`);
    assert.equal(readFileSync(socket, 'utf8'), 'not a socket\n', 'the file is left as it was');

    // Someone else's agent, reached through a link planted at our socket's place: never connected to.
    rmSync(socket);
    const theirs = join(box.home, 'theirs');
    mkdirSync(theirs, { mode: 0o700 });
    const fake = await startFakeAgent(join(theirs, 'agent.sock'), 'garbage');
    t.after(() => fake.stop());
    symlinkSync(join(theirs, 'agent.sock'), socket);
    const overLink = await timedExec(box);
    assert.equal(overLink.result.status, 0, overLink.result.stderr);
    assert.equal(overLink.result.stderr, `rolecall: not using the agent: the agent's socket ${socket} is a symbolic link; it must be a real socket\n`);
    const started = await runRolecall(box, ['agent']);
    assert.equal(started.status, 1);
    assert.equal(started.stderr, `rolecall: the agent's socket ${socket} is a symbolic link; it must be a real socket\n`);
    assert.equal(fake.connections(), 0, 'the linked agent was never asked');
    assert.ok(lstatSync(socket).isSymbolicLink(), 'the link is left for the user to see');
    assert.deepEqual(agentPids(box), []);
  });

  test('an agent killed in the middle of a request: the command works, says so in one line, within a bounded time; the next starts a new agent', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws', 'ss')) return;
    const box = await setup();
    assert.equal((await timedExec(box)).result.status, 0);
    const [victim] = await waitForAgents(box, 1);
    // Stopped, it takes the request and never answers; killed while the command waits for the answer.
    process.kill(victim as number, 'SIGSTOP');
    const started = Date.now();
    const exec = runRolecall(box, ['exec', 'admin', '--', ...CALLER_ARN]);
    // The command's connection waiting in the stopped agent's queue (ss's Recv-Q of a listening socket) is its request on the way.
    await eventually(() => Number(spawnSync('ss', ['-xlH', 'src', socketOf(box)]).stdout.toString().trim().split(/\s+/)[2] ?? 0) > 0, 'the command to connect to the stopped agent');
    process.kill(victim as number, 'SIGKILL');
    const result = await exec;
    const ms = Date.now() - started;
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /assumed-role\/Admin\//);
    const lines = result.stderr.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0] as string, new RegExp(`^rolecall: the agent at ${socketOf(box)} is not answering as it should \\(.+\\); carrying on without it`));
    const without = await timedExec(box, { ROLECALL_AGENT: 'off' });
    assert.ok(ms - without.ms < BOUNDED_MS, `took ${ms} ms, against ${without.ms} ms without the agent`);
    await waitForAgents(box, 0);
    const next = await timedExec(box);
    assert.equal(next.result.status, 0, next.result.stderr);
    assert.equal(next.result.stderr, '');
    const [fresh] = await waitForAgents(box, 1);
    assert.notEqual(fresh, victim);
  });

  test('ten commands starting an agent at once leave one', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const box = await setup();
    const runs = await Promise.all(Array.from({ length: 10 }, () => runRolecall(box, ['exec', '--debug', 'admin', '--', 'true'])));
    for (const run of runs) assert.equal(run.status, 0, run.stderr);
    t.diagnostic(`${runs.filter((run) => /starting one/.test(run.stderr)).length} of the 10 started an agent`);
    await settlesOnOne(box);
    assert.equal(suite.world.proxy.count('AssumeRole'), 1, 'one STS call for the ten, as ever');
  });

  // What auto-start runs, ten at once, over a free path and over a dead agent's socket: the listen race itself.
  for (const over of ['no socket', "a dead agent's socket"]) {
    test(`ten agents started at once over ${over} leave one`, async () => {
      const box = suite.world.sandbox(AGENT_ON);
      if (over !== 'no socket') {
        assert.equal((await runRolecall(box, ['agent'])).status, 0);
        const [dead] = await waitForAgents(box, 1);
        process.kill(dead as number, 'SIGKILL');
        await waitForAgents(box, 0);
        assert.ok(existsSync(socketOf(box)), 'the dead agent left its socket');
      }
      for (let i = 0; i < 10; i++) {
        spawn(process.execPath, [rolecallBin, 'agent', '--foreground'], { env: box.env, stdio: 'ignore', detached: true }).unref();
      }
      await settlesOnOne(box);
    });
  }

  /** Exactly one agent answers, and stays the only one past the moment a loser notices its socket was taken. */
  async function settlesOnOne(box: Sandbox): Promise<void> {
    await waitForAgents(box, 1);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const [survivor] = await waitForAgents(box, 1);
    const status = await runRolecall(box, ['agent', '--status']);
    assert.match(status.stdout, new RegExp(`running \\(pid ${survivor},`));
  }
});
