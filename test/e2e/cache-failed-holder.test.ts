/**
 * When the rolecall that is getting a session fails, the ones waiting for it
 * fail with it, at once and with one line saying why, instead of each asking
 * for an MFA code (or calling STS) again in turn; a run started afterwards
 * tries afresh. Against moto behind the recording proxy, whose hold() keeps
 * the failure back until every waiter is waiting.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { spawnOnTerminal } from '../helpers/pseudo-terminal.js';
import { rolecallBin, runProcess, runRolecall, type RunResult } from '../helpers/sandbox.js';
import { credentialsFile, randomKeys, stsWorldPerTest } from '../helpers/sts-world.js';

const CONFIG = `
[profile base]
region = us-east-1
mfa_serial = arn:aws:iam::123456789012:mfa/alice
mfa_process = sh "$HOME/mfa.sh"

[profile app]
role_arn = arn:aws:iam::123456789012:role/App
source_profile = base
region = us-east-1

[profile prompted-base]
region = us-east-1
mfa_serial = arn:aws:iam::123456789012:mfa/bob

[profile prompted]
role_arn = arn:aws:iam::123456789012:role/Prompted
source_profile = prompted-base
region = us-east-1

[profile plain]
region = us-east-1

[profile refused]
role_arn = arn:aws:iam::123456789012:role/Refused
source_profile = plain
region = us-east-1
`;

/**
 * Counts its runs, waits for the test's go (so that all the others are
 * waiting by then), prints a code as a token app would, and fails unless the
 * test has "fixed" it.
 */
const MFA_SCRIPT = `echo run >> "$HOME/mfa-runs"
i=0; while [ ! -e "$HOME/go" ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i+1)); done
echo 654321
[ -e "$HOME/mfa-fixed" ] || exit 1
`;

const CONCURRENT = 5;
const WAITING = 'waiting for rolecall pid';

/** Gives each run its stderr listener; `then` is called once `count` runs have said (--debug) that they wait for another. */
function watchForWaiting(count: number, then: () => void): () => (chunk: string) => void {
  let waiting = 0;
  return () => {
    let said = '';
    return (chunk) => {
      if (said.includes(WAITING)) return;
      said += chunk;
      if (said.includes(WAITING) && ++waiting === count) then();
    };
  };
}

