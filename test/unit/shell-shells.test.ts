/**
 * One source of truth for the hook: shell/rolecall.bash and .zsh are what
 * `rolecall hook bash|zsh` prints (the text lives in src/shell/*-shell.ts),
 * and both shells parse it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { requireCommands } from '../helpers/peers.js';
import { repoRoot, rolecallBin } from '../helpers/sandbox.js';
import { SHELLS } from '../../src/shell/shells.js';

for (const shell of SHELLS) {
  test(`shell/rolecall.${shell.name} is what \`rolecall hook ${shell.name}\` prints`, () => {
    const file = readFileSync(join(repoRoot, 'shell', `rolecall.${shell.name}`), 'utf8');
    assert.equal(file, shell.hook(), `regenerate it: node dist/rolecall.cjs hook ${shell.name} > shell/rolecall.${shell.name}`);
    const printed = spawnSync(process.execPath, [rolecallBin, 'hook', shell.name], { encoding: 'utf8' });
    assert.equal(printed.status, 0, printed.stderr);
    assert.equal(printed.stdout, file);
  });

  test(`${shell.name} parses its hook`, (t) => {
    if (!requireCommands(t, shell.name)) return;
    const parsed = spawnSync(shell.name, ['-n', join(repoRoot, 'shell', `rolecall.${shell.name}`)], { encoding: 'utf8' });
    assert.equal(parsed.status, 0, parsed.stderr);
  });
}

test('an unknown shell is a one-line error', () => {
  const printed = spawnSync(process.execPath, [rolecallBin, 'hook', 'fish'], { encoding: 'utf8' });
  assert.notEqual(printed.status, 0);
  assert.match(printed.stderr + printed.stdout, /^rolecall: no hook for shell "fish"; rolecall supports bash and zsh\n$/);
  assert.doesNotMatch(printed.stderr, /\n\s+at /, 'no stack trace');
});
