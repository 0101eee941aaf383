/**
 * The hook in real interactive bash and zsh, walking a tree: no file, an
 * untrusted file, `rolecall allow`, a subdirectory, steady prompts, leaving,
 * files whose "profile name" is shell syntax, a second profile (a role), a
 * direct switch, an edit without a cd, and a `rolecall deny` from another
 * process. One table of expectations serves every shell; after each step the
 * environment the hook left is compared with it, and the counting wrapper
 * proves that steady prompts and a cd under the same file start no process.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import type { Sandbox } from '../helpers/sandbox.js';
import { credentialsFile, randomKeys, startStsWorld, type StsWorld } from '../helpers/sts-world.js';
import { countingWrapper, DEV_KEY, dumpFunctions, runInteractive, SHELLS_UNDER_TEST, type Dump, type ShellRun } from './shell-hook-harness.js';

const CONFIG = `
[profile dev]
region = eu-west-1

[profile ops]
role_arn = arn:aws:iam::123456789012:role/Ops
source_profile = dev
region = us-west-2
`;

interface Expect {
  readonly profile?: string;
  /** The session's key id, or a prefix of it; absent: no key at all. */
  readonly key?: string;
  readonly region?: string;
  /** How many times `rolecall` ran during the step (the counting wrapper). */
  readonly calls: number;
  /** Lines the step must print on stderr (allow reports success on stdout); no other line of the hook may appear. */
  readonly notices?: readonly RegExp[];
}

interface Step {
  readonly name: string;
  /** Commands, in the syntax both shells read. T is the tree, H the home. */
  readonly run: (t: string, h: string) => string;
  readonly expect: Expect;
}

