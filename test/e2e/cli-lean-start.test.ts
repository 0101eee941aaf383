/**
 * The lean start: what the commonest calls load, shown by running them from
 * a copy of dist/ that holds only some of its files (and no node_modules).
 * `--version` needs dist/rolecall.cjs alone; the prompt hook's steady
 * `hook-env` (its profile active, its session good) needs only
 * dist/hook-env.cjs beside it, neither the commands' bundle nor clipanion's;
 * entering a profile hands the call to dist/commands.cjs, whose errors keep
 * their meaning (a profile that does not exist is one line, as through
 * clipanion). And that bundle is loaded from compiled code kept in the
 * user's own cache directory, not compiled at every start.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { makeSandbox, rolecallBin, runProcess, runRolecall, type Sandbox } from '../helpers/sandbox.js';
import { randomKeys, stsWorldForSuite } from '../helpers/sts-world.js';

let box: Sandbox;
let project: string;

before(async () => {
  box = makeSandbox();
  // A profile that needs no network: its session comes from a credential_process.
  box.write(
    '.aws/config',
    `[profile dev]\ncredential_process = printf '{"Version":1,"AccessKeyId":"AKIALEANSTART0000000","SecretAccessKey":"leanleanleanleanleanleanleanleanleanlean","SessionToken":"leantoken","Expiration":"2099-01-01T00:00:00Z"}'\nregion = eu-west-1\n`,
  );
  project = join(box.home, 'project');
  box.write('project/.awsprofile', 'dev\n');
  const allowed = await runRolecall(box, ['allow', project]);
  assert.equal(allowed.status, 0, allowed.stderr);
});
after(() => box.cleanup());
const sts = stsWorldForSuite();

/** dist/'s `files` alone in a directory of their own. */
function copyOfDist(files: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-lean-'));
  for (const file of files) copyFileSync(join(dirname(rolecallBin), file), join(dir, file));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  return dir;
}

/** What the hook passes at a prompt in `dir` with `active` the profile it entered, its session good for a day. */
function hookEnv(dir: string, active: string): Record<string, string> {
  return { ...box.env, PWD: dir, _ROLECALL_PWD: dir, _ROLECALL_OLDPWD: box.home, _ROLECALL_ACTIVE: active, _ROLECALL_REFRESH_AT: String(Math.floor(Date.now() / 1000) + 86400) };
}

test('--version is answered by dist/rolecall.cjs alone', async () => {
  const alone = copyOfDist(['rolecall.cjs']);
  try {
    const version = await runProcess(process.execPath, [join(alone, 'rolecall.cjs'), '--version'], { env: box.env });
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
    const other = await runProcess(process.execPath, [join(alone, 'rolecall.cjs'), 'exec', 'dev', '--', 'true'], { env: box.env });
    assert.notEqual(other.status, 0, 'the control: exec needs the commands bundle');
    assert.match(other.stderr, /commands\.cjs/);
  } finally {
    rmSync(alone, { recursive: true, force: true });
  }
});

test('a steady hook-env needs only dist/hook-env.cjs; entering a profile needs dist/commands.cjs', async () => {
  const hookOnly = copyOfDist(['rolecall.cjs', 'hook-env.cjs']);
  try {
    const steady = await runProcess(process.execPath, [join(hookOnly, 'rolecall.cjs'), 'hook-env', 'bash'], { env: hookEnv(project, 'dev'), cwd: project });
    assert.equal(steady.status, 0, steady.stderr);
    assert.equal(steady.stderr, '');
    assert.match(steady.stdout, /^_rolecall_file='.*\/project\/\.awsprofile'$/m, 'the state the hook compares next');
    assert.doesNotMatch(steady.stdout, /export |unset /, 'nothing in the environment changes');
    const entering = await runProcess(process.execPath, [join(hookOnly, 'rolecall.cjs'), 'hook-env', 'bash'], { env: hookEnv(project, ''), cwd: project });
    assert.notEqual(entering.status, 0, 'the control: entering a profile loads the commands bundle');
    assert.match(entering.stderr, /commands\.cjs/);
  } finally {
    rmSync(hookOnly, { recursive: true, force: true });
  }
});

