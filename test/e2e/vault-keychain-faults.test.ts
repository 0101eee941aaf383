/**
 * A keychain that is not there or not usable: no D-Bus session bus, a bus
 * with no Secret Service on it, a locked collection (gnome-keyring's login
 * collection locked over D-Bus), keytar not installed or not loadable. Each
 * is one line that says what is missing and points at `--backend file`;
 * nothing crashes, and no key is written anywhere in plain text, nor into
 * the file vault behind the user's back when the keychain was asked for.
 *
 * Each case has a session bus of its own (dbus-run-session), with a keyring
 * daemon of its own where it needs one, so no other test's keychain is
 * touched; a bus with no Secret Service is one whose configuration has no
 * service files, so nothing is started on demand.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { shellQuote } from '../helpers/pseudo-terminal.js';
import { makeSandbox, repoRoot, rolecallBin, runProcess, runRolecall, type Sandbox } from '../helpers/sandbox.js';
import { randomKeys } from '../helpers/sts-world.js';
import { filesHolding } from '../helpers/secret-scan.js';

const TO_FILE = /use --backend file/;

interface Outcome {
  readonly status: number;
  readonly stderr: string;
}

/** A sandbox that names no backend, with keys in the environment for `add --env`. */
function sandbox(): { box: Sandbox; keys: ReturnType<typeof randomKeys>; keyEnv: Record<string, string> } {
  const box = makeSandbox();
  delete box.env.ROLECALL_BACKEND;
  box.write('.aws/config', '[profile keys]\nregion = eu-west-1\n');
  const keys = randomKeys();
  return { box, keys, keyEnv: { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey } };
}

/** rolecall's own lines (the keyring's prompter, which cannot open a display, writes its own). */
function ours(outcome: Outcome): string[] {
  return outcome.stderr.split('\n').filter((line) => line.startsWith('rolecall:'));
}

/**
 * Runs each command line in a session bus of its own: `setup` first (start
 * a keyring daemon, lock it), then the runs, each with its environment.
 */
