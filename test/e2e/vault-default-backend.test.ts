/**
 * Which vault is used when none is named: the keychain when it answers,
 * else the file vault with one line saying why (exec says it once per
 * reason, the vault commands each time); and --backend wins over
 * ROLECALL_BACKEND on every vault command.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { makeSandbox, runRolecall, type Sandbox } from '../helpers/sandbox.js';
import { credentialsFile, randomKeys } from '../helpers/sts-world.js';
import { requireBackend, uniqueName } from './vault-harness.js';

const PRINT_KEY_ID = ['--', 'sh', '-c', 'echo "$AWS_ACCESS_KEY_ID"'];

type ListedProfile = { profile: string; keys: string | null };

async function listed(box: Sandbox, env: Record<string, string> = {}, ...args: string[]): Promise<ListedProfile[]> {
  const list = await runRolecall(box, ['list', '--json', ...args], { env });
  assert.equal(list.status, 0, list.stderr);
  return JSON.parse(list.stdout) as ListedProfile[];
}

/** A sandbox that names no backend: the default choice is under test. */
function sandboxWithoutBackend(): Sandbox {
  const box = makeSandbox();
  delete box.env.ROLECALL_BACKEND;
  return box;
}

describe('the default backend', { concurrency: false }, () => {
  test('without a D-Bus session bus, exec uses the file vault and says why once; a new reason is said again; add and list say it each time', async (t) => {
    const box = sandboxWithoutBackend();
    t.after(() => box.cleanup());
    // No bus at all: neither the variable nor systemd's $XDG_RUNTIME_DIR/bus.
    delete box.env.DBUS_SESSION_BUS_ADDRESS;
    box.env.XDG_RUNTIME_DIR = join(box.home, 'runtime');
    mkdirSync(box.env.XDG_RUNTIME_DIR, { mode: 0o700 });
    box.write('.aws/config', '[profile keys]\nregion = eu-west-1\n');
    const keys = randomKeys();
    const noBus = /^rolecall: not using the keychain: no D-Bus session bus for the Secret Service \(DBUS_SESSION_BUS_ADDRESS is not set\); using the encrypted file vault \(set ROLECALL_BACKEND=file to choose it and silence this/m;

    const add = await runRolecall(box, ['add', 'keys', '--env'], { env: { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey } });
    assert.equal(add.status, 0, add.stderr);
    assert.match(add.stdout, /in the file vault/);
    assert.match(add.stderr, noBus);

    const first = await runRolecall(box, ['exec', '--no-session', 'keys', ...PRINT_KEY_ID]);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(first.stdout.trim(), keys.accessKeyId, 'the keys came from the file vault');
    assert.match(first.stderr, noBus);
    assert.match(first.stderr, /; said once\)$/m);
    assert.equal(first.stderr.trim().split('\n').length, 1, first.stderr);

    const second = await runRolecall(box, ['exec', '--no-session', 'keys', ...PRINT_KEY_ID]);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stdout.trim(), keys.accessKeyId);
    assert.equal(second.stderr, '', 'said once, not on every exec');

    // A bus that is not there is another reason: said again, once.
    const deadBus = { DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(box.home, 'no-bus-here')}` };
    const otherReason = await runRolecall(box, ['exec', '--no-session', 'keys', ...PRINT_KEY_ID], { env: deadBus });
    assert.equal(otherReason.stdout.trim(), keys.accessKeyId, otherReason.stderr);
    assert.match(otherReason.stderr, /^rolecall: not using the keychain: (?!no D-Bus session bus).*; said once\)$/m);
    assert.equal((await runRolecall(box, ['exec', '--no-session', 'keys', '--', 'true'], { env: deadBus })).stderr, '');
    // ...and the first reason, back again, is news again.
    assert.match((await runRolecall(box, ['exec', '--no-session', 'keys', '--', 'true'])).stderr, noBus);

    // No keys anywhere: one line, naming the file vault in use (not the keychain) and why.
    box.write('.aws/config', '[profile keys]\nregion = eu-west-1\n[profile nokeys]\nregion = eu-west-1\n');
    const none = await runRolecall(box, ['exec', 'nokeys', '--', 'true']);
    assert.equal(none.status, 125, none.stderr);
    assert.match(none.stderr, /^rolecall: profile "nokeys" has no keys in the file vault \(not using the keychain: no D-Bus session bus.*\): run `rolecall add nokeys` to store them there, or set aws_access_key_id/m);
    assert.equal(none.stderr.trim().split('\n').length, 1, none.stderr);

    for (let run = 0; run < 2; run++) {
      const list = await runRolecall(box, ['list']);
      assert.equal(list.status, 0, list.stderr);
      assert.match(list.stderr, noBus, `list says it on run ${run + 1} too`);
    }
  });

  test('with a keychain that answers, add --env stores into it and exec reads from it, without a word about the fallback', async (t) => {
    if (!(await requireBackend(t, 'keychain'))) return;
    const box = sandboxWithoutBackend();
    const profile = uniqueName('default-keychain');
    t.after(async () => {
      await runRolecall(box, ['remove', profile, '--force', '--backend', 'keychain']);
      box.cleanup();
    });
    const keys = randomKeys();
    const add = await runRolecall(box, ['add', profile, '--env'], { env: { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey } });
    assert.equal(add.status, 0, add.stderr);
    assert.match(add.stdout, /in the keychain/);
    assert.doesNotMatch(add.stderr, /not using the keychain/);
    assert.equal((await listed(box, {}, '--backend', 'keychain')).find((p) => p.profile === profile)?.keys, 'keychain');
    assert.equal((await listed(box, {}, '--backend', 'file')).find((p) => p.profile === profile)?.keys, 'none', 'nothing went to the file vault');

    const exec = await runRolecall(box, ['exec', '--no-session', profile, ...PRINT_KEY_ID]);
    assert.equal(exec.status, 0, exec.stderr);
    assert.equal(exec.stdout.trim(), keys.accessKeyId);
    assert.equal(exec.stderr, '');
  });

  test('--backend file wins over ROLECALL_BACKEND=keychain on add, list, import, clear and remove', async (t) => {
    if (!(await requireBackend(t, 'keychain'))) return;
    const box = makeSandbox({ ROLECALL_BACKEND: 'keychain' });
    const added = uniqueName('override-added');
    const imported = uniqueName('override-imported');
    t.after(async () => {
      // Should the override break, the keychain must not keep what the test stored.
      for (const name of [added, imported]) await runRolecall(box, ['remove', name, '--force', '--backend', 'keychain']);
      box.cleanup();
    });
    const keys = randomKeys();
    box.write('.aws/credentials', credentialsFile({ [imported]: randomKeys() }));
    const steps: Array<{ args: string[]; says: RegExp; env?: Record<string, string> }> = [
      { args: ['add', added, '--env'], says: /in the file vault/, env: { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey } },
      { args: ['list'], says: new RegExp(`^${added}\\s+keys\\s+file vault\\s`, 'm') },
      { args: ['import', imported], says: /into the file vault/ },
      { args: ['clear'], says: /\(file vault\)/ },
      { args: ['remove', added, '--force'], says: /from the file vault/ },
    ];
    for (const step of steps) {
      const result = await runRolecall(box, [...step.args, '--backend', 'file'], { env: step.env ?? {} });
      assert.equal(result.status, 0, `${step.args[0]}: ${result.stderr}`);
      assert.match(result.stdout, step.says, step.args[0]);
    }
    // ROLECALL_BACKEND=keychain was in force all along: the keychain holds neither profile.
    const inKeychain = await listed(box);
    assert.notEqual(inKeychain.find((p) => p.profile === added)?.keys, 'keychain');
    assert.notEqual(inKeychain.find((p) => p.profile === imported)?.keys, 'keychain');
    assert.equal((await listed(box, {}, '--backend', 'file')).find((p) => p.profile === imported)?.keys, 'file vault');
  });
});

test('rolecalls checking at once that the keychain is unlocked do not take each other for a locked keychain', async (t) => {
  if (!(await requireBackend(t, 'keychain'))) return;
  const box = makeSandbox({ ROLECALL_BACKEND: 'keychain' });
  try {
    // `list` writes and deletes a probe item to tell locked from empty; eight at once, on one keyring.
    const runs = await Promise.all(Array.from({ length: 8 }, () => runRolecall(box, ['list', '--json'])));
    for (const run of runs) assert.equal(run.status, 0, run.stderr);
  } finally {
    box.cleanup();
  }
});
