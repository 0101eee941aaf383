/**
 * `rolecall allow DIR` and `rolecall deny DIR` run from another directory,
 * with the hook in real interactive bash and zsh: a project's file allowed
 * from home is taken up on entering it (no "run 'rolecall allow'" line);
 * denied by its directory from elsewhere (another process, as from another
 * terminal), the shell leaves the profile at its next prompt. A DIR with no
 * .awsprofile at or above it, or no DIR at all, is a one-line error that
 * trusts nothing.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { makeSandbox, runRolecall } from '../helpers/sandbox.js';
import { stsWorldForSuite } from '../helpers/sts-world.js';
import { DEV_KEY, dumpFunctions, hookHome, ONE_OF_EACH_SHELL, runInteractive, type Dump } from './shell-hook-harness.js';

interface Step {
  readonly name: string;
  /** Commands in the syntax both shells read; P is the project directory. */
  readonly run: (p: string) => string;
  readonly profile?: string;
  readonly calls: number;
  /** Lines of rolecall the step prints; no other may appear. */
  readonly lines: readonly RegExp[];
}

const STEPS: readonly Step[] = [
  // From home, where no .awsprofile applies: a relative DIR, the project's subdirectory (its file is the one above).
  { name: 'allowed-from-home', run: () => 'rolecall allow tree/a/sub', calls: 1, lines: [/^rolecall: allowed ~\/tree\/a\/\.awsprofile \(profile dev\)$/m] },
  { name: 'entered', run: (p) => `cd '${p}/sub'`, profile: 'dev', calls: 1, lines: [/^rolecall: profile dev from ~\/tree\/a\/\.awsprofile$/m] },
  { name: 'denied-by-dir', run: (p) => `sh -c 'cd / && exec rolecall deny "$1"' sh '${p}'`, calls: 2, lines: [/^rolecall: denied ~\/tree\/a\/\.awsprofile$/m] },
  { name: 'denied-steady', run: () => ':\n:\ncd ..', calls: 0, lines: [] },
];

describe('rolecall allow DIR and deny DIR with the shell hook', () => {
  const suite = stsWorldForSuite();

  for (const shell of ONE_OF_EACH_SHELL) {
    test(`${shell.command}: allowed by DIR from home, taken up on entering; denied by DIR from elsewhere, left at the next prompt`, async (t) => {
      if (!requireCommands(t, shell.command, 'moto_server')) return;
      const box = suite.world.sandbox();
      const { callsFile, env } = hookHome(box, '[profile dev]\nregion = eu-west-1\n', { a: 'dev' }, { AWS_PROFILE: 'mine' });
      const project = join(box.home, 'tree', 'a');

      const script = ['set -u', shell.userHooks, dumpFunctions(shell, callsFile), `. '${shell.hookFile}'`, '_dump sourced', ...STEPS.flatMap((s) => [s.run(project), `_dump ${s.name}`])].join('\n');
      const run = await runInteractive(shell, env, box.home, script);
      assert.equal(run.dumps.length, STEPS.length + 1, `every step reported\n${run.stderr.slice(-3000)}`);

      let calls = Number(run.dumps[0]?.calls);
      STEPS.forEach((step, index) => {
        const dump = run.dumps[index + 1] as Dump;
        const shown = `${run.stepStderr[step.name] ?? ''}${run.stdout.split('\n').filter((l) => l.startsWith('rolecall: ')).join('\n')}`;
        const where = `${shell.command}, step ${step.name}:\n${shown}`;
        assert.equal(Number(dump.calls) - calls, step.calls, `rolecall runs in ${where}`);
        calls = Number(dump.calls);
        assert.equal(dump.profile, step.profile ?? '<unset>', `ROLECALL_PROFILE in ${where}`);
        assert.equal(dump.key, step.profile ? DEV_KEY : '<unset>', `keys in ${where}`);
        assert.equal(dump.AWS_PROFILE, step.profile ? '<unset>' : 'mine', `the user's AWS_PROFILE in ${where}`);
      });
      // allow and deny report on stdout, the hook on stderr: each line once, and no other line of theirs (no "asks for profile").
      const printed = `${run.stdout}\n${run.stderr}`.split('\n').filter((l) => /^rolecall: (allowed|denied|profile \S+ from|~|no )/.test(l));
      for (const step of STEPS) for (const line of step.lines) assert.equal(printed.filter((l) => line.test(l)).length, 1, `${line} once in:\n${printed.join('\n')}`);
      assert.equal(printed.length, STEPS.reduce((n, s) => n + s.lines.length, 0), `no other line of rolecall's:\n${printed.join('\n')}`);
    });
  }

  test('allow DIR and deny DIR where no .awsprofile is at or above DIR: one line, status 1, nothing trusted', async () => {
    const box = makeSandbox();
    mkdirSync(join(box.home, 'plain'), { recursive: true });
    for (const command of ['allow', 'deny']) {
      const run = await runRolecall(box, [command, 'plain']);
      assert.equal(run.status, 1, `${command}: ${run.stderr}`);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^rolecall: no \.awsprofile in ~\/plain or any directory above it\n$/, command);
    }
    // A DIR that does not exist is named as such: it must not trust (or block) a file above the typo.
    writeFileSync(join(box.home, '.awsprofile'), 'dev\n');
    for (const command of ['allow', 'deny']) {
      const run = await runRolecall(box, [command, 'projcet']);
      assert.equal(run.status, 1, `${command}: ${run.stderr}`);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^rolecall: ~\/projcet does not exist\n$/, command);
    }
    // A hostile name (one tab completion may offer) is shown, not played to the terminal.
    const escape = await runRolecall(box, ['allow', 'x\u001b[31mRED']);
    assert.equal(escape.status, 1);
    assert.ok(!escape.stderr.includes('\u001b'), JSON.stringify(escape.stderr));
    assert.match(escape.stderr, /does not exist/);
    // Likewise a DIR that is some other file, and not the .awsprofile itself.
    writeFileSync(join(box.home, 'notes.txt'), 'dev\n');
    for (const command of ['allow', 'deny']) {
      const run = await runRolecall(box, [command, 'notes.txt']);
      assert.equal(run.status, 1, `${command}: ${run.stderr}`);
      assert.match(run.stderr, /^rolecall: ~\/notes\.txt is a file; name its directory, or the \.awsprofile itself\n$/, command);
    }
    const status = await runRolecall(box, ['status'], { cwd: box.home });
    assert.match(status.stdout, /^trust: +not trusted/m, `the file above the typo is not trusted:\n${status.stdout}`);
    assert.ok(!existsSync(join(box.home, 'projcet')));
  });
});

test('allow of a file naming a profile the config lacks trusts it and says so at once, with the nearest names', async () => {
  const box = makeSandbox();
  try {
    box.write('.aws/config', '[profile dev]\nregion = eu-west-1\n');
    box.write('proj/.awsprofile', 'dve\n');
    const run = await runRolecall(box, ['allow', 'proj']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^rolecall: allowed ~\/proj\/\.awsprofile \(profile dve\)$/m);
    assert.match(run.stderr, /^rolecall: profile dve is not in ~\/\.aws\/config or ~\/\.aws\/credentials; did you mean "dev"\?$/m);
    box.write('proj/.awsprofile', 'dev\n');
    const known = await runRolecall(box, ['allow', 'proj']);
    assert.equal(known.stderr, '', 'nothing to say of a profile the config has');
  } finally {
    box.cleanup();
  }
});