async function onOwnBus(box: Sandbox, options: { config?: string; setup?: string }, runs: Array<{ args: string[]; env?: Record<string, string> }>): Promise<Outcome[]> {
  // Beside the sandbox, not in it: the sandbox's HOME is scanned for plain text.
  const out = mkdtempSync(join(tmpdir(), 'rolecall-bus-'));
  const keyringData = join(out, 'keyring');
  const lines = runs.map(({ args, env = {} }, i) => {
    const assignments = Object.entries(env).map(([name, value]) => `${name}=${shellQuote(value)}`).join(' ');
    return `env ${assignments} ${shellQuote(process.execPath)} ${shellQuote(rolecallBin)} ${args.map(shellQuote).join(' ')} 2>'${out}/${i}.err' </dev/null; echo $? >'${out}/${i}.status'`;
  });
  // The keyring daemon keeps its data (and the collection) under XDG_DATA_HOME: its own, not the sandbox's.
  const script = `set +e\n${options.setup ? `XDG_DATA_HOME='${keyringData}' sh -c ${shellQuote(options.setup)}\n` : ''}${lines.join('\n')}\n`;
  // Nothing of the outer session may leak in, or a daemon started here would join the outer (unlocked) keyring.
  const env = { ...box.env };
  for (const name of ['GNOME_KEYRING_CONTROL', 'SSH_AUTH_SOCK', 'DBUS_SESSION_BUS_ADDRESS']) delete env[name];
  const bus = await runProcess('dbus-run-session', [...(options.config ? [`--config-file=${options.config}`] : []), '--', 'sh', '-c', script], { env, cwd: box.home }, { timeoutMs: 60_000 });
  try {
    return runs.map((_, i) => {
      assert.ok(existsSync(join(out, `${i}.status`)), `run ${i} did not end: ${bus.stderr}`);
      return { status: Number(readFileSync(join(out, `${i}.status`), 'utf8')), stderr: readFileSync(join(out, `${i}.err`), 'utf8') };
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** A session bus with no service files: nothing on it answers for org.freedesktop.secrets. */
function busWithoutServices(box: Sandbox): string {
  const path = join(box.home, 'session-bus.conf');
  writeFileSync(
    path,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:tmpdir=/tmp</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy></busconfig>\n`,
  );
  return path;
}

/**
 * rolecall as installed without its optional dependency (`npm install
 * --omit=optional`, or where keytar failed to build): a copy of dist/ beside
 * a node_modules that has every package but keytar; or, given `keytarFile`,
 * a keytar whose native module is that file's content (built for another
 * Node, or damaged).
 */
function installWithoutKeytar(keytarFile?: string): string {
  const root = mkdtempSync(join(tmpdir(), 'rolecall-install-'));
  mkdirSync(join(root, 'node_modules'));
  cpSync(join(repoRoot, 'dist'), join(root, 'dist'), { recursive: true });
  cpSync(join(repoRoot, 'package.json'), join(root, 'package.json'));
  const modules = join(repoRoot, 'node_modules');
  for (const name of readdirSync(modules)) {
    if (name !== 'keytar') symlinkSync(join(modules, name), join(root, 'node_modules', name), 'dir');
    else if (keytarFile !== undefined) {
      cpSync(join(modules, name), join(root, 'node_modules', name), { recursive: true });
      writeFileSync(join(root, 'node_modules', name, 'build', 'Release', 'keytar.node'), keytarFile);
    }
  }
  return root;
}

describe('a keychain that is missing or unusable', { concurrency: true }, () => {
  test('no D-Bus session bus: the keychain asked for by name is one line pointing at --backend file; nothing is written', async (t) => {
    const { box, keys, keyEnv } = sandbox();
    t.after(() => box.cleanup());
    delete box.env.DBUS_SESSION_BUS_ADDRESS;
    const asked = { ROLECALL_BACKEND: 'keychain' };
    const add = await runRolecall(box, ['add', 'keys', '--env'], { env: { ...asked, ...keyEnv } });
    assert.equal(add.status, 1, add.stderr);
    assert.equal(add.stderr, 'rolecall: ROLECALL_BACKEND says keychain, but no D-Bus session bus for the Secret Service (DBUS_SESSION_BUS_ADDRESS is not set); use --backend file, or see the README on setting up the keychain\n');
    const exec = await runRolecall(box, ['exec', 'keys', '--', 'true'], { env: asked });
    assert.equal(exec.status, 125);
    assert.equal(exec.stderr, add.stderr);
    assert.deepEqual(filesHolding(box, [keys.secretAccessKey]), []);
    assert.equal(existsSync(join(box.env.XDG_DATA_HOME as string, 'rolecall', 'vault')), false, 'no file vault behind the user\'s back');
  });

  test('a bus with no Secret Service: by default the file vault, with one line; asked for by name, one line; the key is nowhere in plain text', async (t) => {
    if (!requireCommands(t, 'dbus-run-session')) return;
    const { box, keys, keyEnv } = sandbox();
    t.after(() => box.cleanup());
    const [named, fallback, exec] = await onOwnBus(box, { config: busWithoutServices(box) }, [
      { args: ['add', 'keys', '--env'], env: { ROLECALL_BACKEND: 'keychain', ...keyEnv } },
      { args: ['add', 'keys', '--env'], env: keyEnv },
      { args: ['exec', '--no-session', 'keys', '--', 'sh', '-c', 'echo "$AWS_ACCESS_KEY_ID" >&2'] },
    ]) as [Outcome, Outcome, Outcome];
    const missing = 'the keychain does not answer (The name org.freedesktop.secrets was not provided by any .service files)';
    assert.equal(named.status, 1, named.stderr);
    assert.equal(named.stderr, `rolecall: ROLECALL_BACKEND says keychain, but ${missing}; use --backend file, or see the README on setting up the keychain\n`);
    assert.equal(fallback.status, 0, fallback.stderr);
    assert.equal(fallback.stderr, `rolecall: not using the keychain: ${missing}; using the encrypted file vault (set ROLECALL_BACKEND=file to choose it and silence this)\n`);
    assert.equal(exec.status, 0, exec.stderr);
    assert.match(exec.stderr, new RegExp(`^${keys.accessKeyId}$`, 'm'), 'the keys are read back from the file vault');
    assert.deepEqual(filesHolding(box, [keys.secretAccessKey]), [], 'encrypted, never in plain text');
  });

  test('a locked collection: add, exec and list each say it is locked in one line and point at --backend file; nothing goes to the file vault', async (t) => {
    if (!requireCommands(t, 'dbus-run-session', 'gnome-keyring-daemon', 'gdbus')) return;
    const { box, keys } = sandbox();
    t.after(() => box.cleanup());
    const other = randomKeys();
    // Unlocked, keys stored, then the login collection locked as a screen lock or `secret-tool lock` would.
    const setup = [
      'printf %s test | gnome-keyring-daemon --unlock --components=secrets >/dev/null',
      `env ROLECALL_BACKEND=keychain AWS_ACCESS_KEY_ID=${keys.accessKeyId} AWS_SECRET_ACCESS_KEY='${keys.secretAccessKey}' ${shellQuote(process.execPath)} ${shellQuote(rolecallBin)} add keys --env >/dev/null`,
      `gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets --method org.freedesktop.Secret.Service.Lock "['/org/freedesktop/secrets/collection/login']" >/dev/null`,
    ].join(' && ');
    const otherEnv = { AWS_ACCESS_KEY_ID: other.accessKeyId, AWS_SECRET_ACCESS_KEY: other.secretAccessKey };
    const runs = await onOwnBus(box, { setup }, [
      { args: ['add', 'keys', '--env', '--force'], env: otherEnv },
      { args: ['add', 'keys', '--env', '--force'], env: { ROLECALL_BACKEND: 'keychain', ...otherEnv } },
      { args: ['exec', '--no-session', 'keys', '--', 'true'] },
      { args: ['exec', '--no-session', 'keys', '--', 'true'], env: { ROLECALL_BACKEND: 'keychain' } },
      { args: ['list'] },
    ]);
    assert.deepEqual(runs.map((run) => run.status), [1, 1, 125, 125, 1], JSON.stringify(runs));
    for (const run of runs) {
      assert.equal(ours(run).length, 1, run.stderr);
      assert.match(ours(run)[0] as string, /^rolecall: the keychain (is locked \(|refused: )Cannot create an item in a locked collection.*; unlock the login keyring .*, or use --backend file$/);
    }
    assert.deepEqual(filesHolding(box, [keys.secretAccessKey, other.secretAccessKey]), []);
    assert.equal(existsSync(join(box.env.XDG_DATA_HOME as string, 'rolecall', 'vault')), false, 'a locked keychain is not a reason to store elsewhere');
  });

  for (const [what, keytarFile, reason] of [
    ['not installed', undefined, /keytar is not installed \(an optional dependency; on Linux it builds only where libsecret-1-dev is installed\)/],
    ['not loadable (its native module damaged)', 'not an ELF file\n', /keytar cannot be loaded \(\S+keytar\.node: (invalid ELF header|file too short)\)/],
  ] as const) {
    test(`keytar ${what}: by default the file vault, with one line; asked for by name, one line pointing at --backend file`, async (t) => {
      const { box, keys, keyEnv } = sandbox();
      t.after(() => box.cleanup());
      const install = installWithoutKeytar(keytarFile);
      t.after(() => rmSync(install, { recursive: true, force: true }));
      const bin = join(install, 'dist', 'rolecall.cjs');
      // A bus address, so that keytar is what is found missing (any bus: keytar is loaded before it is used).
      const env = { ...box.env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(box.home, 'bus')}` };
      const run = (args: string[], extra: Record<string, string> = {}) => runProcess(process.execPath, [bin, ...args], { env: { ...env, ...extra }, cwd: box.home });
      const named = await run(['exec', 'keys', '--', 'true'], { ROLECALL_BACKEND: 'keychain' });
      assert.equal(named.status, 125, named.stderr);
      assert.match(named.stderr, new RegExp(`^rolecall: ROLECALL_BACKEND says keychain, but ${reason.source}; use --backend file, or see the README on setting up the keychain\\n$`));
      const add = await run(['add', 'keys', '--env'], keyEnv);
      assert.equal(add.status, 0, add.stderr);
      assert.match(add.stderr, new RegExp(`^rolecall: not using the keychain: ${reason.source}; using the encrypted file vault \\(set ROLECALL_BACKEND=file to choose it and silence this\\)\\n$`));
      assert.match(add.stdout, /in the file vault/);
      const exec = await run(['exec', '--no-session', 'keys', '--', 'sh', '-c', 'echo "$AWS_ACCESS_KEY_ID"']);
      assert.equal(exec.stdout.trim(), keys.accessKeyId, exec.stderr);
      assert.deepEqual(filesHolding(box, [keys.secretAccessKey]), []);
    });
  }
});
