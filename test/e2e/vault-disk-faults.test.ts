/**
 * The disk under the vault misbehaving, or files planted where rolecall
 * keeps its own: a read-only vault directory and a full disk (a 64 KB tmpfs;
 * both in a mount namespace of the test's, so no other process sees them),
 * a vault item, the vault's header, a cached session or a trust record open
 * to others (refused, as ssh refuses a loose key, with the chmod that fixes
 * it), a symlink at an item, a cached session, the sessions' directory, a
 * trust record or a lock (never followed: its target is untouched). After
 * every fault the keys stored before are still there and work.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { decodeName } from '../../src/fs/file-names.js';
import { hashedName } from '../../src/fs/hashed-name.js';
import { requireCommands, requirePeer } from '../helpers/peers.js';
import { rolecallBin, runProcess, runRolecall, type RunResult, type Sandbox } from '../helpers/sandbox.js';
import { randomKeys, rolesOverBase, stsWorldForSuite } from '../helpers/sts-world.js';
import { snapshotFiles } from './vault-harness.js';

const PRINT_KEY_ID = ['--', 'sh', '-c', 'echo "$AWS_ACCESS_KEY_ID"'];

function vaultDir(box: Sandbox): string {
  return join(box.env.XDG_DATA_HOME as string, 'rolecall', 'vault');
}

function lines(run: RunResult): string[] {
  return run.stderr.split('\n').filter(Boolean);
}

/**
 * A mount namespace of the test's own, set up by `script` (run as root in
 * it), kept by a process that sleeps there; rolecall and shell commands run
 * in it through nsenter. Undefined (skipped, failed under CI) where the
 * machine does not allow one.
 */
async function mountNamespace(t: TestContext, script: string): Promise<{ rolecall(box: Sandbox, args: string[], env?: Record<string, string>): Promise<RunResult>; sh(box: Sandbox, command: string): Promise<RunResult>; stop(): void } | undefined> {
  if (!requireCommands(t, 'unshare', 'nsenter', 'mount')) return undefined;
  const keeper: ChildProcess = spawn('unshare', ['-m', 'sh', '-c', `set -e; ${script}; echo ready; exec sleep 600`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let said = '';
  const ready = await new Promise<boolean>((resolve) => {
    keeper.stdout?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes('ready')) resolve(true);
    });
    keeper.stderr?.on('data', (chunk: Buffer) => (said += chunk.toString()));
    keeper.on('exit', () => resolve(false));
  });
  if (!requirePeer(t, ready, `no mount namespace here (${said.trim()})`)) return undefined;
  const enter = (box: Sandbox, argv: string[], env: Record<string, string> = {}) =>
    runProcess('nsenter', ['-t', String(keeper.pid), '-m', '--', ...argv], { env: { ...box.env, ...env }, cwd: box.home });
  const stop = () => keeper.kill('SIGKILL');
  t.after(stop);
  return {
    rolecall: (box, args, env) => enter(box, [process.execPath, rolecallBin, ...args], env),
    sh: (box, command) => enter(box, ['sh', '-c', command]),
    stop,
  };
}

