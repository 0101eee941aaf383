/**
 * The completion table against the commands main.ts registers, so the words
 * a TAB offers cannot drift from what rolecall accepts: every command with a
 * usage (internal ones such as hook-env have none and are never offered) is
 * in the table with its aliases and exactly its flags, and nothing else is.
 * A failure here after adding a command means: give it its line in
 * src/cli/completion-table.ts ('profiles' where it takes a profile).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli } from '../../src/cli/main.js';
import { COMPLETION_TABLE, COMPLETION_SHELLS as TABLED_COMPLETION_SHELLS, EXPORT_FORMATS, HOOK_SHELLS } from '../../src/cli/completion-table.js';
import { FORMATS } from '../../src/export/export-formats.js';
import { parseExecArguments } from '../../src/cli/exec-arguments.js';
import { SHELLS } from '../../src/shell/shells.js';
import { COMPLETION_SHELLS } from '../../src/shell/completion-scripts.js';

const tabled = COMPLETION_TABLE.commands.filter((c) => c.names[0] !== 'help');

/**
 * The names a registered command answers to (its paths: `list` and `ls`).
 * clipanion lists a command's first path only, so this reads its registry.
 */
function namesOf(name: string): string[] {
  const classes = [...(cli as unknown as { registrations: Map<{ paths?: string[][] }, unknown> }).registrations.keys()];
  const command = classes.find((c) => c.paths?.some((path) => path.join(' ') === name));
  return (command?.paths ?? []).map((path) => path.join(' '));
}

test('every public command is in the table with all its names, and the table holds no other', () => {
  const registered = cli.definitions().map((d) => d.path.replace(/^rolecall /, ''));
  assert.deepEqual(
    tabled.map((c) => c.names[0]).sort(),
    [...registered].sort(),
    "the table's commands are the registered ones: give a new command its line in src/cli/completion-table.ts ('profiles' where it takes a profile)",
  );
  for (const name of registered) {
    assert.deepEqual([...(tabled.find((c) => c.names[0] === name)?.names ?? [])].sort(), namesOf(name).sort(), `the names of ${name}`);
  }
});

test("each clipanion command's flags, and whether each takes a value, are the table's", () => {
  for (const definition of cli.definitions()) {
    const name = definition.path.replace(/^rolecall /, '');
    if (name === 'exec' || name === 'credential-process') continue; // they parse their own arguments (below)
    const expected: Record<string, boolean> = {};
    for (const option of definition.options) {
      const [names, value] = option.definition.split(' ');
      for (const flag of (names as string).split(',')) expected[flag] = value !== undefined;
    }
    const flags = tabled.find((c) => c.names[0] === name)?.flags ?? {};
    const actual = Object.fromEntries(Object.entries(flags).map(([flag, values]) => [flag, values !== null]));
    assert.deepEqual(actual, expected, `the flags of ${name}`);
  }
});

test("credential-process's flags are exec's parser's, less the ones it refuses", () => {
  const own = tabled.find((c) => c.names[0] === 'credential-process');
  const exec = tabled.find((c) => c.names[0] === 'exec');
  assert.ok(own && exec);
  for (const [flag, values] of Object.entries(own.flags)) assert.deepEqual(values === null, exec.flags[flag] === null, `${flag} as exec's`);
  assert.deepEqual(Object.keys(own.flags).filter((flag) => !(flag in exec.flags)), []);
});

test("exec's flags are the ones its own parser knows, and the ones its usage names", () => {
  const exec = tabled.find((c) => c.names[0] === 'exec');
  assert.ok(exec);
  for (const [flag, values] of Object.entries(exec.flags)) {
    if (values === null) assert.doesNotThrow(() => parseExecArguments([flag]), `${flag} takes no value`);
    else assert.throws(() => parseExecArguments([flag]), /needs a value/, `${flag} takes a value`);
  }
  const details = cli.definitions().find((d) => d.path === 'rolecall exec')?.details ?? '';
  const named = [...details.matchAll(/`(--[a-z-]+)/g)].map((m) => m[1] as string);
  assert.ok(named.length >= 5, 'exec --help names its options');
  for (const flag of named) assert.ok(flag in exec.flags, `${flag} (in exec --help) is in the table`);
});

test('the shells offered are the ones hook and completion accept', () => {
  assert.deepEqual(HOOK_SHELLS, SHELLS.map((s) => s.name));
  assert.deepEqual(tabled.find((c) => c.names[0] === 'hook')?.operands, [HOOK_SHELLS]);
  assert.deepEqual(TABLED_COMPLETION_SHELLS, COMPLETION_SHELLS);
  assert.deepEqual(tabled.find((c) => c.names[0] === 'completion')?.operands, [COMPLETION_SHELLS]);
  assert.deepEqual(EXPORT_FORMATS, [...FORMATS]);
});
