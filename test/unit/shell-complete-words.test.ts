import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completeWords } from '../../src/shell/complete-words.js';
import { COMPLETION_TABLE } from '../../src/cli/completion-table.js';

const PROFILES = ['dev', 'prod-admin', 'a b', 'a;rm -rf ~'];
let asked = 0;
const complete = (words: string[], current: string) =>
  completeWords(COMPLETION_TABLE, words, current, () => {
    asked++;
    return PROFILES;
  });

test('the first word is a command, or a global flag when it starts with -', () => {
  assert.deepEqual(complete([], 'ex'), ['exec', 'export']);
  assert.deepEqual(complete([], 'cr'), ['credential-process']);
  assert.deepEqual(complete([], 'li'), ['list']);
  assert.deepEqual(complete([], 'l').sort(), ['list', 'lock', 'login', 'ls']);
  assert.deepEqual(complete([], 'ag'), ['agent']);
  assert.deepEqual(complete([], '--v'), ['--version']);
  assert.ok(complete([], '').includes('completion'));
  assert.deepEqual(complete(['--debug'], 'ad'), ['add'], 'a flag before the command');
  assert.deepEqual(complete(['nosuch'], ''), []);
});

test('profiles where a command takes one, and the files are read only there', () => {
  asked = 0;
  assert.deepEqual(complete(['status'], ''), []);
  assert.deepEqual(complete(['hook'], ''), ['bash', 'zsh']);
  assert.equal(asked, 0, 'no profile position, no config read');
  for (const command of ['exec', 'add', 'remove', 'clear', 'import']) assert.deepEqual(complete([command], ''), PROFILES, command);
  assert.deepEqual(complete(['exec'], 'a'), ['a b', 'a;rm -rf ~']);
  assert.deepEqual(complete(['import', 'dev'], 'p'), ['prod-admin'], 'import takes several');
  assert.deepEqual(complete(['remove', 'dev'], ''), [], 'remove takes one');
  assert.deepEqual(complete(['exec', '--region', 'eu-west-1', '-d', '1h'], 'd'), ['dev'], 'flag values are not operands');
});

test("after exec's profile, or its --, the words are the child's", () => {
  assert.deepEqual(complete(['exec', 'dev'], ''), []);
  assert.deepEqual(complete(['exec', 'dev'], '--'), []);
  assert.deepEqual(complete(['exec', '--'], ''), []);
  assert.deepEqual(complete(['add', '--'], '--f'), [], 'after -- nothing is a flag');
});

test('flags and their values', () => {
  assert.deepEqual(complete(['exec'], '--b'), ['--backend']);
  assert.deepEqual(complete(['list'], '--'), ['--json', '--backend', '--help']);
  assert.deepEqual(complete(['exec', '--backend'], ''), ['keychain', 'file']);
  assert.deepEqual(complete(['add', '--backend'], 'f'), ['file']);
  assert.deepEqual(complete(['exec'], '--backend=k'), ['--backend=keychain']);
  assert.deepEqual(complete(['exec', '--duration'], ''), [], 'free text');
  assert.deepEqual(complete(['exec', '--backend=file'], ''), PROFILES, 'a flag with its value in one word');
  assert.deepEqual(complete(['completion'], ''), ['bash', 'zsh', 'fish']);
  assert.deepEqual(complete(['help'], 'co'), ['completion']);
});

test('a command of two words is offered a word at a time, then its flags and profile', () => {
  assert.deepEqual(complete([], 'ss'), ['sso'], 'one word, not "sso login" with a space in it');
  assert.deepEqual(complete(['sso'], '').sort(), ['login', 'logout', 'profiles']);
  assert.deepEqual(complete(['sso'], 'log').sort(), ['login', 'logout']);
  assert.deepEqual(complete(['sso', 'login'], ''), PROFILES);
  assert.deepEqual(complete(['sso', 'login'], '--use'), ['--use-device-code']);
  assert.deepEqual(complete(['sso', 'logout', '--sso-session'], ''), []);
  assert.deepEqual(complete(['sso', 'nosuch'], ''), []);
  assert.deepEqual(complete(['help'], 'ss'), ['sso']);
});
