/**
 * The hook refreshing a session in place, in real interactive bash and zsh.
 * A role of 900 s with ROLECALL_MIN_TTL=890 is "near expiry" 10 s after it
 * was made: prompts before then start no rolecall (the counting wrapper, so
 * the builtin EPOCHSECONDS check holds them back); the first prompt after a
 * `sleep` past it runs hook-env once, and the shell then holds a new session
 * (another key id) for the same profile, without a cd and without a line.
 * Before that, with the network down (a fault proxy in front of moto, a
 * fake), the refresh fails: the shell keeps the session it has and says so
 * in one line, not again when the retry after the backoff fails too.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall } from '../helpers/sandbox.js';
import { stsWorldForSuite } from '../helpers/sts-world.js';
import { dumpFunctions, hookHome, ONE_OF_EACH_SHELL, runInteractive, type Dump } from './shell-hook-harness.js';

const CONFIG = `
[profile dev]
region = eu-west-1

[profile short]
role_arn = arn:aws:iam::123456789012:role/Short
source_profile = dev
duration_seconds = 900
region = eu-west-1
`;

/** The session is refreshed this many seconds after it was made (900 - ROLECALL_MIN_TTL). */
const NEAR_EXPIRY_AFTER = 10;

describe('the shell hook refreshing a session near expiry', () => {
  const suite = stsWorldForSuite();
  let network: FaultProxy;
  let down: string;
  before(async () => {
    down = join(suite.world.sandbox().home, 'network-down');
    network = await startFaultProxy(suite.world.proxy.url, { downFile: down });
  });
  after(async () => network?.stop());

  for (const shell of ONE_OF_EACH_SHELL) {
    test(`${shell.command}: no process before the refresh time, one after it; a failed refresh keeps the session and says so once; then a new session for the same profile`, async (t) => {
      if (!requireCommands(t, shell.command, 'moto_server')) return;
      // Retries after 1 s, then 2 s.
      const box = suite.world.sandbox({ ROLECALL_MIN_TTL: String(900 - NEAR_EXPIRY_AFTER), AWS_ENDPOINT_URL_STS: network.url, ROLECALL_HOOK_RETRY_SECONDS: '1' });
      rmSync(down, { force: true });
      const { callsFile, env } = hookHome(box, CONFIG, { r: 'short' }, { AWS_PROFILE: 'mine' });
      assert.equal((await runRolecall(box, ['allow', join(box.home, 'tree', 'r')])).status, 0);
      const assumeRolesBefore = suite.world.proxy.count('AssumeRole');

      const script = [
        'set -u',
        shell.userHooks,
        dumpFunctions(shell, callsFile),
        `. '${shell.hookFile}'`,
        '_dump sourced',
        'cd tree/r',
        '_dump entered',
        ':\n:\n:',
        '_dump before-refresh-time',
        // Records, at the prompt the dump runs at, how far the refresh time still was: a slow machine shows in the message.
        'echo "early-by=$((${_rolecall_refresh_at:-0} - EPOCHSECONDS))s" >&2',
        `: > '${down}'`,
        `sleep ${NEAR_EXPIRY_AFTER + 3}`,
        '_dump refresh-failed',
        'sleep 2',
        '_dump failed-again',
        `rm -f '${down}'`,
        'sleep 3',
        '_dump after-refresh-time',
        ':\n:',
        '_dump steady',
      ].join('\n');
      const run = await runInteractive(shell, env, box.home, script);
      const steps = ['sourced', 'entered', 'before-refresh-time', 'refresh-failed', 'failed-again', 'after-refresh-time', 'steady'];
      assert.deepEqual(run.dumps.map((d) => d.step), steps, `every step reported\n${run.stderr.slice(-3000)}`);
      const [sourced, entered, early, failed, failedAgain, refreshed, steady] = run.dumps as [Dump, Dump, Dump, Dump, Dump, Dump, Dump];
      // The early-by line lands in the stderr of the step after it.
      const where = (dump: Dump) => `${shell.command}, step ${dump.step}:\n${run.stepStderr[dump.step] ?? ''}`;

      for (const dump of [entered, early, failed, failedAgain, refreshed, steady]) {
        assert.equal(dump.profile, 'short', `ROLECALL_PROFILE in ${where(dump)}`);
        assert.equal(dump.AWS_PROFILE, '<unset>', `the user's AWS_PROFILE unset inside, in ${where(dump)}`);
        assert.match(dump.key ?? '', /^ASIA/, `a role session's key in ${where(dump)}`);
        assert.equal(dump.token, 'session', where(dump));
      }
      const calls = (from: Dump, to: Dump) => Number(to.calls) - Number(from.calls);
      assert.equal(calls(sourced, entered), 1, `entering ran hook-env once, in ${where(entered)}`);
      assert.equal(calls(entered, early), 0, `prompts before the refresh time start no process, in ${where(early)}`);
      assert.equal(early.key, entered.key, where(early));
      assert.equal(calls(early, failed), 1, `the first prompt after the refresh time ran hook-env, in ${where(failed)}`);
      assert.equal(failed.key, entered.key, `the refresh failed: the shell keeps its session, in ${where(failed)}`);
      assert.match(
        run.stepStderr['refresh-failed'] ?? '',
        /^rolecall: could not refresh the session of profile short: profile "short": AssumeRole \S+ failed: (connect|read|write) ECONNRESET[^(]*\(tried 3 times\); STS is at .+: is it up\?; the shell keeps the one it has \(tried again at a prompt after 1s, or now with 'cd \.'\)$/m,
        where(failed),
      );
      // (That no prompt inside the backoff runs rolecall, shell-hook-retry.test.ts shows.)
      assert.equal(calls(failed, failedAgain), 1, `the retry after the backoff ran hook-env, in ${where(failedAgain)}`);
      assert.equal(failedAgain.key, entered.key, where(failedAgain));
      assert.doesNotMatch(run.stepStderr['failed-again'] ?? '', /^rolecall: /m, `said once, not at the retry, in ${where(failedAgain)}`);
      assert.equal(calls(failedAgain, refreshed), 1, `the network back, the retry after the backoff ran hook-env, in ${where(refreshed)}`);
      assert.notEqual(refreshed.key, entered.key, `a new session's key after the refresh time, in ${where(refreshed)}`);
      assert.equal(calls(refreshed, steady), 0, `the new session is not near expiry: no process, in ${where(steady)}`);
      assert.equal(steady.key, refreshed.key, where(steady));
      assert.equal(suite.world.proxy.count('AssumeRole') - assumeRolesBefore, 2, 'one AssumeRole on entering, one at the refresh');
      // The same profile stays: a refresh says nothing.
      assert.doesNotMatch(run.stepStderr['after-refresh-time'] ?? '', /^rolecall: /m, where(refreshed));
    });
  }
});
