/**
 * The questions rolecall asks on the terminal, on a real pseudo-terminal
 * (util-linux `script`): keys for `add` (the secret not echoed), the file
 * vault's passphrase (twice for a new vault, never echoed), and y/N before
 * replacing or deleting keys.
 */
import assert from 'node:assert/strict';
import { spawnOnTerminal } from '../helpers/pseudo-terminal.js';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { makeSandbox, rolecallBin, runRolecall, type Sandbox } from '../helpers/sandbox.js';
import { CALLER_ARN, credentialsFile, randomKeys, startStsWorld } from '../helpers/sts-world.js';
import { snapshotFiles } from './vault-harness.js';
import { filesHolding } from '../helpers/secret-scan.js';

interface Exchange {
  /** Waits for this on the terminal, then types `type` (Enter is added). */
  readonly expect: RegExp;
  readonly type: string;
}

/** Runs rolecall on a pseudo-terminal and answers its prompts in order; returns all the terminal showed. */
function onTerminal(sandbox: Sandbox, args: string[], exchanges: Exchange[], env: Record<string, string> = {}): Promise<{ screen: string; status: number | null }> {
  const child = spawnOnTerminal([process.execPath, rolecallBin, ...args], { env: { ...sandbox.env, ...env } });
  const pending = [...exchanges];
  let screen = '';
  let answered = 0;
  const onData = (chunk: Buffer) => {
    screen += chunk.toString();
    const next = pending[0];
    if (next && next.expect.test(screen.slice(answered))) {
      pending.shift();
      answered = screen.length;
      // promptLine writes the question before it turns echo off, so an
      // answer typed within that instant would be echoed by the terminal
      // (a person cannot type that fast; a loaded test machine can).
      setTimeout(() => child.stdin.write(`${next.type}\r`), 150);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ screen, status });
    }),
  );
}

function vaultDirOf(sandbox: Sandbox): string {
  return join(sandbox.home, '.local', 'share', 'rolecall', 'vault');
}

/** A file vault (its passphrase in the environment) that holds keys for profile "first". */
async function vaultHoldingFirst(t: TestContext): Promise<{ box: Sandbox; passphrase: string; keys: Record<string, string> }> {
  const passphrase = `pass-${randomBytes(8).toString('hex')}`;
  const box = makeSandbox({ ROLECALL_BACKEND: 'file', ROLECALL_FILE_PASSPHRASE: passphrase });
  t.after(() => box.cleanup());
  const keys = { AWS_ACCESS_KEY_ID: 'AKIAABCDEFGHIJKLMNOP', AWS_SECRET_ACCESS_KEY: randomBytes(30).toString('base64') };
  const add = await runRolecall(box, ['add', 'first', '--env'], { env: keys });
  assert.equal(add.status, 0, add.stderr);
  return { box, passphrase, keys };
}