/** The one table every shell is held to. */
const STEPS: readonly Step[] = [
  { name: 'no-file', run: (t) => `cd '${t}'`, expect: { calls: 0 } },
  { name: 'untrusted', run: (t) => `cd '${t}/a'`, expect: { calls: 1, notices: [/rolecall: ~\/tree\/a\/\.awsprofile asks for profile dev; run 'rolecall allow' to trust it$/m] } },
  { name: 'untrusted-steady', run: () => ':\n:\n:', expect: { calls: 0 } },
  { name: 'allowed', run: () => 'rolecall allow', expect: { profile: 'dev', key: DEV_KEY, region: 'eu-west-1', calls: 2, notices: [/rolecall: profile dev from ~\/tree\/a\/\.awsprofile$/m] } },
  { name: 'subdirectory', run: (t) => `cd '${t}/a/sub'`, expect: { profile: 'dev', key: DEV_KEY, region: 'eu-west-1', calls: 0 } },
  { name: 'steady', run: () => ':\n:\n:\n:\nfalse', expect: { profile: 'dev', key: DEV_KEY, region: 'eu-west-1', calls: 0 } },
  { name: 'status', run: () => 'rolecall status', expect: { profile: 'dev', key: DEV_KEY, region: 'eu-west-1', calls: 1 } },
  { name: 'cd-same-file', run: (t) => `cd '${t}/a'\ncd sub\ncd ..`, expect: { profile: 'dev', key: DEV_KEY, region: 'eu-west-1', calls: 0 } },
  { name: 'left', run: (t) => `cd '${t}'`, expect: { calls: 1, notices: [/rolecall: left profile dev \(the variables are back as they were\)$/m] } },
  // No file is followed here. One made and allowed above, from another process: the trust change is seen.
  { name: 'plain', run: (t) => `cd '${t}/plain'`, expect: { calls: 0 } },
  {
    name: 'allowed-above',
    run: (t) => `sh -c 'cd "$1" && printf "dev\\n" > .awsprofile && exec rolecall allow' sh '${t}' >/dev/null`,
    expect: { profile: 'dev', key: DEV_KEY, region: 'eu-west-1', calls: 2, notices: [/rolecall: profile dev from ~\/tree\/\.awsprofile$/m] },
  },
  { name: 'removed-above', run: (t) => `rm '${t}/.awsprofile'`, expect: { calls: 1, notices: [/rolecall: left profile dev \(the variables are back as they were\)$/m] } },
  // A file made where you are is seen at the next prompt, without a cd.
  { name: 'created-here', run: () => `printf 'dev\\n' > .awsprofile`, expect: { calls: 1, notices: [/rolecall: ~\/tree\/plain\/\.awsprofile asks for profile dev; run 'rolecall allow' to trust it$/m] } },
  { name: 'created-allowed', run: () => 'rolecall allow', expect: { profile: 'dev', key: DEV_KEY, region: 'eu-west-1', calls: 2, notices: [/rolecall: profile dev from ~\/tree\/plain\/\.awsprofile$/m] } },
  { name: 'created-removed', run: () => 'rm .awsprofile\n:\n:', expect: { calls: 1, notices: [/rolecall: left profile dev \(the variables are back as they were\)$/m] } },
  { name: 'back', run: (t) => `cd '${t}'`, expect: { calls: 0 } },
  // A directory whose name is not UTF-8: hook-env cannot read its path back, so it follows nothing there,
  // and the file the shell sees must not make every prompt run it again.
  { name: 'not-utf8', run: (t) => `cd '${t}'/$'bad\\xff'`, expect: { calls: 1 } },
  { name: 'not-utf8-steady', run: () => ':\n:\n:', expect: { calls: 0 } },
  { name: 'back-again', run: (t) => `cd '${t}'`, expect: { calls: 0 } },
  { name: 'evil-untrusted', run: (t) => `cd '${t}/evil1'`, expect: { calls: 1, notices: [/rolecall: ~\/tree\/evil1\/\.awsprofile: "\$\(touch .*pwned-1\)" is not a valid profile name; ignored$/m] } },
  { name: 'evil-allowed', run: () => 'rolecall allow', expect: { calls: 2, notices: [/rolecall: allowed ~\/tree\/evil1\/\.awsprofile, but .* is not a valid profile name: the hook will ignore it$/m] } },
  { name: 'evil2-allowed', run: (t) => `cd '${t}/evil2'\nrolecall allow`, expect: { calls: 3, notices: [/is not a valid profile name; ignored$/m, /rolecall: allowed ~\/tree\/evil2\/\.awsprofile, but/m] } },
  { name: 'evil2-steady', run: () => ':\n:\n:', expect: { calls: 0 } },
  { name: 'second-profile', run: (t) => `cd '${t}/b'\nrolecall allow`, expect: { profile: 'ops', key: 'ASIA', region: 'us-west-2', calls: 3, notices: [/asks for profile ops/, /rolecall: profile ops from ~\/tree\/b\/\.awsprofile$/m] } },
  { name: 'switch', run: (t) => `cd '${t}/a/sub'`, expect: { profile: 'dev', key: DEV_KEY, region: 'eu-west-1', calls: 1, notices: [/rolecall: profile dev from ~\/tree\/a\/\.awsprofile$/m] } },
  { name: 'edited', run: (t) => `printf '# now ops\\nops\\n' > '${t}/a/.awsprofile'`, expect: { calls: 1, notices: [/rolecall: left profile dev \(the variables are back as they were\)$/m, /rolecall: ~\/tree\/a\/\.awsprofile changed since it was allowed; it asks for profile ops; run 'rolecall allow' to trust it$/m] } },
  { name: 'edited-steady', run: () => ':\n:', expect: { calls: 0 } },
  { name: 'reallowed', run: () => 'rolecall allow', expect: { profile: 'ops', key: 'ASIA', region: 'us-west-2', calls: 2, notices: [/rolecall: profile ops from/m] } },
  // Another process (as from another terminal): this shell takes it up at its next prompt, no cd.
  { name: 'denied-elsewhere', run: (t) => `sh -c 'cd "$1" && exec rolecall deny' sh '${t}/a' >/dev/null`, expect: { calls: 2, notices: [/rolecall: left profile ops \(the variables are back as they were\)$/m] } },
  { name: 'denied-steady', run: () => ':\n:', expect: { calls: 0 } },
];

