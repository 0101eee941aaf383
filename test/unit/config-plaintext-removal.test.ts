import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { removePlaintextKeys } from '../../src/config/plaintext-removal.js';

const dir = mkdtempSync(join(tmpdir(), 'rolecall-removal-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function removeFrom(text: string, kind: 'config' | 'credentials', profiles: string[]): { text: string; removed: number } {
  const path = join(dir, `${kind}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, text);
  const { removed } = removePlaintextKeys(path, kind, new Set(profiles));
  return { text: readFileSync(path, 'utf8'), removed };
}

test('only the key lines of the named profiles go, with the continuation lines of their values', () => {
  const { text, removed } = removeFrom(
    ['[a]', 'aws_access_key_id = AKIA1', 'aws_secret_access_key = s', '    more of s', 'aws_session_token: t', 'region = x', '[b]', 'aws_access_key_id = AKIA2', ''].join('\n'),
    'credentials',
    ['a'],
  );
  assert.equal(removed, 4);
  assert.equal(text, ['[a]', 'region = x', '[b]', 'aws_access_key_id = AKIA2', ''].join('\n'));
});

test('an indented key under another setting is that setting’s value, not a key of the profile', () => {
  const original = ['[a]', 's3 =', '  aws_secret_access_key = not-a-key', 'aws_access_key_id = AKIA1', ''].join('\n');
  const { text, removed } = removeFrom(original, 'credentials', ['a']);
  assert.equal(removed, 1);
  assert.equal(text, ['[a]', 's3 =', '  aws_secret_access_key = not-a-key', ''].join('\n'));
});

test('comments and blank lines stay, even between a removed key and its neighbours; a commented key is not a key', () => {
  const original = '[a]\n# aws_secret_access_key = old\naws_secret_access_key = s\n\n; note\naws_access_key_id=AKIA1\n';
  const { text } = removeFrom(original, 'credentials', ['a']);
  assert.equal(text, '[a]\n# aws_secret_access_key = old\n\n; note\n');
});

test('in the config file, sections are [profile NAME] and [default]', () => {
  const original = '[default]\naws_access_key_id = AKIA0\n[profile a]\naws_access_key_id = AKIA1\nregion = x\n[a]\naws_access_key_id = AKIA-not-a-profile\n';
  const { text } = removeFrom(original, 'config', ['a', 'default']);
  assert.equal(text, '[default]\n[profile a]\nregion = x\n[a]\naws_access_key_id = AKIA-not-a-profile\n');
});

test('nothing to remove: the file is not rewritten and no backup is made', () => {
  const path = join(dir, 'untouched');
  writeFileSync(path, '[a]\nregion = x');
  assert.deepEqual(removePlaintextKeys(path, 'credentials', new Set(['a'])), { removed: 0 });
});

test('the 0600 backup beside the file leaves the directory as the user had it', () => {
  const aws = join(dir, 'dot-aws');
  mkdirSync(aws, { mode: 0o755 });
  chmodSync(aws, 0o755);
  const path = join(aws, 'credentials');
  writeFileSync(path, '[a]\naws_access_key_id = AKIA1\naws_secret_access_key = s\n');
  const { backup } = removePlaintextKeys(path, 'credentials', new Set(['a']));
  assert.equal(statSync(backup as string).mode & 0o777, 0o600);
  assert.equal(statSync(aws).mode & 0o777, 0o755, '~/.aws is not tightened behind the user');
});