describe('questions on the terminal', { concurrency: false }, () => {
  test('add asks for the keys and the new vault passphrase without echoing secrets; replace and remove ask y/N', async (t) => {
    if (!requireCommands(t, 'script')) return;
    const box = makeSandbox({ ROLECALL_BACKEND: 'file', ROLECALL_FILE_PASSPHRASE: '' });
    t.after(() => box.cleanup());
    const secret = randomBytes(30).toString('base64');
    const passphrase = `pass-${randomBytes(8).toString('hex')}`;
    const add = await onTerminal(box, ['add', 'typed'], [
      { expect: /Access key ID for profile "typed": $/, type: 'AKIAABCDEFGHIJKLMNOP' },
      { expect: /Secret access key \(not shown\): $/, type: secret },
      { expect: /new passphrase for the file vault ~\/\.local\/share\/rolecall\/vault: $/, type: passphrase },
      { expect: /the same passphrase again: $/, type: passphrase },
    ]);
    assert.equal(add.status, 0, add.screen);
    assert.match(add.screen, /AKIAABCDEFGHIJKLMNOP/, 'the key id is echoed');
    assert.ok(!add.screen.includes(secret), 'the secret is not echoed');
    assert.ok(!add.screen.includes(passphrase), 'the passphrase is not echoed');
    assert.match(add.screen, /a new encrypted file vault at ~\/\.local\/share\/rolecall\/vault will hold your keys and cached sessions; choose its passphrase/, 'a new vault is explained before its passphrase is asked');
    assert.match(add.screen, /stored the keys of profile "typed" \(AKIA…MNOP\) in the file vault/);

    const keep = await onTerminal(
      box,
      ['add', 'typed', '--env'],
      [
        { expect: /profile "typed" already has keys in the file vault; replace them\? \[y\/N\] $/, type: 'n' },
      ],
      { AWS_ACCESS_KEY_ID: 'AKIAZZZZZZZZZZZZZZZZ', AWS_SECRET_ACCESS_KEY: randomBytes(30).toString('base64'), ROLECALL_FILE_PASSPHRASE: passphrase },
    );
    assert.equal(keep.status, 1);
    assert.match(keep.screen, /kept the keys already stored for profile "typed"/);

    // Three wrong tries: asked three times, each wrong answer said in one
    // line and never shown, then one clear error; not a byte of the vault changes.
    const before = snapshotFiles(vaultDirOf(box));
    const wrongAnswers = ['not-it-1-xyzzy', 'not-it-2-plugh', 'not-it-3-frotz'];
    const wrong = await onTerminal(
      box,
      ['add', 'other', '--env'],
      wrongAnswers.map((type) => ({ expect: /passphrase for the file vault ~\/\.local\/share\/rolecall\/vault: $/, type })),
      { AWS_ACCESS_KEY_ID: 'AKIAQQQQQQQQQQQQQQQQ', AWS_SECRET_ACCESS_KEY: randomBytes(30).toString('base64') },
    );
    assert.equal(wrong.status, 1, wrong.screen);
    assert.equal(wrong.screen.match(/that passphrase does not open the file vault ~\/\.local\/share\/rolecall\/vault; try again/g)?.length, 2, wrong.screen);
    assert.match(wrong.screen, /wrong passphrase of the file vault ~\/\.local\/share\/rolecall\/vault \(3 tries\); nothing was changed/);
    for (const answer of wrongAnswers) assert.ok(!wrong.screen.includes(answer), `${answer} is not echoed`);
    assert.deepEqual(snapshotFiles(vaultDirOf(box)), before, 'three wrong tries change no byte of the vault');

    const noRemove = await onTerminal(box, ['remove', 'typed'], [{ expect: /delete the keys of profile "typed" from the file vault\? \[y\/N\] $/, type: '' }]);
    assert.equal(noRemove.status, 1);
    const remove = await onTerminal(box, ['remove', 'typed'], [{ expect: /\[y\/N\] $/, type: 'y' }]);
    assert.equal(remove.status, 0, remove.screen);
    assert.match(remove.screen, /deleted the keys of profile "typed" from the file vault/);
    assert.deepEqual(filesHolding(box, [secret, passphrase]), []);
  });

  test('two different passphrases for a new vault, three times: nothing is created', async (t) => {
    if (!requireCommands(t, 'script')) return;
    const box = makeSandbox({ ROLECALL_BACKEND: 'file', ROLECALL_FILE_PASSPHRASE: '' });
    t.after(() => box.cleanup());
    const mismatch = (n: number): Exchange[] => [
      { expect: /new passphrase for the file vault .*: $/, type: `first-passphrase-${n}` },
      { expect: /the same passphrase again: $/, type: `second-passphrase-${n}` },
    ];
    const run = await onTerminal(box, ['add', 'x', '--env'], [...mismatch(1), ...mismatch(2), ...mismatch(3)], {
      AWS_ACCESS_KEY_ID: 'AKIAABCDEFGHIJKLMNOP',
      AWS_SECRET_ACCESS_KEY: randomBytes(30).toString('base64'),
    });
    assert.equal(run.status, 1, run.screen);
    assert.equal(run.screen.match(/the two passphrases differ; try again/g)?.length, 2, run.screen);
    assert.match(run.screen, /the two passphrases differ \(3 tries\); nothing was changed/);
    const list = await onTerminal(box, ['list', '--json'], []);
    assert.doesNotMatch(list.screen, /"x"/);
  });

  test('add asks again at once for a malformed key id, and for a new passphrase typed differently; a short one is warned about but taken', async (t) => {
    if (!requireCommands(t, 'script')) return;
    const box = makeSandbox({ ROLECALL_BACKEND: 'file', ROLECALL_FILE_PASSPHRASE: '' });
    t.after(() => box.cleanup());
    const secret = randomBytes(30).toString('base64');
    const idPrompt = /Access key ID for profile "typed": $/;
    const run = await onTerminal(box, ['add', 'typed'], [
      { expect: idPrompt, type: 'akia-lower' },
      // Asked again before the secret: the next question is the id's, not the secret's.
      { expect: idPrompt, type: 'AKIAABCDEFGHIJKLMNOP' },
      { expect: /Secret access key \(not shown\): $/, type: secret },
      { expect: /new passphrase for the file vault .*: $/, type: 'short1' },
      { expect: /the same passphrase again: $/, type: 'short2' },
      { expect: /new passphrase for the file vault .*: $/, type: 'short1' },
      { expect: /the same passphrase again: $/, type: 'short1' },
    ]);
    assert.equal(run.status, 0, run.screen);
    assert.match(run.screen, /^rolecall: the access key id \("akia-lower"\) is not 16 to 128 capital letters and digits, like AKIAIOSFODNN7EXAMPLE; try again\r?$/m);
    assert.ok(run.screen.indexOf('try again') < run.screen.indexOf('Secret access key'), 'the id is checked before the secret is asked');
    assert.equal(run.screen.match(/the two passphrases differ; try again/g)?.length, 1, run.screen);
    assert.equal(run.screen.match(/warning: that passphrase is short \(6 characters\)/g)?.length, 2, run.screen);
    assert.match(run.screen, /stored the keys of profile "typed" \(AKIA…MNOP\) in the file vault/);
    const exec = await runRolecall(box, ['exec', '--no-session', 'typed', '--', 'true'], { env: { ROLECALL_FILE_PASSPHRASE: 'short1' } });
    assert.equal(exec.status, 0, exec.stderr);
  });

  test('exec with keys only in the credentials file and no file vault yet: never asks to create one, says once that sessions are not cached', async (t) => {
    if (!requireCommands(t, 'script', 'moto_server', 'aws')) return;
    const world = await startStsWorld();
    t.after(() => world.stop());
    const box = world.sandbox({ ROLECALL_BACKEND: 'file', ROLECALL_FILE_PASSPHRASE: '' });
    box.write('.aws/config', '[profile base]\nregion = eu-west-1\n[profile role]\nrole_arn = arn:aws:iam::123456789012:role/Uncached\nsource_profile = base\nregion = eu-west-1\n');
    box.write('.aws/credentials', credentialsFile({ base: randomKeys() }));
    const notCached = /rolecall: sessions are not cached: no keychain and no file vault yet; `rolecall import` or `rolecall add` creates it \(or set ROLECALL_FILE_PASSPHRASE\)/g;
    let said = 0;
    for (const run of [1, 2]) {
      const exec = await onTerminal(box, ['exec', 'role', '--', ...CALLER_ARN], []);
      assert.equal(exec.status, 0, `exec ${run}: ${exec.screen}`);
      assert.match(exec.screen, /arn:aws:sts::123456789012:assumed-role\/Uncached\//, `exec ${run} ran the command`);
      assert.doesNotMatch(exec.screen, /passphrase for the file vault|new encrypted file vault/, `exec ${run} asked nothing`);
      assert.doesNotMatch(exec.screen, /warning: the session/, `exec ${run}: no other warning`);
      said += exec.screen.match(notCached)?.length ?? 0;
    }
    assert.equal(said, 1, 'the note is said once');
    assert.ok(!existsSync(vaultDirOf(box)), 'no file vault was created');
  });

  test('a mistyped passphrase is asked again: the right one on the second try works, and the wrong one is not echoed', async (t) => {
    if (!requireCommands(t, 'script')) return;
    const { box, passphrase, keys } = await vaultHoldingFirst(t);

    const mistyped = `mistyped-${randomBytes(8).toString('hex')}`;
    const prompt = /passphrase for the file vault ~\/\.local\/share\/rolecall\/vault: $/;
    const run = await onTerminal(
      box,
      ['add', 'second', '--env'],
      [
        { expect: prompt, type: mistyped },
        { expect: prompt, type: passphrase },
      ],
      { ...keys, ROLECALL_FILE_PASSPHRASE: '' },
    );
    assert.equal(run.status, 0, run.screen);
    assert.match(run.screen, /^rolecall: that passphrase does not open the file vault ~\/\.local\/share\/rolecall\/vault; try again\r?$/m);
    assert.match(run.screen, /stored the keys of profile "second" \(AKIA…MNOP\) in the file vault/);
    assert.ok(!run.screen.includes(mistyped), 'the wrong passphrase is not echoed');
    assert.ok(!run.screen.includes(passphrase), 'the right passphrase is not echoed');
    // Written with the right key: both items open with the passphrase, and the wrong one left no trace.
    const exec = await runRolecall(box, ['exec', '--no-session', 'second', '--', 'true']);
    assert.equal(exec.status, 0, exec.stderr);
    assert.deepEqual(filesHolding(box, [mistyped, passphrase]), []);
  });

  test('Ctrl-C at the second passphrase prompt exits 130 and changes nothing', async (t) => {
    if (!requireCommands(t, 'script')) return;
    const { box } = await vaultHoldingFirst(t);
    const before = snapshotFiles(vaultDirOf(box));
    const prompt = /passphrase for the file vault .*: $/;
    const run = await onTerminal(
      box,
      ['exec', '--no-session', 'first', '--', 'true'],
      [
        { expect: prompt, type: 'not-the-passphrase' },
        { expect: prompt, type: '\x03' },
      ],
      { ROLECALL_FILE_PASSPHRASE: '' },
    );
    assert.equal(run.status, 130, run.screen);
    assert.deepEqual(snapshotFiles(vaultDirOf(box)), before);
  });
});