describe('the shell hook walking a tree', () => {
  let world: StsWorld;

  before(async () => {
    world = await startStsWorld();
  });
  after(async () => {
    await world?.stop();
  });

  for (const shell of SHELLS_UNDER_TEST) {
    test(shell.label, async (t) => {
      if (!requireCommands(t, shell.command, 'moto_server')) return;
      const box = world.sandbox({ ROLECALL_BACKEND: 'file', ROLECALL_FILE_PASSPHRASE: 'shell-hook-test-passphrase' });
      const tree = makeTree(box);
      const callsFile = join(box.home, 'calls');
      const bin = countingWrapper(box.home, callsFile);
      const env = {
        ...box.env,
        PATH: `${bin}:${box.env.PATH ?? '/usr/bin:/bin'}`,
        TERM: 'dumb',
        // The user's own selection and a stale token: unset inside, put back outside.
        AWS_PROFILE: 'mine',
        AWS_SESSION_TOKEN: 'user-token',
      };
      const script = [
        'set -u',
        shell.userHooks,
        dumpFunctions(shell, callsFile),
        // Sourcing twice (the file, then what `rolecall hook` prints) installs once.
        `. '${shell.hookFile}'`,
        `eval "$(rolecall hook ${shell.command})"`,
        '_dump sourced',
        ...STEPS.flatMap((step) => [step.run(tree, box.home), `_dump ${step.name}`]),
      ].join('\n');
      const run = await runInteractive(shell, env, box.home, script);
      assert.equal(run.dumps.length, STEPS.length + 1, `every step reported\n${run.stderr.slice(-3000)}`);

      const sourced = run.dumps[0] as Dump;
      assert.equal(sourced.installed, shell.expectInstalled, 'installed once, the user hook kept');
      assert.equal(sourced.calls, '1', 'only `rolecall hook` ran');

      let calls = Number(sourced.calls);
      STEPS.forEach((step, index) => {
        const dump = run.dumps[index + 1] as Dump;
        assert.equal(dump.step, step.name);
        const where = `${shell.label}, step ${step.name}:\n${run.stepStderr[step.name] ?? ''}`;
        checkEnvironment(dump, step.expect, where);
        assert.equal(Number(dump.calls) - calls, step.expect.calls, `rolecall runs in ${where}`);
        calls = Number(dump.calls);
        checkNotices(run, step, where);
        assert.equal(dump.installed, shell.expectInstalled, `the prompt hooks are intact in ${where}`);
      });

      // The user's prompt hook ran after ours at every prompt and saw `false`'s status.
      assert.equal(run.dumps.find((d) => d.step === 'steady')?.userSeen, '1', "the user's prompt hook sees $? of the last command");
      assert.equal(run.dumps.find((d) => d.step === 'subdirectory')?.userSeen, '0');
      if (shell.command === 'zsh') assert.ok(Number(run.dumps.at(-1)?.userCds) >= 10, 'chpwd_functions still run');
      assert.match(run.stdout, /file: +~\/tree\/a\/\.awsprofile\nasks for: dev\ntrust: +allowed\nactive: +dev \(session expires \d{4}-\d\d-\d\dT[\d:]+Z, (\d+m|1h|\d+h \d+m) left\)/, '`rolecall status` in the shell');
      // Each untrusted file was announced once, not at each prompt.
      assert.equal(run.stderr.match(/tree\/a\/\.awsprofile asks for profile dev;/g)?.length, 1);
      assert.equal(run.stderr.match(/tree\/plain\/\.awsprofile asks for profile dev;/g)?.length, 1);
      for (const n of [1, 2, 3]) assert.ok(!existsSync(join(box.home, `pwned-${n}`)), `nothing in a .awsprofile ran (pwned-${n})`);
      assert.ok(!run.stderr.includes('command not found'), run.stderr);
    });
  }
});

