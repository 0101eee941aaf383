/**
 * The hook asking for an MFA code, in real bash and zsh on a real terminal
 * (script(1)): entering a directory whose profile needs MFA (mfa_serial, no
 * mfa_process) asks once; the code typed there brings the session in; the
 * prompts after it, and cd's under the same .awsprofile, ask nothing and
 * start no rolecall (the counting wrapper). The Ctrl-C case is in
 * shell-hook-retry.test.ts.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall } from '../helpers/sandbox.js';
import { stsWorldForSuite } from '../helpers/sts-world.js';
import { openTerminal } from '../helpers/terminal-session.js';
import { DEV_AND_MFA_CONFIG, exportedAwsVariables, hookHome, ONE_OF_EACH_SHELL } from './shell-hook-harness.js';

const MFA_PROMPT = /MFA code for arn:aws:iam::123456789012:mfa\/alice: /g;

describe('the shell hook asking for an MFA code', () => {
  const suite = stsWorldForSuite();

  for (const shell of ONE_OF_EACH_SHELL) {
    test(`${shell.command} on a terminal: asked once on entering, then nothing at prompts or a cd under the same file`, async (t) => {
      if (!requireCommands(t, shell.command, 'moto_server', 'script')) return;
      const box = suite.world.sandbox();
      const { env, hookEnvRuns } = hookHome(box, DEV_AND_MFA_CONFIG, { m: 'mfa' }, { AWS_PROFILE: 'mine' });
      assert.equal((await runRolecall(box, ['allow', join(box.home, 'tree', 'm')])).status, 0);
      const mfaCalls = () => suite.world.proxy.calls.filter((c) => c.action === 'GetSessionToken' && c.params.SerialNumber?.endsWith('mfa/alice')).length;
      const mfaCallsBefore = mfaCalls();

      const terminal = openTerminal(shell.command === 'bash' ? ['bash', '--norc', '--noprofile', '-i'] : ['zsh', '-f', '-i'], env, box.home);
      try {
        terminal.type(`PS1='$ '; . '${shell.hookFile}'; cd tree/m\n`);
        await terminal.waitFor(MFA_PROMPT, 1);
        terminal.type('123456\r');
        await terminal.waitFor(/rolecall: profile mfa from ~\/tree\/m\/\.awsprofile/g, 1);
        const inside = await exportedAwsVariables(terminal, 'entered');
        assert.match(inside, /^ROLECALL_PROFILE=mfa$/m, 'the session came in');
        assert.match(inside, /^AWS_ACCESS_KEY_ID=ASIA/m, "the role's key");
        assert.doesNotMatch(inside, /^AWS_PROFILE=/m, "the user's AWS_PROFILE is unset inside");

        // A prompt that asked would swallow the lines typed after it, and the last marker would never come.
        terminal.type(':\n:\ncd sub\n:\ncd ..\ncd sub\nsleep 1\n:\n');
        const steady = await exportedAwsVariables(terminal, 'steady');
        assert.equal(steady, inside, 'the same session, untouched, after prompts and cd under the same file');
        assert.equal(terminal.count(MFA_PROMPT), 1, `asked once:\n${terminal.shown()}`);
        assert.equal(hookEnvRuns(), 1, `only entering ran rolecall:\n${terminal.shown()}`);
        assert.equal(mfaCalls() - mfaCallsBefore, 1, 'one GetSessionToken with the MFA code');
      } finally {
        terminal.close();
      }
    });
  }
});
