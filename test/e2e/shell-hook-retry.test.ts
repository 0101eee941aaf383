/**
 * The hook after a failure, in real interactive bash and zsh. With the
 * network down (a fault proxy in front of moto, a fake), entering a project
 * fails; prompts inside the backoff start no rolecall process (the counting
 * wrapper); `rolecall deny` / `allow` still act at the next prompt; `cd .`
 * tries at once; and once the network is back, the first prompt after the
 * backoff gets the session without a cd. On a real terminal (script(1)), a
 * Ctrl-C at the hook's MFA prompt is not asked again at the next prompts, not
 * even after the backoff, until a `cd .`.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { requireCommands } from '../helpers/peers.js';
import { runRolecall, type Sandbox } from '../helpers/sandbox.js';
import { openTerminal } from '../helpers/terminal-session.js';
import { startStsWorld, type StsWorld } from '../helpers/sts-world.js';
import { DEV_AND_MFA_CONFIG, DEV_KEY, dumpFunctions, exportedAwsVariables, hookHome, ONE_OF_EACH_SHELL, runInteractive, SHELLS_UNDER_TEST, type Dump } from './shell-hook-harness.js';

interface Step {
  readonly name: string;
  readonly run: string;
  /** rolecall runs during the step (the counting wrapper). */
  readonly calls: number;
  readonly profile?: string;
  /** The hook's own lines the step prints; no other may appear. */
  readonly notices?: readonly RegExp[];
}

/** With ROLECALL_HOOK_RETRY_SECONDS=3: waits of 3 s, then 6 s. DOWN is the switch's file. */
const STEPS = (down: string): readonly Step[] => [
  { name: 'failed', run: 'cd tree/a', calls: 1, notices: [/^rolecall: no session for profile dev: .+ \(tried again at a prompt after 3s, or now with 'cd \.'\)$/m] },
  { name: 'backoff', run: ':\n:\n:', calls: 0 },
  // Trust changes act at the next prompt, in the failed state too: deny settles, allow tries (and fails) again.
  { name: 'denied', run: 'rolecall deny >/dev/null', calls: 2 },
  { name: 'allowed-still-down', run: 'rolecall allow >/dev/null', calls: 2, notices: [/no session for profile dev: .+ \(tried again at a prompt after 3s, or now with 'cd \.'\)$/m] },
  // `cd .` tries at once; it fails again, so the wait doubles, and a second `cd .` would not be seen: the line says so.
  { name: 'cd-dot', run: 'cd .', calls: 1, notices: [/no session for profile dev: .+ \(tried again at a prompt after 6s, or now with 'cd \.\.; cd -'\)$/m] },
  { name: 'network-back', run: `rm -f '${down}'\n:`, calls: 0 },
  { name: 'after-backoff', run: 'sleep 7', calls: 1, profile: 'dev', notices: [/^rolecall: profile dev from ~\/tree\/a\/\.awsprofile$/m] },
  { name: 'steady', run: ':\n:\n:', calls: 0, profile: 'dev' },
];