function makeTree(box: Sandbox): string {
  const keys = randomKeys();
  box.write('.aws/config', CONFIG);
  box.write('.aws/credentials', credentialsFile({ dev: keys }));
  const tree = join(box.home, 'tree');
  mkdirSync(join(tree, 'a', 'sub'), { recursive: true });
  mkdirSync(join(tree, 'b'), { recursive: true });
  mkdirSync(join(tree, 'plain'), { recursive: true });
  const notUtf8 = Buffer.concat([Buffer.from(`${tree}/bad`), Buffer.from([0xff])]);
  mkdirSync(notUtf8);
  writeFileSync(Buffer.concat([notUtf8, Buffer.from('/.awsprofile')]), 'dev\n');
  mkdirSync(join(tree, 'evil1'), { recursive: true });
  mkdirSync(join(tree, 'evil2'), { recursive: true });
  writeFileSync(join(tree, 'a', '.awsprofile'), '# the billing team\n\ndev\n');
  writeFileSync(join(tree, 'b', '.awsprofile'), 'ops\n');
  writeFileSync(join(tree, 'evil1', '.awsprofile'), `$(touch ${box.home}/pwned-1)\n`);
  // `a;rm -rf ~` in spirit, with a witness instead of the damage; bytes that are not UTF-8, a NUL and trailing
  // newlines too (bash's read stops at the NUL, zsh's $(<file) drops the newlines: steady prompts must still match).
  writeFileSync(
    join(tree, 'evil2', '.awsprofile'),
    Buffer.concat([Buffer.from(`a;touch ${box.home}/pwned-2;\`touch ${box.home}/pwned-3\`'"\\ `), Buffer.from([0xff, 0xfe, 0x1b, 0x0a, 0x00]), Buffer.from('after a NUL\n\n')]),
  );
  return tree;
}

function checkEnvironment(dump: Dump, expect: Expect, where: string): void {
  if (expect.profile) {
    assert.equal(dump.profile, expect.profile, `ROLECALL_PROFILE in ${where}`);
    assert.equal(dump.AWS_PROFILE, '<unset>', `the user's AWS_PROFILE is unset inside, in ${where}`);
    assert.ok(dump.key?.startsWith(expect.key ?? '?'), `key ${dump.key} in ${where}`);
    assert.equal(dump.secret, 'set', where);
    assert.equal(dump.token, 'session', `the session's token, not the user's, in ${where}`);
    assert.equal(dump.expiration, 'set', where);
    assert.equal(dump.region, expect.region, `AWS_REGION in ${where}`);
    assert.equal(dump.defaultRegion, expect.region, `AWS_DEFAULT_REGION in ${where}`);
  } else {
    assert.equal(dump.profile, '<unset>', `no ROLECALL_PROFILE in ${where}`);
    assert.equal(dump.AWS_PROFILE, 'mine', `the user's AWS_PROFILE as it was, in ${where}`);
    assert.equal(dump.key, '<unset>', `no keys in ${where}`);
    assert.equal(dump.secret, '', where);
    assert.equal(dump.token, 'user-token', `the user's own token back, in ${where}`);
    assert.equal(dump.expiration, '', where);
    assert.equal(dump.region, '<unset>', `AWS_REGION unset as it was, in ${where}`);
    assert.equal(dump.defaultRegion, '<unset>', where);
  }
  assert.equal(dump.AWS_DEFAULT_PROFILE, '<unset>', `AWS_DEFAULT_PROFILE stays unset, in ${where}`);
}

function checkNotices(run: ShellRun, step: Step, where: string): void {
  const text = run.stepStderr[step.name] ?? '';
  for (const notice of step.expect.notices ?? []) assert.match(text, notice, `expected notice in ${where}`);
  // Lines of the hook and of allow/deny; other notes (the vault's advice about plain-text keys) are not counted.
  const hookLines = text.match(/rolecall: (~|\/|profile \S+ from |no session |allowed |denied |left profile )/g) ?? [];
  assert.equal(hookLines.length, step.expect.notices?.length ?? 0, `exactly the expected lines in ${where}`);
}