describe('the disk under the vault, and files planted in it', { concurrency: true }, () => {
  const suite = stsWorldForSuite();

  /** A sandbox whose file vault holds base's keys and a cached session of app. */
  async function stocked(): Promise<{ box: Sandbox; keys: ReturnType<typeof randomKeys> }> {
    const box = suite.world.sandbox();
    box.write('.aws/config', rolesOverBase({ app: 'App', other: 'Other' }));
    const keys = randomKeys();
    const added = await runRolecall(box, ['add', 'base', '--env'], { env: { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey } });
    assert.equal(added.status, 0, added.stderr);
    const cached = await runRolecall(box, ['exec', 'app', '--', 'true']);
    assert.equal(cached.status, 0, cached.stderr);
    return { box, keys };
  }

  /** The stored keys still there and working: exec gets them from the vault. */
  async function keysIntact(box: Sandbox, keys: { accessKeyId: string }, run = (args: string[]) => runRolecall(box, args)): Promise<void> {
    const exec = await run(['exec', '--no-session', 'base', ...PRINT_KEY_ID]);
    assert.equal(exec.status, 0, exec.stderr);
    assert.equal(exec.stdout.trim(), keys.accessKeyId, 'the keys stored before are the ones in use');
  }

  function sessionItem(box: Sandbox): string {
    const dir = join(vaultDir(box), 'rolecall-sessions');
    const [item] = readdirSync(dir).filter((name) => name.endsWith('.item'));
    assert.ok(item, 'a cached session');
    return join(dir, item);
  }

  test('a read-only vault directory: a cached session still serves, a new one runs with one warning, add and remove fail with one line; nothing is lost', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const { box, keys } = await stocked();
    const vault = vaultDir(box);
    const before = snapshotFiles(vault);
    const ns = await mountNamespace(t, `mount --bind '${vault}' '${vault}'; mount -o remount,bind,ro '${vault}'`);
    if (!ns) return;
    const warm = await ns.rolecall(box, ['exec', 'app', '--', 'true']);
    assert.equal(warm.status, 0, warm.stderr);
    assert.equal(warm.stderr, '');
    const fresh = await ns.rolecall(box, ['exec', 'other', ...PRINT_KEY_ID]);
    assert.equal(fresh.status, 0, fresh.stderr);
    assert.match(fresh.stdout, /^ASIA/);
    assert.equal(lines(fresh).length, 1, fresh.stderr);
    assert.match(fresh.stderr, /^rolecall: warning: the session of profile "other" was not cached: cannot create \S+rolecall-sessions: read-only file system \(EROFS\)\n$|^rolecall: warning: the session of profile "other" was not cached: cannot write \S+: read-only file system \(EROFS\)/);
    const other = randomKeys();
    const add = await ns.rolecall(box, ['add', 'base', '--env', '--force'], { AWS_ACCESS_KEY_ID: other.accessKeyId, AWS_SECRET_ACCESS_KEY: other.secretAccessKey });
    assert.equal(add.status, 1, add.stderr);
    assert.equal(add.stderr, `rolecall: cannot write ${join(vault, 'rolecall', 'base.item')}: read-only file system (EROFS); what was stored there is as it was\n`);
    const remove = await ns.rolecall(box, ['remove', 'base', '--force']);
    assert.equal(remove.status, 1, remove.stderr);
    assert.equal(remove.stderr, `rolecall: cannot remove ${join(vault, 'rolecall', 'base.item')}: read-only file system (EROFS); it is still there\n`);
    await keysIntact(box, keys, (args) => ns.rolecall(box, args));
    ns.stop();
    assert.deepEqual(snapshotFiles(vault), before, 'the vault is as it was');
    await keysIntact(box, keys);
  });

  test('a full disk: a new session runs with one warning, add fails with one line, no temp file is left; once there is room again, sessions are cached', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const box = suite.world.sandbox();
    box.write('.aws/config', rolesOverBase({ app: 'App', other: 'Other' }));
    const data = box.env.XDG_DATA_HOME as string;
    mkdirSync(data, { recursive: true });
    // The vault lives on a 64 KB disk of its own, which the test fills.
    const ns = await mountNamespace(t, `mount -t tmpfs -o size=64k,mode=0700 tmpfs '${data}'`);
    if (!ns) return;
    const keys = randomKeys();
    const added = await ns.rolecall(box, ['add', 'base', '--env'], { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey });
    assert.equal(added.status, 0, added.stderr);
    assert.equal((await ns.rolecall(box, ['exec', 'app', '--', 'true'])).status, 0);
    await ns.sh(box, `dd if=/dev/zero of='${data}/filler' bs=1k 2>/dev/null; df -k '${data}'`);

    const fresh = await ns.rolecall(box, ['exec', 'other', ...PRINT_KEY_ID]);
    assert.equal(fresh.status, 0, fresh.stderr);
    assert.match(fresh.stdout, /^ASIA/);
    assert.equal(lines(fresh).length, 1, fresh.stderr);
    assert.match(fresh.stderr, /^rolecall: warning: the session of profile "other" was not cached: cannot (write|create) \S+: no space left on device \(ENOSPC\)/);
    const other = randomKeys();
    const add = await ns.rolecall(box, ['add', 'base', '--env', '--force'], { AWS_ACCESS_KEY_ID: other.accessKeyId, AWS_SECRET_ACCESS_KEY: other.secretAccessKey });
    assert.equal(add.status, 1, add.stderr);
    assert.equal(add.stderr, `rolecall: cannot write ${join(vaultDir(box), 'rolecall', 'base.item')}: no space left on device (ENOSPC); what was stored there is as it was\n`);
    await keysIntact(box, keys, (args) => ns.rolecall(box, args));
    const warm = await ns.rolecall(box, ['exec', 'app', '--', 'true']);
    assert.equal(warm.stderr, '', 'the session cached before is still served');
    const left = await ns.sh(box, `find '${data}' -name '*.tmp'`);
    assert.equal(left.stdout, '', 'no temp file left behind');

    await ns.sh(box, `rm '${data}/filler'`);
    const roomy = await ns.rolecall(box, ['exec', 'other', '--debug', '--', 'true']);
    assert.equal(roomy.status, 0, roomy.stderr);
    assert.match(roomy.stderr, /session of profile "other" cached in the file vault/);
  });

  test('a vault item, the header or a cached session open to others is refused with the chmod that fixes it; a refused session is left as found and the command runs', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const { box, keys } = await stocked();
    const vault = vaultDir(box);
    for (const [file, mode] of [[join(vault, 'rolecall', 'base.item'), 0o644], [join(vault, 'vault.json'), 0o640]] as const) {
      chmodSync(file, mode);
      const exec = await runRolecall(box, ['exec', '--no-session', 'base', '--', 'true']);
      assert.equal(exec.status, 125, exec.stderr);
      assert.equal(exec.stderr, `rolecall: ${file} is open to others (mode 0${mode.toString(8)}); rolecall refuses it, as ssh refuses a loose key: run chmod 600 ${file}\n`);
      chmodSync(file, 0o600);
    }
    await keysIntact(box, keys);

    const session = sessionItem(box);
    const content = readFileSync(session, 'utf8');
    chmodSync(session, 0o604);
    const exec = await runRolecall(box, ['exec', 'app', ...PRINT_KEY_ID]);
    assert.equal(exec.status, 0, exec.stderr);
    assert.match(exec.stdout, /^ASIA/);
    assert.equal(exec.stderr, `rolecall: warning: a cached session is not used: ${session} is open to others (mode 0604); rolecall refuses it, as ssh refuses a loose key: run chmod 600 ${session}\n`);
    assert.equal(statSync(session).mode & 0o777, 0o604, 'left as found');
    assert.equal(readFileSync(session, 'utf8'), content, 'and not overwritten');
  });

  test('a trust record open to others is refused by status and the hook with one line; allow writes it anew, 0600', async (t) => {
    const box = suite.world.sandbox();
    const project = join(box.home, 'project');
    mkdirSync(project);
    writeFileSync(join(project, '.awsprofile'), 'app\n');
    assert.equal((await runRolecall(box, ['allow'], { cwd: project })).status, 0);
    const trustDir = join(box.env.XDG_DATA_HOME as string, 'rolecall', 'trust');
    const [name] = readdirSync(trustDir);
    const record = join(trustDir, name as string);
    chmodSync(record, 0o666);
    const refusal = `rolecall: ${record} is open to others (mode 0666); rolecall refuses it, as ssh refuses a loose key: run chmod 600 ${record}\n`;
    for (const args of [['status'], ['hook-env', 'bash']]) {
      const run = await runRolecall(box, args, { cwd: project, env: { PWD: project } });
      assert.equal(run.status, 1, `${args[0]}: ${run.stderr}`);
      assert.equal(run.stderr, refusal, args[0]);
      assert.equal(run.stdout, '', `${args[0]}: nothing for the shell to eval`);
    }
    assert.equal((await runRolecall(box, ['allow'], { cwd: project })).status, 0);
    assert.equal(statSync(record).mode & 0o777, 0o600);
    const status = await runRolecall(box, ['status'], { cwd: project, env: { PWD: project } });
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /^trust: +allowed/m);
  });

  test('a symlink planted at a vault item, a cached session, the sessions directory, a trust record or a lock is not followed: its target is untouched', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const { box, keys } = await stocked();
    const vault = vaultDir(box);
    // The locks rolecall takes are named after the sessions it caches.
    const cached = readdirSync(join(vault, 'rolecall-sessions')).map((name) => decodeName(name.replace(/\.item$/, '')) as string);
    const target = box.write('precious', 'the user\'s own file\n', 0o600);
    const untouched = () => {
      assert.equal(readFileSync(target, 'utf8'), 'the user\'s own file\n', 'the target is untouched');
      assert.equal(statSync(target).mode & 0o777, 0o600);
    };

    // The keys' item: refused on read and on write, the link left for the user to see.
    const item = join(vault, 'rolecall', 'base.item');
    renameSync(item, `${item}.saved`);
    symlinkSync(target, item);
    const linkLine = `${item} is a symbolic link, which rolecall does not follow: remove it (rolecall writes a file of its own there)`;
    const exec = await runRolecall(box, ['exec', '--no-session', 'base', '--', 'true']);
    assert.equal(exec.status, 125, exec.stderr);
    assert.equal(exec.stderr, `rolecall: ${linkLine}\n`);
    const other = randomKeys();
    const add = await runRolecall(box, ['add', 'base', '--env', '--force'], { env: { AWS_ACCESS_KEY_ID: other.accessKeyId, AWS_SECRET_ACCESS_KEY: other.secretAccessKey } });
    assert.equal(add.status, 1, add.stderr);
    assert.equal(add.stderr, `rolecall: ${linkLine}\n`);
    assert.equal(readlinkSync(item), target);
    untouched();
    rmSync(item);
    renameSync(`${item}.saved`, item);
    await keysIntact(box, keys);

    // A cached session: a miss with one line, the link left as it was.
    const session = sessionItem(box);
    renameSync(session, `${session}.saved`);
    symlinkSync(target, session);
    const viaLink = await runRolecall(box, ['exec', 'app', ...PRINT_KEY_ID]);
    assert.equal(viaLink.status, 0, viaLink.stderr);
    assert.match(viaLink.stdout, /^ASIA/);
    assert.equal(viaLink.stderr, `rolecall: warning: a cached session is not used: ${session} is a symbolic link, which rolecall does not follow: remove it (rolecall writes a file of its own there)\n`);
    assert.equal(readlinkSync(session), target);
    untouched();
    rmSync(session);
    renameSync(`${session}.saved`, session);

    // The sessions' directory: nothing is written through it, nor is it chmod-ed.
    const sessions = join(vault, 'rolecall-sessions');
    const elsewhere = join(box.home, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o755 });
    chmodSync(elsewhere, 0o755);
    rmSync(sessions, { recursive: true });
    symlinkSync(elsewhere, sessions);
    const viaDir = await runRolecall(box, ['exec', 'other', '--', 'true']);
    assert.equal(viaDir.status, 0, viaDir.stderr);
    assert.equal(viaDir.stderr, `rolecall: warning: the session of profile "other" was not cached: ${sessions} is a symbolic link, which rolecall does not follow: it keeps its files in a real directory of yours; remove the link\n`);
    assert.deepEqual(readdirSync(elsewhere), []);
    assert.equal(statSync(elsewhere).mode & 0o777, 0o755);
    rmSync(sessions);

    // A lock: the command runs; the link's target is never written.
    const locks = join(box.env.XDG_CACHE_HOME as string, 'rolecall', 'locks');
    assert.equal((await runRolecall(box, ['clear'])).status, 0);
    for (const name of cached) symlinkSync(target, join(locks, `${hashedName([name])}.lock`));
    const locked = await runRolecall(box, ['exec', 'app', ...PRINT_KEY_ID]);
    assert.equal(locked.status, 0, locked.stderr);
    assert.match(locked.stdout, /^ASIA/);
    // Read, it is a lock nobody can be found holding: broken (the link itself renamed aside and removed).
    assert.deepEqual(readdirSync(locks).filter((name) => lstatSync(join(locks, name)).isSymbolicLink()), [], 'the planted lock was met and broken');
    untouched();

    // A trust record: status refuses it; allow replaces the link with a record of its own.
    const project = join(box.home, 'project');
    mkdirSync(project);
    writeFileSync(join(project, '.awsprofile'), 'app\n');
    assert.equal((await runRolecall(box, ['allow'], { cwd: project })).status, 0);
    const trustDir = join(box.env.XDG_DATA_HOME as string, 'rolecall', 'trust');
    const record = join(trustDir, readdirSync(trustDir)[0] as string);
    rmSync(record);
    symlinkSync(target, record);
    const status = await runRolecall(box, ['status'], { cwd: project, env: { PWD: project } });
    assert.equal(status.status, 1, status.stderr);
    assert.equal(status.stderr, `rolecall: ${record} is a symbolic link, which rolecall does not follow: remove it (rolecall writes a file of its own there)\n`);
    assert.equal((await runRolecall(box, ['allow'], { cwd: project })).status, 0);
    assert.equal(lstatSync(record).isFile(), true, 'a record of its own in place of the link');
    untouched();
    await keysIntact(box, keys);
  });
});
