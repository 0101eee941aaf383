/**
 * The child side of exec: its environment, its exit status as GNU env
 * reports it, signals passed on, nested exec refused, and --debug that tells
 * every step without a secret.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { spawnOnTerminal } from '../helpers/pseudo-terminal.js';
import { makeSandbox, rolecallBin, runProcess, runRolecall, trappingChild, type Sandbox } from '../helpers/sandbox.js';
import { credentialsFile, randomKeys, startStsWorld, type StsWorld } from '../helpers/sts-world.js';
import { eventually } from '../helpers/eventually.js';

const CONFIG = `
[profile base]
region = eu-west-1

[profile admin]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = eu-central-1

[default]
role_arn = arn:aws:iam::123456789012:role/Default
source_profile = base

[profile regionless]
role_arn = arn:aws:iam::123456789012:role/Regionless
source_profile = base
`;

describe('rolecall exec: the child', { concurrency: false }, () => {
  let world: StsWorld;
  let sandbox: Sandbox;
  const base = randomKeys();
  before(async () => {
    world = await startStsWorld();
    sandbox = world.sandbox({ AWS_PROFILE: 'someone-else', AWS_DEFAULT_PROFILE: 'someone-else', AWS_SECURITY_TOKEN: 'stale-token-value' });
    sandbox.write('.aws/config', CONFIG);
    sandbox.write('.aws/credentials', credentialsFile({ base, 'someone-else': randomKeys() }));
  });
  after(async () => world?.stop());

  const exec = (args: string[], env: Record<string, string> = {}) => runRolecall(sandbox, ['exec', '--mfa-token', '975310', ...args], { env });

  test('the environment: session in, profile selection and stale keys out', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const result = await exec(['admin', '--', 'env']);
    assert.equal(result.status, 0, result.stderr);
    const env = Object.fromEntries(result.stdout.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    assert.equal(env.ROLECALL_PROFILE, 'admin');
    assert.match(env.AWS_ACCESS_KEY_ID ?? '', /^ASIA/);
    assert.ok(env.AWS_SECRET_ACCESS_KEY);
    assert.ok(env.AWS_SESSION_TOKEN);
    assert.match(env.AWS_CREDENTIAL_EXPIRATION ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const expires = Date.parse(env.AWS_CREDENTIAL_EXPIRATION ?? '');
    assert.ok(expires > Date.now() + 50 * 60_000 && expires < Date.now() + 61 * 60_000, 'expires in about an hour');
    assert.equal(env.AWS_REGION, 'eu-central-1');
    assert.equal(env.AWS_DEFAULT_REGION, 'eu-central-1');
    for (const gone of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SECURITY_TOKEN']) assert.equal(env[gone], undefined, `${gone} is removed`);
    assert.equal(env.HOME, sandbox.home, 'the rest of the environment is kept');
  });

  test("under the shell hook another profile gets its own region, not the hook's; the user's own AWS_REGION still wins", async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const regions = 'echo "$AWS_REGION $AWS_DEFAULT_REGION ${ROLECALL_SHELL_HOOK_REGION-none}"';
    const hook = { ROLECALL_PROFILE: 'base', ROLECALL_SHELL_HOOK: 'base', ROLECALL_SHELL_HOOK_REGION: 'eu-west-1', AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1' };
    const underHook = await exec(['admin', '--', 'sh', '-c', regions], hook);
    assert.equal(underHook.status, 0, underHook.stderr);
    assert.equal(underHook.stdout.trim(), 'eu-central-1 eu-central-1 none', "admin's region; the hook's marker is not passed on");
    const userRegion = await exec(['admin', '--', 'sh', '-c', regions], { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1' });
    assert.equal(userRegion.stdout.trim(), 'eu-west-1 eu-west-1 none', userRegion.stderr);
  });

  test("a role without a region of its own gets none, and is told once that its source's is not inherited", async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const first = await exec(['regionless', '--', 'sh', '-c', 'echo ${AWS_REGION-none}']);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(first.stdout.trim(), 'none');
    assert.match(first.stderr, /profile "regionless" has no region of its own, and its source's \(eu-west-1\) is not inherited, as for the AWS CLI/);
    const second = await exec(['regionless', '--', 'true']);
    assert.doesNotMatch(second.stderr, /no region of its own/, 'said once');
  });

  test('the profile comes from AWS_PROFILE when not given, else it is default', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const result = await exec(['--', 'sh', '-c', 'echo $ROLECALL_PROFILE'], { AWS_PROFILE: 'admin' });
    assert.equal(result.stdout.trim(), 'admin', result.stderr);
    const unnamed = await runProcess(process.execPath, [rolecallBin, 'exec', '--', 'sh', '-c', 'echo "$ROLECALL_PROFILE $AWS_ACCESS_KEY_ID"'], {
      env: without(sandbox.env, 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE'),
      cwd: sandbox.home,
    });
    assert.equal(unnamed.status, 0, unnamed.stderr);
    assert.match(unnamed.stdout.trim(), /^default ASIA/, 'the [default] role, assumed');
  });

  test('without a command it runs $SHELL, and /bin/sh when SHELL is not set', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const input = 'echo "$0 in $ROLECALL_PROFILE"\nexit 3\n';
    const result = await runRolecall(sandbox, ['exec', '--mfa-token', '975310', 'admin'], { env: { SHELL: 'bash' }, input });
    assert.equal(result.stdout.trim(), 'bash in admin');
    assert.equal(result.status, 3);
    const noShell = await runProcess(process.execPath, [rolecallBin, 'exec', '--mfa-token', '975310', 'admin'], { env: without(sandbox.env, 'SHELL'), cwd: sandbox.home }, { input });
    assert.equal(noShell.stdout.trim(), '/bin/sh in admin', noShell.stderr);
    assert.equal(noShell.status, 3);
  });

  test('exit status: the child’s own, 128+N on a signal, 126 not executable, 127 not found', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    assert.equal((await exec(['admin', '--', 'sh', '-c', 'exit 7'])).status, 7);
    assert.equal((await exec(['admin', '--', 'sh', '-c', 'kill -TERM $$'])).status, 143);
    sandbox.write('not-executable.sh', 'echo hi\n', 0o644);
    const notExecutable = await exec(['admin', '--', join(sandbox.home, 'not-executable.sh')]);
    assert.equal(notExecutable.status, 126);
    assert.match(notExecutable.stderr, /cannot run it/);
    const empty = await exec(['admin', '--', '']);
    assert.equal(empty.status, 127, 'an empty command name is not found, as for GNU env');
    const notFound = await exec(['admin', '--', 'no-such-command-rolecall']);
    assert.equal(notFound.status, 127);
    assert.match(notFound.stderr, /command not found/);
    const failed = await exec(['no-such-profile', '--', 'true']);
    assert.equal(failed.status, 125);
    assert.equal(failed.stderr.trim().split('\n').length, 1, 'one line');
  });

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const) {
    test(`${signal} sent to rolecall alone reaches the child`, async (t) => {
      if (!requireCommands(t, 'moto_server')) return;
      // The child traps the signal and exits 42; rolecall must pass on the status.
      const child = trappingChild(sandbox.home, signal);
      const run = runRolecall(sandbox, ['exec', '--mfa-token', '975310', 'admin', '--', ...child.command], { onSpawn: child.onSpawn });
      const outcome = await run;
      assert.equal(outcome.status, 42, outcome.stderr);
      assert.equal(outcome.stdout.trim(), `got-${signal}`);
    });
  }

  test('a nested exec is refused, unless --force', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const nested = await exec(['admin', '--', 'true'], { ROLECALL_PROFILE: 'admin' });
    assert.equal(nested.status, 125);
    assert.match(nested.stderr, /already inside `rolecall exec` for profile "admin"/);
    const forced = await exec(['--force', 'admin', '--', 'true'], { ROLECALL_PROFILE: 'admin' });
    assert.equal(forced.status, 0, forced.stderr);
    // A profile the shell hook holds is not an exec: exec runs under it, and
    // its child (which does not inherit the hook's marker) refuses a nested one.
    const underHook = await exec(['admin', '--', process.execPath, rolecallBin, 'exec', 'admin', '--', 'true'], { ROLECALL_PROFILE: 'base', ROLECALL_SHELL_HOOK: 'base' });
    assert.equal(underHook.status, 125, underHook.stderr);
    assert.match(underHook.stderr, /already inside `rolecall exec` for profile "admin"/);
    assert.equal(underHook.stderr.trim().split('\n').length, 1, 'the outer exec ran; only the inner one refused');
  });

  test('--debug tells each step and no secret', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const secretFile = join(sandbox.home, 'child-secret');
    // Cold, so every STS step runs and is told; then warm, from the cache.
    assert.equal((await runRolecall(sandbox, ['clear'])).status, 0);
    const result = await exec(['--debug', 'admin', '--', 'sh', '-c', `printf %s "$AWS_SECRET_ACCESS_KEY $AWS_SESSION_TOKEN" > "${secretFile}"`]);
    assert.equal(result.status, 0, result.stderr);
    const [sessionSecret, sessionToken] = readFileSync(secretFile, 'utf8').split(' ');
    assert.ok(sessionSecret && sessionToken);
    const output = result.stdout + result.stderr;
    assert.match(result.stderr, /GetSessionToken/);
    assert.match(result.stderr, /AssumeRole arn:aws:iam::123456789012:role\/Admin/);
    assert.match(result.stderr, new RegExp(`${base.accessKeyId.slice(0, 4)}…${base.accessKeyId.slice(-4)}`), 'key ids are shown masked');
    for (const secret of [base.secretAccessKey, sessionSecret, sessionToken, '975310', base.accessKeyId]) {
      assert.ok(!output.includes(secret), 'a secret or a full key id reached the output');
    }
    const warm = await exec(['--debug', 'admin', '--', 'true']);
    assert.match(warm.stderr, /AssumeRole arn:aws:iam::123456789012:role\/Admin for profile "admin": cached, expires in 59m/);
    for (const secret of [base.secretAccessKey, sessionSecret, sessionToken]) assert.ok(!warm.stderr.includes(secret));
  });
});

describe('rolecall exec on a terminal', () => {
  /**
   * Runs `rolecall exec --no-session keys -- node CHILD` on a pseudo-terminal
   * (script(1)): `childCode` gets `ready` (a file to write, not empty, once
   * its signal handlers are in) and `done` (a file the test writes when it may finish).
   * `act` runs once `ready` exists, with its content.
   */
  async function onTerminal(childCode: (files: { ready: string; done: string }) => string, act: (run: ReturnType<typeof spawnOnTerminal>, ready: string, done: string) => Promise<void>) {
    const sandbox = makeSandbox();
    try {
      sandbox.write('.aws/credentials', credentialsFile({ keys: randomKeys() }));
      const ready = join(sandbox.home, 'ready');
      const done = join(sandbox.home, 'done');
      const child = sandbox.write('child.cjs', childCode({ ready: JSON.stringify(ready), done: JSON.stringify(done) }));
      const run = spawnOnTerminal([process.execPath, rolecallBin, 'exec', '--no-session', 'keys', '--', process.execPath, child], { env: sandbox.env, cwd: sandbox.home });
      let output = '';
      run.stdout.on('data', (c: Buffer) => (output += c.toString()));
      const finished = new Promise<number | null>((resolve) => run.on('close', resolve));
      // Written whole by the child; not empty once its handlers are in.
      await eventually(() => existsSync(ready) && readFileSync(ready, 'utf8') !== '', 'the child to be ready');
      await act(run, readFileSync(ready, 'utf8'), done);
      return { status: await finished, output };
    } finally {
      sandbox.cleanup();
    }
  }

  test('one Ctrl-C reaches the child once', async (t) => {
    if (!requireCommands(t, 'script')) return;
    // A node child counts each delivery (a shell would merge two that arrive during one sleep).
    const { status, output } = await onTerminal(
      ({ ready, done }) =>
        `const fs = require('fs'); let n = 0; process.on('SIGINT', () => n++); fs.writeFileSync(${ready}, 'listening');` +
        `const t = setInterval(() => { if (fs.existsSync(${done})) { clearInterval(t); console.log('interrupts: ' + n); } }, 20);\n`,
      async (run, _ready, done) => {
        // \x03 typed into the terminal is Ctrl-C, which it sends to the whole foreground process group.
        run.stdin.write('\x03');
        await new Promise((r) => setTimeout(r, 700));
        writeFileSync(done, '');
      },
    );
    assert.match(output, /interrupts: 1\b/, output);
    assert.equal(status, 0, output);
  });

  test('a hangup sent to rolecall alone reaches the child, on a terminal too', async (t) => {
    if (!requireCommands(t, 'script')) return;
    // The child names its parent (rolecall) and leaves when it gets a HUP.
    const { status, output } = await onTerminal(
      ({ ready }) =>
        `const fs = require('fs'); process.on('SIGHUP', () => { console.log('hangups: 1'); process.exit(0); });` +
        `fs.writeFileSync(${ready}, String(process.ppid)); setTimeout(() => { console.log('no hangup'); process.exit(9); }, 15000);\n`,
      async (_run, rolecallPid) => {
        process.kill(Number(rolecallPid), 'SIGHUP');
      },
    );
    assert.match(output, /hangups: 1/, output);
    assert.equal(status, 0, output);
  });
});

/** `env` without the named variables (runRolecall can add variables, not take them away). */
function without(env: Record<string, string>, ...names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !names.includes(name)));
}
