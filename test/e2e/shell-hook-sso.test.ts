/**
 * The shell hook over an IAM Identity Center profile with no token, in real
 * bash and zsh on a real terminal (script(1)), the browser the test's
 * $BROWSER script (sso-login-harness.ts): as for an MFA prompt, entering
 * the directory starts the sign-in once, on the terminal; a Ctrl-C there
 * puts every variable back as the user had it and starts no other sign-in
 * at the prompts after it (only a cd does); a sign-in that fails is tried
 * again after the retry's backoff, not at every prompt; a `cd .` then signs
 * in and brings the session in.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { oidcControls } from '../helpers/fake-sso-oidc.js';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall, type Sandbox } from '../helpers/sandbox.js';
import { ssoWorldForSuite } from '../helpers/sso-world.js';
import { openTerminal } from '../helpers/terminal-session.js';
import { exportedAwsVariables, hookHome, ONE_OF_EACH_SHELL } from './shell-hook-harness.js';
import { browserRuns, CONFIG, withBrowser } from './sso-login-harness.js';
import { eventually } from '../helpers/eventually.js';

const SIGNING_IN = /signing in to IAM Identity Center \(sso-session "corp"\) in the browser; waiting for it/g;
const ENTERED = /rolecall: profile dev from ~\/tree\/d\/\.awsprofile/g;

describe('the shell hook over an SSO profile with no token', { concurrency: false }, () => {
  const suite = ssoWorldForSuite();

  async function shellHome(box: Sandbox, userEnv: Record<string, string> = {}) {
    const browser = withBrowser(box);
    const home = hookHome(box, CONFIG, { d: 'dev' }, { ...browser, ...userEnv });
    // dev is an SSO profile: no keys of its own in the credentials file.
    box.write('.aws/credentials', '');
    assert.equal((await runRolecall(box, ['allow', join(box.home, 'tree', 'd')])).status, 0);
    suite.world.identityCenter.state.calls.length = 0;
    return home;
  }

  const count = (operation: string) => suite.world.identityCenter.state.count(operation);
  const shellCommand = (shell: string) => (shell === 'bash' ? ['bash', '--norc', '--noprofile', '-i'] : ['zsh', '-f', '-i']);

  for (const shell of ONE_OF_EACH_SHELL) {
    test(`${shell.command}: the sign-in starts once on entering; Ctrl-C there puts the variables back and no prompt signs in again until a cd`, async (t) => {
      if (!requireCommands(t, shell.command, 'moto_server', 'aws', 'script')) return;
      const box = suite.world.sandbox({ ROLECALL_HOOK_RETRY_SECONDS: '1' });
      // The user's own choices, which a cancelled sign-in must leave exactly as they were.
      const { env, hookEnvRuns } = await shellHome(box, { AWS_PROFILE: 'mine', AWS_REGION: 'ap-south-1', AWS_SESSION_TOKEN: 'user-token' });
      // The person does not sign in: the browser opens, nothing visits the page.
      box.write('browser-hold', '');
      const terminal = openTerminal(shellCommand(shell.command), env, box.home);
      try {
        terminal.type(`PS1='$ '; . '${shell.hookFile}'\n`);
        const before = await exportedAwsVariables(terminal, 'before');
        assert.match(before, /^AWS_PROFILE=mine$/m);
        terminal.type('cd tree/d\n');
        await terminal.waitFor(SIGNING_IN, 1);
        // The line comes before the browser is started: a Ctrl-C at once could cancel before the tab opens.
        await eventually(() => browserRuns(box).length === 1, 'the browser to be started', 10_000);
        terminal.type('\u0003');
        await terminal.waitFor(/rolecall: no session for profile dev: cancelled \('cd \.' asks again\)/g, 1);
        // A first retry of 1 s: were a cancel retried on the timer, the prompt after `sleep 2` would sign in again.
        terminal.type(":\n:\nsleep 2\n:\nprintf '@@%s@@\\n' steady\n");
        await terminal.waitFor(/@@steady@@/g, 1);
        assert.equal(terminal.count(SIGNING_IN), 1, `signed in once, not again at the next prompts:\n${terminal.shown()}`);
        assert.equal(browserRuns(box).length, 1, 'one browser tab');
        assert.equal(hookEnvRuns(), 1, `no rolecall started at the prompts after the cancel:\n${terminal.shown()}`);
        assert.equal(await exportedAwsVariables(terminal, 'after-cancel'), before, 'after Ctrl-C every AWS_* and ROLECALL_* variable is as the user had it');

        // Now the person signs in: a cd asks again, the browser visits the page, the session comes in.
        rmSync(join(box.home, 'browser-hold'));
        terminal.type('cd .\n');
        await terminal.waitFor(ENTERED, 1);
        const inside = await exportedAwsVariables(terminal, 'inside');
        assert.match(inside, /^ROLECALL_PROFILE=dev$/m);
        assert.match(inside, /^AWS_ACCESS_KEY_ID=ASIA/m, "the SSO role's key");
        assert.doesNotMatch(inside, /^AWS_PROFILE=/m);
        assert.equal(terminal.count(SIGNING_IN), 2);
        assert.equal(browserRuns(box).length, 2);
        assert.equal(count('CreateToken:authorization_code'), 1, 'the cancelled sign-in exchanged no code');
        assert.equal(count('GetRoleCredentials'), 1);
      } finally {
        terminal.close();
      }
    });
  }

  test('bash: a sign-in that fails is tried again after the backoff, not at every prompt', async (t) => {
    if (!requireCommands(t, 'bash', 'moto_server', 'aws', 'script')) return;
    const box = suite.world.sandbox({ ROLECALL_HOOK_RETRY_SECONDS: '3' });
    const { env, hookEnvRuns } = await shellHome(box);
    const controls = oidcControls(suite.world.identityCenter.state);
    // The sign-in is denied in the browser (error= with this login's state): it fails. (A wrong state would not
    // end it: that redirect is answered 400 and the sign-in waits on, sso-loopback.)
    controls.authorizeError = 'access_denied';
    const terminal = openTerminal(shellCommand('bash'), env, box.home);
    try {
      terminal.type(`PS1='$ '; . '${ONE_OF_EACH_SHELL[0]?.hookFile}'; cd tree/d\n`);
      await terminal.waitFor(/rolecall: no session for profile dev: .*not approved: access_denied.* \(tried again at a prompt after 3s, or now with 'cd \.'\)/g, 1);
      controls.authorizeError = undefined;
      terminal.type(":\n:\nprintf '@@%s@@\\n' soon\n");
      await terminal.waitFor(/@@soon@@/g, 1);
      assert.equal(browserRuns(box).length, 1, `no sign-in at the prompts within the backoff:\n${terminal.shown()}`);
      assert.equal(hookEnvRuns(), 1);
      // After the backoff, a prompt tries again: the sign-in succeeds this time.
      terminal.type('sleep 3\n:\n');
      await terminal.waitFor(ENTERED, 1);
      assert.equal(browserRuns(box).length, 2, 'one sign-in per try');
      assert.equal(hookEnvRuns(), 2);
    } finally {
      controls.authorizeError = undefined;
      terminal.close();
    }
  });
});
