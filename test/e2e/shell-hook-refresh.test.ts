/**
 * The hook refreshing a session in place, in real interactive bash and zsh.
 * A role of 900 s with ROLECALL_MIN_TTL=890 is "near expiry" 10 s after it
 * was made: prompts before then start no rolecall (the counting wrapper, so
 * the builtin EPOCHSECONDS check holds them back); the first prompt after a
 * `sleep` past it runs hook-env once, and the shell then holds a new session
 * (another key id) for the same profile, without a cd and without a line.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
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

  for (const shell of ONE_OF_EACH_SHELL) {
    test(`${shell.command}: no process before the refresh time, one after it, and a new session for the same profile`, async (t) => {
      if (!requireCommands(t, shell.command, 'moto_server')) return;
      const box = suite.world.sandbox({ ROLECALL_MIN_TTL: String(900 - NEAR_EXPIRY_AFTER) });
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
        `sleep ${NEAR_EXPIRY_AFTER + 3}`,
        '_dump after-refresh-time',
        ':\n:',
        '_dump steady',
      ].join('\n');
      const run = await runInteractive(shell, env, box.home, script);
      const steps = ['sourced', 'entered', 'before-refresh-time', 'after-refresh-time', 'steady'];
      assert.deepEqual(run.dumps.map((d) => d.step), steps, `every step reported\n${run.stderr.slice(-3000)}`);
      const [sourced, entered, early, refreshed, steady] = run.dumps as [Dump, Dump, Dump, Dump, Dump];
      // The early-by line lands in the stderr of the step after it.
      const where = (dump: Dump) => `${shell.command}, step ${dump.step}:\n${run.stepStderr[dump.step] ?? ''}`;

      for (const dump of [entered, early, refreshed, steady]) {
        assert.equal(dump.profile, 'short', `ROLECALL_PROFILE in ${where(dump)}`);
        assert.equal(dump.AWS_PROFILE, '<unset>', `the user's AWS_PROFILE unset inside, in ${where(dump)}`);
        assert.match(dump.key ?? '', /^ASIA/, `a role session's key in ${where(dump)}`);
        assert.equal(dump.token, 'session', where(dump));
      }
      const calls = (from: Dump, to: Dump) => Number(to.calls) - Number(from.calls);
      assert.equal(calls(sourced, entered), 1, `entering ran hook-env once, in ${where(entered)}`);
      assert.equal(calls(entered, early), 0, `prompts before the refresh time start no process, in ${where(early)}`);
      assert.equal(early.key, entered.key, where(early));
      assert.equal(calls(early, refreshed), 1, `the first prompt after the refresh time ran hook-env, in ${where(refreshed)}`);
      assert.notEqual(refreshed.key, entered.key, `a new session's key after the refresh time, in ${where(refreshed)}`);
      assert.equal(calls(refreshed, steady), 0, `the new session is not near expiry: no process, in ${where(steady)}`);
      assert.equal(steady.key, refreshed.key, where(steady));
      assert.equal(suite.world.proxy.count('AssumeRole') - assumeRolesBefore, 2, 'one AssumeRole on entering, one at the refresh');
      // The same profile stays: a refresh says nothing.
      assert.doesNotMatch(run.stepStderr['after-refresh-time'] ?? '', /^rolecall: /m, where(refreshed));
    });
  }
});