describe('the shell hook after a failure', () => {
  let world: StsWorld;
  let network: FaultProxy;
  let down: string;

  before(async () => {
    world = await startStsWorld();
    down = join(world.sandbox().home, 'network-down');
    network = await startFaultProxy(world.proxy.url, { downFile: down });
  });
  after(async () => {
    await network?.stop();
    await world?.stop();
  });

  for (const shell of SHELLS_UNDER_TEST) {
    test(`${shell.label}: retried after the backoff, not before; cd . at once`, async (t) => {
      if (!requireCommands(t, shell.command, 'moto_server')) return;
      const { box, callsFile, env, hookEnvRuns } = await shellSandbox(world.sandbox({ AWS_ENDPOINT_URL_STS: network.url, ROLECALL_HOOK_RETRY_SECONDS: '3' }), 'a');
      writeFileSync(down, '');
      const steps = STEPS(down);
      const script = ['set -u', shell.userHooks, dumpFunctions(shell, callsFile), `. '${shell.hookFile}'`, '_dump sourced', ...steps.flatMap((s) => [s.run, `_dump ${s.name}`])].join('\n');
      const run = await runInteractive(shell, env, box.home, script);
      assert.equal(run.dumps.length, steps.length + 1, `every step reported\n${run.stderr.slice(-3000)}`);

      let calls = Number(run.dumps[0]?.calls);
      steps.forEach((step, index) => {
        const dump = run.dumps[index + 1] as Dump;
        const where = `${shell.label}, step ${step.name}:\n${run.stepStderr[step.name] ?? ''}`;
        assert.equal(Number(dump.calls) - calls, step.calls, `rolecall runs in ${where}`);
        calls = Number(dump.calls);
        assert.equal(dump.profile, step.profile ?? '<unset>', `ROLECALL_PROFILE in ${where}`);
        if (step.profile) assert.equal(dump.key, DEV_KEY, where);
        else assert.equal(dump.key, '<unset>', `no keys in ${where}`);
        const text = run.stepStderr[step.name] ?? '';
        for (const notice of step.notices ?? []) assert.match(text, notice, `expected notice in ${where}`);
        const hookLines = text.match(/^rolecall: (~|\/|profile \S+ from |no session )/gm) ?? [];
        assert.equal(hookLines.length, step.notices?.length ?? 0, `exactly the expected lines in ${where}`);
      });
      assert.equal(hookEnvRuns(), 5, 'hook-env ran at the failure, deny, allow, cd . and the retry, no more');
    });
  }

  for (const shell of ONE_OF_EACH_SHELL) {
    test(`${shell.command} on a terminal: Ctrl-C at the hook's MFA prompt is not asked again until a cd`, async (t) => {
      if (!requireCommands(t, shell.command, 'moto_server', 'script')) return;
      // A first wait of 1 s: if a cancel were retried on the timer, the prompt after `sleep 2` would ask.
      const { box, env, hookEnvRuns } = await shellSandbox(world.sandbox({ ROLECALL_HOOK_RETRY_SECONDS: '1' }), 'm');

      const mfaCalls = () => world.proxy.calls.filter((c) => c.action === 'GetSessionToken' && c.params.SerialNumber?.endsWith('mfa/alice')).length;
      const mfaCallsBefore = mfaCalls();
      // The user's own choices, which a cancelled prompt must leave exactly as they were.
      const userEnv = { ...env, AWS_PROFILE: 'mine', AWS_DEFAULT_PROFILE: 'mine-too', AWS_REGION: 'ap-south-1', AWS_SESSION_TOKEN: 'user-token' };
      const terminal = openTerminal(shell.command === 'bash' ? ['bash', '--norc', '--noprofile', '-i'] : ['zsh', '-f', '-i'], userEnv, box.home);
      try {
        terminal.type(`PS1='$ '; . '${shell.hookFile}'\n`);
        const before = await exportedAwsVariables(terminal, 'before');
        assert.match(before, /^AWS_PROFILE=mine$/m);
        terminal.type('cd tree/m\n');
        await terminal.waitFor(/MFA code for arn:aws:iam::123456789012:mfa\/alice: /g, 1);
        terminal.type('\u0003');
        await terminal.waitFor(/rolecall: no session for profile mfa: cancelled \('cd \.' asks again\)/g, 1);
        // If any of these prompts asked for a code, it would swallow the lines typed after it and the marker would never come.
        terminal.type(":\n:\nsleep 2\n:\nprintf '@@%s@@\\n' steady\n");
        await terminal.waitFor(/@@steady@@/g, 1);
        assert.equal(terminal.count(/MFA code for/g), 1, `asked once, not again at the next prompts:\n${terminal.shown()}`);
        assert.equal(hookEnvRuns(), 1, `no rolecall started at the prompts after the cancel:\n${terminal.shown()}`);
        assert.equal(await exportedAwsVariables(terminal, 'after-cancel'), before, 'after Ctrl-C every AWS_* and ROLECALL_* variable is as the user had it');

        terminal.type('cd .\n');
        await terminal.waitFor(/MFA code for arn:aws:iam::123456789012:mfa\/alice: /g, 2);
        terminal.type('123456\r');
        await terminal.waitFor(/rolecall: profile mfa from ~\/tree\/m\/\.awsprofile/g, 1);
        terminal.type(`printf '@@%s@@\\n' "\${ROLECALL_PROFILE-none}"\n`);
        await terminal.waitFor(/@@mfa@@/g, 1);
        assert.equal(hookEnvRuns(), 2);
        assert.equal(mfaCalls() - mfaCallsBefore, 1, 'one MFA call: the cancelled prompt made none');
        assert.doesNotMatch(await exportedAwsVariables(terminal, 'inside'), /^AWS_PROFILE=/m, 'the user\'s AWS_PROFILE is unset once the session is in');
      } finally {
        terminal.close();
      }
    });
  }
});

/** ~/tree/a naming dev and ~/tree/m naming mfa, `allowed` trusted. */
async function shellSandbox(box: Sandbox, allowed: 'a' | 'm') {
  const home = hookHome(box, DEV_AND_MFA_CONFIG, { a: 'dev', m: 'mfa' });
  assert.equal((await runRolecall(box, ['allow', join(box.home, 'tree', allowed)])).status, 0);
  return { box, ...home };
}
