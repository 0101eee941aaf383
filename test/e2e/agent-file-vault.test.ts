/**
 * The agent with the file vault, against moto: the first exec unlocks the
 * vault and starts exactly one agent, which is handed the vault's key, the
 * base keys and the session; a second exec with no passphrase (none set, no
 * terminal) is served by it: no scrypt, no STS call, no prompt. `lock` makes
 * it forget (the next command needs the passphrase again); ROLECALL_AGENT=off
 * asks none and starts none; ROLECALL_AGENT_TTL ends it; `--status` lists
 * names and expiries and no secret; no secret of any of these runs is in
 * any output or any file under HOME and the runtime dir.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall, type RunResult, type Sandbox } from '../helpers/sandbox.js';
import { CALLER_ARN, randomKeys, rolesOverBase, stsWorldForSuite } from '../helpers/sts-world.js';
import { filesHolding } from '../helpers/secret-scan.js';
import { AGENT_ON, agentPids, socketOf, waitForAgents } from './agent-harness.js';

describe('the agent and the file vault', { concurrency: false }, () => {
  const suite = stsWorldForSuite();

  /** A sandbox with base keys added (the agent off for that) and a role over them. */
  async function setup(extra: Record<string, string> = {}): Promise<{ box: Sandbox; keys: { accessKeyId: string; secretAccessKey: string } }> {
    const box = suite.world.sandbox({ ...AGENT_ON, ...extra });
    box.write('.aws/config', rolesOverBase({ admin: 'Admin' }));
    const keys = randomKeys();
    const added = await runRolecall(box, ['add', 'base', '--env'], { env: { ROLECALL_AGENT: 'off', AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey } });
    assert.equal(added.status, 0, added.stderr);
    return { box, keys };
  }

  const noPassphrase = { ROLECALL_FILE_PASSPHRASE: '' };

  test('a warm exec is served by the agent: no passphrase, no scrypt, no STS call; one agent started', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const { box, keys } = await setup();
    assert.deepEqual(agentPids(box), [], 'add ran with the agent off');
    suite.world.proxy.reset();

    const first = await runRolecall(box, ['exec', '--debug', 'admin', '--', ...CALLER_ARN]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /assumed-role\/Admin\//);
    assert.match(first.stderr, /agent: no agent is running; starting one/);
    assert.match(first.stderr, /\(scrypt N=/, 'the first exec unlocked the vault itself');
    const pids = await waitForAgents(box, 1);

    const second = await runRolecall(box, ['exec', '--debug', 'admin', '--', ...CALLER_ARN], { env: noPassphrase });
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stdout, first.stdout);
    assert.doesNotMatch(second.stderr, /scrypt|passphrase|starting one/);
    assert.match(second.stderr, /rolecall-sessions \S+: from the agent/);
    assert.equal(suite.world.proxy.count('AssumeRole'), 1, 'one STS call, by the first exec');
    // Nor node:crypto (4-12 ms to load): the agent hashes the session's name. Node's own list of the built-ins loaded says so.
    const probe = box.write('probe.cjs', "process.on('exit', () => require('node:fs').writeSync(2, process.moduleLoadList.includes('NativeModule crypto') ? 'crypto loaded\\n' : 'no crypto\\n'));\n");
    const probed = await runRolecall(box, ['exec', 'admin', '--', 'true'], { env: { ...noPassphrase, NODE_OPTIONS: `--require=${probe}` } });
    assert.equal(probed.status, 0, probed.stderr);
    assert.equal(probed.stderr, 'no crypto\n');
    // The base keys too: a --no-session exec uses them straight from the agent.
    const plain = await runRolecall(box, ['exec', '--debug', '--no-session', 'base', '--', 'sh', '-c', 'printf %s "$AWS_ACCESS_KEY_ID"'], { env: noPassphrase });
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(plain.stdout, keys.accessKeyId);
    assert.match(plain.stderr, /rolecall base: from the agent/);
    assert.deepEqual(agentPids(box), pids, 'still the one agent');

    const status = await runRolecall(box, ['agent', '--status']);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`agent: +running \\(pid ${pids[0]}, since \\d{4}-`));
    assert.match(status.stdout, /unlocked: the file vault ~\/\.local\/share\/rolecall\/vault/);
    assert.match(status.stdout, /keys:\s*\n {2}profile base \[file vault/);
    assert.match(status.stdout, /sessions:\s*\n {2}profile admin \(\S+\), expires \d{4}-\d\d-\d\dT/);

    const locked = await runRolecall(box, ['lock']);
    assert.equal(locked.status, 0, locked.stderr);
    assert.match(locked.stdout, new RegExp(`the agent \\(pid ${pids[0]}\\) forgot what it held and exited`));
    await waitForAgents(box, 0);
    assert.ok(!existsSync(socketOf(box)), 'its socket is gone');
    const again = await runRolecall(box, ['lock']);
    assert.match(again.stdout, /no agent was running/);

    // Forgotten: the next exec needs the passphrase (and, without one, fails saying so).
    const after = await runRolecall(box, ['exec', 'admin', '--', 'true'], { env: noPassphrase });
    assert.equal(after.status, 125);
    assert.match(after.stderr, /needs a passphrase: set ROLECALL_FILE_PASSPHRASE, or run rolecall from a terminal/);
    const withIt = await runRolecall(box, ['exec', 'admin', '--', ...CALLER_ARN]);
    assert.equal(withIt.status, 0, withIt.stderr);
    await waitForAgents(box, 1);
    assert.equal(suite.world.proxy.count('AssumeRole'), 1, 'lock drops no cached session: the vault still has it');
  });

  test('ROLECALL_AGENT=off asks none and starts none; a malformed setting is one line', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const { box } = await setup({ ROLECALL_AGENT: 'off' });
    for (let i = 0; i < 2; i++) {
      const run = await runRolecall(box, ['exec', '--debug', 'admin', '--', 'true']);
      assert.equal(run.status, 0, run.stderr);
      assert.doesNotMatch(run.stderr, /agent/);
      assert.match(run.stderr, /\(scrypt N=/, 'every command unlocks the vault, as before the agent');
    }
    assert.deepEqual(agentPids(box), []);
    assert.ok(!existsSync(socketOf(box)));
    // An agent running, holding what this profile needs, is not asked either.
    const warm = await runRolecall(box, ['exec', 'admin', '--', 'true'], { env: { ROLECALL_AGENT: 'on' } });
    assert.equal(warm.status, 0, warm.stderr);
    await waitForAgents(box, 1);
    const served = await runRolecall(box, ['exec', 'admin', '--', 'true'], { env: { ROLECALL_AGENT: 'on', ...noPassphrase } });
    assert.equal(served.status, 0, `the agent holds it: ${served.stderr}`);
    const off = await runRolecall(box, ['exec', '--debug', 'admin', '--', 'true'], { env: noPassphrase });
    assert.equal(off.status, 125, 'the agent holds it, but is not asked');
    assert.match(off.stderr, /needs a passphrase/);
    assert.match((await runRolecall(box, ['agent'])).stderr, /^rolecall: ROLECALL_AGENT=off: no agent is started; unset it to use one\n$/);

    for (const [name, value, line] of [
      ['ROLECALL_AGENT', 'maybe', /^rolecall: ROLECALL_AGENT is "maybe"; it must be on or off\n$/],
      ['ROLECALL_AGENT_TTL', '15m', /^rolecall: ROLECALL_AGENT_TTL is "15m"; it must be a whole number of seconds from 1 to \d+\n$/],
      ['ROLECALL_AGENT_TTL', '0', /^rolecall: ROLECALL_AGENT_TTL is "0"; it must be/],
    ] as const) {
      const bad = await runRolecall(box, ['exec', 'admin', '--', 'true'], { env: { ROLECALL_AGENT: 'on', [name]: value } });
      assert.equal(bad.status, 125);
      assert.match(bad.stderr, line);
    }
  });

  test('ROLECALL_AGENT_TTL: the agent exits after that long without a request, and a request restarts it', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const { box } = await setup({ ROLECALL_AGENT_TTL: '2' });
    const first = await runRolecall(box, ['exec', 'admin', '--', 'true']);
    assert.equal(first.status, 0, first.stderr);
    await waitForAgents(box, 1);
    const status = await runRolecall(box, ['agent', '--status']);
    assert.match(status.stdout, /exits after 2s without a request/);
    // Requests a second apart keep it: each restarts the two seconds.
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const served = await runRolecall(box, ['exec', 'admin', '--', 'true'], { env: noPassphrase });
      assert.equal(served.status, 0, `request ${i + 1}, ${i + 1}s in: ${served.stderr}`);
    }
    const gone = Date.now();
    await waitForAgents(box, 0, 6_000);
    assert.ok(Date.now() - gone >= 500, 'it did not exit at once after the last request');
    assert.ok(!existsSync(socketOf(box)), 'its socket went with it');
    const after = await runRolecall(box, ['exec', 'admin', '--', 'true'], { env: noPassphrase });
    assert.equal(after.status, 125, 'what it held went with it');
  });

  test('no secret in any output, --debug, --status, or file under HOME and the runtime dir', async (t) => {
    if (!requireCommands(t, 'moto_server', 'aws')) return;
    const { box, keys } = await setup();
    const runs: RunResult[] = [];
    const run = async (args: string[], env: Record<string, string> = {}) => {
      const result = await runRolecall(box, args, { env });
      assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
      runs.push(result);
      return result;
    };
    const sessionOut = await run(['exec', '--debug', 'admin', '--', 'sh', '-c', 'printf "%s %s" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN"']);
    await waitForAgents(box, 1);
    const [sessionSecret, sessionToken] = sessionOut.stdout.split(' ');
    runs.pop(); // that stdout is the child's, printing them on purpose
    runs.push({ ...sessionOut, stdout: '' });
    await run(['exec', '--debug', 'admin', '--', 'true'], noPassphrase);
    await run(['exec', '--debug', '--no-session', 'base', '--', 'true'], noPassphrase);
    await run(['agent', '--status']);
    await run(['list'], noPassphrase);
    const canaries = [keys.secretAccessKey, box.env.ROLECALL_FILE_PASSPHRASE as string, sessionSecret as string, sessionToken as string];
    assert.ok(canaries.every((c) => c && c.length > 8));
    for (const result of runs) {
      for (const canary of canaries) {
        assert.ok(!result.stdout.includes(canary) && !result.stderr.includes(canary), `a secret in the output of a run: ${result.stderr}`);
      }
    }
    // The runtime dir is under HOME in the sandbox: both are scanned.
    assert.deepEqual(filesHolding(box, canaries), []);
    // Nor in the agent's own argv or environment: it is handed what it holds over the socket.
    for (const pid of agentPids(box)) {
      const own = readFileSync(`/proc/${pid}/cmdline`, 'utf8') + readFileSync(`/proc/${pid}/environ`, 'utf8');
      for (const canary of canaries) assert.ok(!own.includes(canary), 'a secret in the agent process\'s argv or environment');
      assert.doesNotMatch(own, /ROLECALL_FILE_PASSPHRASE|AWS_/);
    }
  });
});