describe('session cache: a failing holder takes its waiters with it', { concurrency: false }, () => {
  const suite = stsWorldPerTest((box) => {
    box.write('.aws/config', CONFIG);
    box.write('.aws/credentials', credentialsFile({ base: randomKeys(), plain: randomKeys(), 'prompted-base': randomKeys() }));
    box.write('mfa.sh', MFA_SCRIPT);
  }, { ROLECALL_LOCK_TIMEOUT: '60' });

  /** Runs CONCURRENT execs at once; `whenAllWait` is called once all but one say they wait for another. */
  async function concurrently(profile: string, whenAllWait: () => void): Promise<RunResult[]> {
    const watcher = watchForWaiting(CONCURRENT - 1, whenAllWait);
    return Promise.all(Array.from({ length: CONCURRENT }, () => runRolecall(suite.box, ['exec', profile, '--debug', '--', 'true'], { onStderr: watcher() })));
  }

  /** What a run reported, but for --debug lines and the once-only advice about plain-text keys. */
  function reportLines(run: RunResult): string[] {
    return run.stderr.split('\n').filter((line) => line.startsWith('rolecall: ') && !line.startsWith('rolecall: debug: ') && !line.endsWith('(said once)'));
  }

  function lockDirectory(): string[] {
    const dir = join(suite.box.home, '.cache', 'rolecall', 'locks');
    return existsSync(dir) ? readdirSync(dir) : [];
  }

  test('mfa_process failing: it runs once, all exit 125, the waiters say whose attempt failed and why; the next run asks again', async (t) => {
    if (!requireCommands(t, 'moto_server', 'sh')) return;
    const started = Date.now();
    const runs = await concurrently('app', () => suite.box.write('go', ''));
    assert.equal(readFileSync(join(suite.box.home, 'mfa-runs'), 'utf8'), 'run\n', 'the mfa_process ran once');
    assert.deepEqual(suite.world.proxy.counts(), {}, 'no STS call was made');
    assert.deepEqual(runs.map((run) => run.status), Array(CONCURRENT).fill(125));
    const holder = runs.filter((run) => !run.stderr.includes(WAITING));
    assert.equal(holder.length, 1);
    assert.deepEqual(reportLines(holder[0] as RunResult), ['rolecall: mfa_process of profile "base" exited with status 1']);
    for (const waiter of runs.filter((run) => run !== holder[0])) {
      assert.deepEqual(reportLines(waiter), [
        `rolecall: another rolecall (pid ${(holder[0] as RunResult).pid}) was getting the same session and failed: mfa_process of profile "base" exited with status 1`,
      ]);
      assert.doesNotMatch(waiter.stderr, /654321/);
    }
    assert.ok(Date.now() - started < 30_000, 'the waiters did not wait for the lock timeout');

    // The records of the failure: 0600, no code, no lock left behind.
    const names = lockDirectory();
    assert.ok(!names.some((name) => name.endsWith('.lock') || name.endsWith('.tmp')), names.join(' '));
    const records = names.filter((name) => name.endsWith('.failed'));
    assert.equal(records.length, 2, 'one per link that failed (the MFA session and the role)');
    for (const name of records) {
      const path = join(suite.box.home, '.cache', 'rolecall', 'locks', name);
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.doesNotMatch(readFileSync(path, 'utf8'), /654321/);
    }

    // Right after (within the time a record counts), a new run is not turned away by it.
    suite.box.write('mfa-fixed', '');
    const again = await runRolecall(suite.box, ['exec', 'app', '--', 'true']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(readFileSync(join(suite.box.home, 'mfa-runs'), 'utf8'), 'run\nrun\n', 'the mfa_process ran a second time');
    assert.equal(suite.world.proxy.count('GetSessionToken'), 1);
  });

  test('STS refusing: one AssumeRole, all exit 125 with its reason; the next run calls STS again', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    suite.world.proxy.refuse('AssumeRole');
    const release = suite.world.proxy.hold('AssumeRole');
    const runs = await concurrently('refused', release);
    assert.equal(suite.world.proxy.count('AssumeRole'), 1);
    assert.deepEqual(runs.map((run) => run.status), Array(CONCURRENT).fill(125));
    const refusal = 'AssumeRole arn:aws:iam::123456789012:role/Refused failed: AccessDenied: User is not authorized to perform: sts:AssumeRole';
    const holder = runs.filter((run) => !run.stderr.includes(WAITING));
    assert.equal(holder.length, 1);
    assert.deepEqual(reportLines(holder[0] as RunResult), [`rolecall: profile "refused": ${refusal}`]);
    for (const waiter of runs.filter((run) => run !== holder[0])) {
      assert.deepEqual(reportLines(waiter), [`rolecall: another rolecall (pid ${(holder[0] as RunResult).pid}) was getting the same session and failed: profile "refused": ${refusal}`]);
    }

    suite.world.proxy.reset();
    const again = await runRolecall(suite.box, ['exec', 'refused', '--', 'true']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(suite.world.proxy.count('AssumeRole'), 1, 'a new run tried again (and STS now said yes)');
  });

  test('a failure of the holder\'s own (STS refusing the code it was given with --mfa-token) is not shared: the waiter calls STS with its own code', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    suite.world.proxy.refuse('GetSessionToken');
    const release = suite.world.proxy.hold('GetSessionToken');
    const holder = runRolecall(suite.box, ['exec', 'prompted', '--mfa-token', '111111', '--', 'true']);
    // The holder's refusal is decided (and held back) once its call arrives; calls after the reset go through.
    while (suite.world.proxy.count('GetSessionToken') === 0) await new Promise((r) => setTimeout(r, 20));
    let waiting = false;
    const waiter = runRolecall(suite.box, ['exec', 'prompted', '--mfa-token', '123456', '--debug', '--', 'true'], {
      onStderr: watchForWaiting(1, () => {
        waiting = true;
        suite.world.proxy.reset();
        release();
      })(),
    });
    const [held, waited] = await Promise.all([holder, waiter]);
    assert.equal(held.status, 125, held.stderr);
    assert.match(held.stderr, /GetSessionToken with MFA arn:aws:iam::123456789012:mfa\/bob failed: AccessDenied/);
    assert.ok(waiting, waited.stderr);
    assert.equal(waited.status, 0, waited.stderr);
    assert.doesNotMatch(waited.stderr, /another rolecall/);
    assert.deepEqual(suite.world.proxy.counts(), { GetSessionToken: 1, AssumeRole: 1 }, 'the waiter made the calls itself');
    assert.deepEqual(lockDirectory().filter((name) => name.endsWith('.failed')), [], 'the holder left no record');
  });

  test('Ctrl-C at the holder\'s MFA prompt: it exits 130, the waiters 125 saying so, and none of them asks', async (t) => {
    if (!requireCommands(t, 'moto_server', 'script', 'setsid')) return;
    const holder = spawnOnTerminal([process.execPath, rolecallBin, 'exec', 'prompted', '--', 'true'], { env: suite.box.env, cwd: suite.box.home });
    const holderEnded = new Promise<number | null>((resolve) => holder.on('close', resolve));
    let screen = '';
    await new Promise<void>((resolve) =>
      holder.stdout.on('data', (chunk: Buffer) => {
        screen += chunk.toString();
        if (screen.includes('MFA code for')) resolve();
      }),
    );
    // The waiters have no terminal (setsid): had one of them taken over, it would fail asking for a code, not as below.
    const watcher = watchForWaiting(CONCURRENT - 1, () => holder.stdin.write('\x03'));
    const waiters = Array.from({ length: CONCURRENT - 1 }, () =>
      runProcess('setsid', ['-w', process.execPath, rolecallBin, 'exec', 'prompted', '--debug', '--', 'true'], { env: suite.box.env, cwd: suite.box.home }, { onStderr: watcher() }),
    );
    const runs = await Promise.all(waiters);
    assert.equal(await holderEnded, 130, screen);
    holder.stdin.end();
    const holderPid = /waiting for rolecall pid (\d+)/.exec(runs[0]?.stderr ?? '')?.[1];
    for (const run of runs) {
      assert.equal(run.status, 125, run.stderr);
      assert.deepEqual(reportLines(run), [`rolecall: another rolecall (pid ${holderPid}) was getting the same session and failed: its prompt was cancelled`]);
    }
    assert.deepEqual(suite.world.proxy.counts(), {});
    // Nothing of the cancelled attempt is left: no lock, no record, no session; the next run works.
    // The failure records stay for the waiters to read (swept later, cache/lock-leftovers.ts); no lock and no temp file.
    assert.deepEqual(lockDirectory().filter((name) => !name.endsWith('.failed')), [], 'no lock, no temp file');
    const sessions = join(suite.box.home, '.local', 'share', 'rolecall', 'vault', 'rolecall-sessions');
    assert.deepEqual(existsSync(sessions) ? readdirSync(sessions) : [], [], 'no session, whole or partial');
    const next = await runRolecall(suite.box, ['exec', 'prompted', '--mfa-token', '123456', '--', 'true']);
    assert.equal(next.status, 0, next.stderr);
  });
});