test('hook-env loads no node:crypto, steady or not: the trusted file is known by its stamp, and an edit of the same size is still seen', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-lean-'));
  try {
    // Says, as the process ends, whether node:crypto was loaded (Node's own list of the built-ins it loaded).
    const probe = join(dir, 'probe.cjs');
    writeFileSync(probe, "process.on('exit', () => require('node:fs').writeSync(2, process.moduleLoadList.includes('NativeModule crypto') ? 'crypto loaded\\n' : 'no crypto\\n'));\n");
    // The file's stamp is remembered once its last change is a second old.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const steady = () => runProcess(process.execPath, ['-r', probe, rolecallBin, 'hook-env', 'bash'], { env: hookEnv(project, 'dev'), cwd: project });
    const first = await steady();
    assert.equal(first.status, 0, first.stderr);
    const second = await steady();
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stderr, 'no crypto\n');
    assert.match(second.stdout, /^_rolecall_file='.*\/project\/\.awsprofile'$/m);
    // An edit of the same size changes the stamp: the file is hashed again (base/sha256.ts, no node:crypto) and found changed.
    box.write('project/.awsprofile', 'ved\n');
    const edited = await steady();
    assert.match(edited.stderr, /no crypto/);
    assert.match(edited.stderr, /changed since it was allowed/);
  } finally {
    box.write('project/.awsprofile', 'dev\n');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--version, a steady hook-env and a TAB write to their stdout pipe without making its stream (node:net, about 6 ms a prompt)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-lean-'));
  try {
    // Says, as the process ends, whether node:net was loaded: making process.stdout's stream for a pipe loads it.
    const probe = join(dir, 'probe.cjs');
    writeFileSync(probe, "process.on('exit', () => require('node:fs').writeSync(2, process.moduleLoadList.includes('NativeModule net') ? 'net loaded\\n' : 'no net\\n'));\n");
    const control = await runProcess(process.execPath, ['-r', probe, '-e', "process.stdout.write('x')"], { env: box.env });
    assert.equal(control.stderr, 'net loaded\n', 'the control: a write through process.stdout to a pipe loads node:net');
    const complete = join(dirname(rolecallBin), 'complete.cjs');
    const runs = [
      { argv: [rolecallBin, '--version'], expect: /^\d+\.\d+\.\d+\n$/ },
      { argv: [rolecallBin, 'hook-env', 'bash'], expect: /^_rolecall_file='.*\/project\/\.awsprofile'$/m },
      { argv: [complete, 'ex'], expect: /^exec$/m },
    ];
    for (const { argv, expect } of runs) {
      const result = await runProcess(process.execPath, ['-r', probe, ...argv], { env: hookEnv(project, 'dev'), cwd: project });
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, expect, argv.join(' '));
      assert.equal(result.stderr, 'no net\n', argv.join(' '));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('entering a profile through the hook bundle: the session, and a failure as one line', async () => {
  const entered = await runRolecall(box, ['hook-env', 'bash'], { env: hookEnv(project, ''), cwd: project });
  assert.equal(entered.status, 0, entered.stderr);
  assert.match(entered.stdout, /^export AWS_ACCESS_KEY_ID='AKIALEANSTART0000000'$/m);
  assert.match(entered.stderr, /^rolecall: profile dev from ~\/project\/\.awsprofile$/m);
  box.write('project/.awsprofile', 'nowhere\n');
  await runRolecall(box, ['allow', project]);
  const failed = await runRolecall(box, ['hook-env', 'bash'], { env: hookEnv(project, ''), cwd: project });
  assert.equal(failed.status, 0, failed.stderr);
  assert.match(failed.stderr, /^rolecall: no session for profile nowhere: .*\n$/);
  assert.doesNotMatch(failed.stderr, /unexpected error|\n\s+at /, 'a ConfigError from the commands bundle is still one of ours');
  box.write('project/.awsprofile', 'dev\n');
  await runRolecall(box, ['allow', project]);
});

test("the commands' bundle loads from V8 code cached in the user's own directory (Node's cache on 22+, rolecall's on 20)", async () => {
  const cacheDir = join(box.env.XDG_CACHE_HOME as string, 'rolecall', 'compile-cache');
  rmSync(cacheDir, { recursive: true, force: true });
  const exec = () => runRolecall(box, ['exec', 'dev', '--', 'node', '-e', 'process.stdout.write(process.env.AWS_SECRET_ACCESS_KEY)']);
  const first = await exec();
  assert.equal(first.status, 0, first.stderr);
  assert.equal(first.stdout, 'leanleanleanleanleanleanleanleanleanlean');
  assert.equal(statSync(cacheDir).mode & 0o777, 0o700);
  const ours = () => readdirSync(cacheDir).filter((name) => /^commands-.*\.v8$/.test(name));
  if ((nodeModule as { enableCompileCache?: unknown }).enableCompileCache) {
    // Node keeps the cache itself: its own files are there, rolecall writes none.
    assert.deepEqual(ours(), []);
    assert.ok(readdirSync(cacheDir).length > 0, "Node's compile cache is in rolecall's directory");
    return;
  }
  const [name] = ours();
  assert.ok(name, `a cache of the commands' bundle in ${readdirSync(cacheDir).join(', ')}`);
  const file = join(cacheDir, name);
  const made = statSync(file);
  assert.equal(made.mode & 0o777, 0o600);
  assert.ok(!readFileSync(file).includes('leanleanleanlean'), 'compiled code, no value from the run');
  // Accepted by V8 the next time: it is not written again.
  const second = await exec();
  assert.equal(second.status, 0, second.stderr);
  assert.equal(statSync(file).mtimeMs, made.mtimeMs);
  // Code V8 refuses (garbage) is replaced; the command works as before.
  writeFileSync(file, 'not V8 code at all', { mode: 0o600 });
  const garbled = await exec();
  assert.equal(garbled.status, 0, garbled.stderr);
  assert.equal(garbled.stdout, 'leanleanleanleanleanleanleanleanleanlean');
  assert.ok(statSync(file).size > 1000, 'written anew');
  // A cache someone else may write is not run: replaced by one of 0600.
  chmodSync(file, 0o666);
  const loose = await exec();
  assert.equal(loose.status, 0, loose.stderr);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  // Caches of earlier builds are cleared when a new one is written, but for the newest three.
  for (const [i, build] of ['1-1', '1-2', '1-3', '1-4'].entries()) {
    const other = join(cacheDir, `commands-${build}-v20.0.0-x64.v8`);
    writeFileSync(other, 'old', { mode: 0o600 });
    utimesSync(other, 1_000_000 + i, 1_000_000 + i);
  }
  rmSync(file);
  await exec();
  assert.deepEqual(ours().sort(), [name, 'commands-1-2-v20.0.0-x64.v8', 'commands-1-3-v20.0.0-x64.v8', 'commands-1-4-v20.0.0-x64.v8'].sort());
});

test('a compile cache directory others may write is not used: nothing read from it or written to it, the command works', async () => {
  const cacheDir = join(box.env.XDG_CACHE_HOME as string, 'rolecall', 'compile-cache');
  rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  chmodSync(cacheDir, 0o777);
  try {
    const run = await runRolecall(box, ['exec', 'dev', '--', 'true']);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(readdirSync(cacheDir), []);
    // The control: the same directory made the user's alone again is used.
    chmodSync(cacheDir, 0o700);
    const again = await runRolecall(box, ['exec', 'dev', '--', 'true']);
    assert.equal(again.status, 0, again.stderr);
    assert.notDeepEqual(readdirSync(cacheDir), []);
  } finally {
    chmodSync(cacheDir, 0o700);
  }
});

test('a warm credential-process with the agent off loads neither node:net nor node:tty (spawning nothing and asking nothing, it needs neither)', async (t) => {
  if (!requireCommands(t, 'moto_server')) return;
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-lean-'));
  const off = sts.world.sandbox({ ROLECALL_AGENT: 'off', ROLECALL_BACKEND: 'file', ROLECALL_FILE_PASSPHRASE: 'lean-start-passphrase' });
  try {
    const probe = join(dir, 'probe.cjs');
    writeFileSync(probe, "process.on('exit', () => require('node:fs').writeSync(2, ['net', 'tty'].filter((name) => process.moduleLoadList.includes('NativeModule ' + name)).join(' ') + '.\\n'));\n");
    off.write('.aws/config', '[profile base]\nregion = eu-west-1\n\n[profile role]\nrole_arn = arn:aws:iam::123456789012:role/Lean\nsource_profile = base\nregion = eu-west-1\n');
    const keys = randomKeys();
    const added = await runRolecall(off, ['add', 'base', '--env'], { env: { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey } });
    assert.equal(added.status, 0, added.stderr);
    const cold = await runProcess(process.execPath, ['-r', probe, rolecallBin, 'credential-process', 'role'], { env: off.env });
    assert.equal(cold.status, 0, cold.stderr);
    assert.match(cold.stderr, /net/, 'the control: the cold one called STS over the network');
    const warm = await runProcess(process.execPath, ['-r', probe, rolecallBin, 'credential-process', 'role'], { env: off.env });
    assert.equal(warm.status, 0, warm.stderr);
    assert.equal(JSON.parse(warm.stdout).AccessKeyId, JSON.parse(cold.stdout).AccessKeyId, 'the cached session');
    assert.equal(warm.stderr, '.\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
