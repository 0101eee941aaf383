/**
 * What the program prints for the hook to eval must come back as the same
 * bytes, as data: read back through real bash and zsh.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { bashShell } from '../../src/shell/bash-shell.js';
import { zshShell } from '../../src/shell/zsh-shell.js';
import { checkVariableName, shellQuote } from '../../src/shell/ansi-c-quote.js';

const VALUES: readonly Buffer[] = [
  'plain',
  '',
  "it's",
  '$(touch /tmp/rolecall-quote-pwned)',
  'a;rm -rf ~',
  '`id`\\"\'$HOME\n\ttrailing\n\n',
  'ünïcödé ✓',
].map((s) => Buffer.from(s, 'utf8')).concat([Buffer.from([0xff, 0xfe, 0x1b, 0x5b, 0x32, 0x4a, 0x0a, 0x27, 0x5c])]);

test('plain values stay readable; others use $\'…\' with \\xHH', () => {
  assert.equal(shellQuote('eu-west-1'), "'eu-west-1'");
  assert.equal(shellQuote("it's"), "$'it\\'s'");
  assert.equal(shellQuote(Buffer.from([0x61, 0x0a, 0xff])), "$'a\\x0a\\xff'");
  assert.throws(() => checkVariableName('A;B'));
});

for (const shell of [bashShell, zshShell]) {
  test(`${shell.name} reads every quoted value back byte for byte, executing nothing`, (t) => {
    if (!requireCommands(t, shell.name)) return;
    const script = VALUES.map((value, i) => `${shell.assign(`v${i}`, value)}\nprintf '%s\\0' "$v${i}"`).join('\n');
    const run = spawnSync(shell.name, ['-c', script], { encoding: 'buffer', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' } });
    assert.equal(run.status, 0, run.stderr.toString());
    const parts: Buffer[] = [];
    let rest = run.stdout;
    for (;;) {
      const nul = rest.indexOf(0);
      if (nul === -1) break;
      parts.push(rest.subarray(0, nul));
      rest = rest.subarray(nul + 1);
    }
    assert.equal(parts.length, VALUES.length);
    VALUES.forEach((value, i) => assert.ok(parts[i]?.equals(value), `value ${i}: ${JSON.stringify(value.toString('latin1'))} came back as ${JSON.stringify(parts[i]?.toString('latin1'))}`));
  });

  test(`${shell.name}: export and unset lines do what they say`, (t) => {
    if (!requireCommands(t, shell.name)) return;
    const script = [shell.export('RC_A', "x'$(id)"), shell.unset('RC_B'), 'env'].join('\n');
    const run = spawnSync(shell.name, ['-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', RC_B: 'gone' } });
    assert.match(run.stdout, /^RC_A=x'\$\(id\)$/m);
    assert.doesNotMatch(run.stdout, /^RC_B=/m);
  });
}
