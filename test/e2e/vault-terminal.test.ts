/**
 * The questions rolecall asks on the terminal, on a real pseudo-terminal
 * (util-linux `script`): keys for `add` (the secret not echoed), the file
 * vault's passphrase (twice for a new vault, never echoed), and y/N before
 * replacing or deleting keys.
 */
import assert from 'node:assert/strict';
import { spawnOnTerminal } from '../helpers/pseudo-terminal.js';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { makeSandbox, rolecallBin, type Sandbox } from '../helpers/sandbox.js';
import { filesHolding } from './vault-harness.js';

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

    const wrong = await onTerminal(box, ['exec', '--no-session', 'typed', '--', 'true'], [{ expect: /passphrase for the file vault ~\/\.local\/share\/rolecall\/vault: $/, type: 'not-it' }]);
    assert.equal(wrong.status, 125, wrong.screen);
    assert.match(wrong.screen, /wrong passphrase of the file vault ~\/\.local\/share\/rolecall\/vault; nothing was changed/);

    const noRemove = await onTerminal(box, ['remove', 'typed'], [{ expect: /delete the keys of profile "typed" from the file vault\? \[y\/N\] $/, type: '' }]);
    assert.equal(noRemove.status, 1);
    const remove = await onTerminal(box, ['remove', 'typed'], [{ expect: /\[y\/N\] $/, type: 'y' }]);
    assert.equal(remove.status, 0, remove.screen);
    assert.match(remove.screen, /deleted the keys of profile "typed" from the file vault/);
    assert.deepEqual(filesHolding(box, [secret, passphrase]), []);
  });

  test('two different passphrases for a new vault: nothing is created', async (t) => {
    if (!requireCommands(t, 'script')) return;
    const box = makeSandbox({ ROLECALL_BACKEND: 'file', ROLECALL_FILE_PASSPHRASE: '' });
    t.after(() => box.cleanup());
    const run = await onTerminal(
      box,
      ['add', 'x', '--env'],
      [
        { expect: /new passphrase for the file vault .*: $/, type: 'first-passphrase' },
        { expect: /the same passphrase again: $/, type: 'second-passphrase' },
      ],
      { AWS_ACCESS_KEY_ID: 'AKIAABCDEFGHIJKLMNOP', AWS_SECRET_ACCESS_KEY: randomBytes(30).toString('base64') },
    );
    assert.equal(run.status, 1, run.screen);
    assert.match(run.screen, /the two passphrases differ; nothing was changed/);
    const list = await onTerminal(box, ['list', '--json'], []);
    assert.doesNotMatch(list.screen, /"x"/);
  });
});
