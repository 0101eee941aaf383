/**
 * A vault that cannot be opened as asked (a wrong passphrase, a locked
 * keyring) stops the command with one line and leaves what is stored alone:
 * it is never taken for an empty vault or a damaged cache entry.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { rolecallBin, runProcess, runRolecall } from '../helpers/sandbox.js';
import { credentialsFile, randomKeys, startStsWorld, type StsWorld } from '../helpers/sts-world.js';

const CONFIG = '[profile base]\nregion = eu-west-1\n\n[profile app]\nrole_arn = arn:aws:iam::123456789012:role/App\nsource_profile = base\nregion = eu-west-1\n';

describe('vault access failures', { concurrency: false }, () => {
  let world: StsWorld;
  before(async () => {
    world = await startStsWorld();
  });
  after(async () => world?.stop());

  test('a wrong file-vault passphrase stops exec and list, and keeps every cached session', async (t) => {
    if (!requireCommands(t, 'moto_server')) return;
    const sandbox = world.sandbox();
    sandbox.write('.aws/config', CONFIG);
    sandbox.write('.aws/credentials', credentialsFile({ base: randomKeys() }));
    const warm = await runRolecall(sandbox, ['exec', 'app', '--', 'true']);
    assert.equal(warm.status, 0, warm.stderr);
    const sessionsDir = join(sandbox.env.XDG_DATA_HOME as string, 'rolecall', 'vault');
    const before = listFiles(sessionsDir);
    world.proxy.reset();

    const wrong = { ROLECALL_FILE_PASSPHRASE: 'not-the-passphrase' };
    const exec = await runRolecall(sandbox, ['exec', 'app', '--', 'true'], { env: wrong });
    assert.equal(exec.status, 125);
    assert.match(exec.stderr, /ROLECALL_FILE_PASSPHRASE is not the passphrase of the file vault/);
    assert.equal(exec.stderr.trim().split('\n').length, 1, 'one line');
    assert.equal(world.proxy.calls.length, 0, 'no STS call behind the back of a wrong passphrase');
    const list = await runRolecall(sandbox, ['list'], { env: wrong });
    assert.notEqual(list.status, 0);
    assert.match(list.stderr, /not the passphrase/);
    assert.deepEqual(listFiles(sessionsDir), before, 'nothing was removed');

    const again = await runRolecall(sandbox, ['exec', 'app', '--', 'true']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(world.proxy.calls.length, 0, 'the right passphrase finds the session still cached');
  });

  test('a locked keyring is said as such, not taken for an empty one', async (t) => {
    if (!requireCommands(t, 'moto_server', 'dbus-run-session', 'gnome-keyring-daemon')) return;
    const sandbox = world.sandbox({ ROLECALL_BACKEND: 'keychain' });
    sandbox.write('.aws/config', CONFIG);
    // A session bus of its own whose keyring (started on demand, with a data
    // directory of its own) was never unlocked.
    const keyringData = mkdtempSync(join(tmpdir(), 'rolecall-locked-'));
    const script = `export XDG_DATA_HOME='${keyringData}'; for c in list "exec app -- true" clear; do "${process.execPath}" "${rolecallBin}" $c; echo "status $?"; done`;
    // Nothing of the outer keyring session may leak in, or the new bus's
    // keyring daemon would join the outer (unlocked) one.
    const env = { ...sandbox.env };
    for (const name of ['GNOME_KEYRING_CONTROL', 'SSH_AUTH_SOCK', 'DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR']) delete env[name];
    const result = await runProcess('dbus-run-session', ['--', 'sh', '-c', script], { env, cwd: sandbox.home }, { timeoutMs: 60_000 });
    const statuses = [...result.stdout.matchAll(/status (\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(statuses, [1, 125, 1], result.stdout + result.stderr);
    const ours = result.stderr.split('\n').filter((line) => line.startsWith('rolecall:'));
    assert.equal(ours.length, 3, result.stderr);
    for (const line of ours) assert.match(line, /the keychain is locked .*unlock the login keyring.*or use --backend file/);
  });
});

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(d, entry.name));
      else out.push(join(d, entry.name));
    }
  };
  walk(dir);
  return out.sort();
}
