import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isKeyedVariable, keyedEnv, readyAnswerName, readyForm } from '../../src/agent/ready-answer.js';
import { repoRoot } from '../helpers/sandbox.js';

test('only the plain forms are answered ready, named by the verb and the profile', () => {
  assert.deepEqual(readyForm(['exec', 'prod', '--', 'aws', 's3', 'ls']), { words: ['exec', 'prod'], command: ['aws', 's3', 'ls'] });
  assert.deepEqual(readyForm(['credential-process', 'prod']), { words: ['credential-process', 'prod'] });
  for (const args of [
    ['exec', 'prod'],
    ['exec', 'prod', '--'],
    ['exec', 'prod', 'aws'],
    ['exec', '--debug', 'prod', '--', 'true'],
    ['exec', '--region', 'eu-west-1', 'prod', '--', 'true'],
    ['exec', '--', 'true'],
    ['exec', '', '--', 'true'],
    ['credential-process', 'prod', '--debug'],
    ['credential-process', '--debug', 'prod'],
    ['credential-process'],
    ['export', 'prod'],
    ['hook-env', 'bash'],
  ]) {
    assert.equal(readyForm(args), undefined, args.join(' '));
  }
});

test('the keyed environment: AWS_*, ROLECALL_*, XDG_*, HOME and USER, never the passphrase', () => {
  const keyed = keyedEnv({ HOME: '/home/u', USER: 'u', AWS_REGION: 'eu-west-1', ROLECALL_MIN_TTL: '60', XDG_DATA_HOME: '/d', PATH: '/bin', TERM: 'xterm', PWD: '/x', ROLECALL_FILE_PASSPHRASE: 'secret', _ROLECALL_ACTIVE: 'p' });
  assert.deepEqual(keyed, { HOME: '/home/u', USER: 'u', AWS_REGION: 'eu-west-1', ROLECALL_MIN_TTL: '60', XDG_DATA_HOME: '/d' });
  assert.equal(isKeyedVariable('ROLECALL_FILE_PASSPHRASE'), false);
});

test('no answer where the files could be other files for the agent: a path built from variables, or relative', () => {
  assert.equal(keyedEnv({ HOME: '/h', AWS_CONFIG_FILE: '$PROJECT/config' }), undefined);
  assert.equal(keyedEnv({ HOME: '/h', AWS_SHARED_CREDENTIALS_FILE: '${X}/c' }), undefined);
  assert.equal(keyedEnv({ HOME: '/h', AWS_CONFIG_FILE: 'config' }), undefined);
  assert.equal(keyedEnv({ HOME: '/h', AWS_CONFIG_FILE: '' }), undefined);
  assert.ok(keyedEnv({ HOME: '/h', AWS_CONFIG_FILE: '~/other' }));
  assert.ok(keyedEnv({ HOME: '/h', AWS_CONFIG_FILE: '/etc/aws/config' }));
});

test('an answer name is the same for the same words, keyed environment (in any order) and stamps, and differs in any one', () => {
  const base = readyAnswerName(['exec', 'p'], { A: '1', B: '2' }, ['s1', 's2']);
  assert.equal(readyAnswerName(['exec', 'p'], { B: '2', A: '1' }, ['s1', 's2']), base);
  for (const other of [
    readyAnswerName(['exec', 'q'], { A: '1', B: '2' }, ['s1', 's2']),
    readyAnswerName(['credential-process', 'p'], { A: '1', B: '2' }, ['s1', 's2']),
    readyAnswerName(['exec', 'p'], { A: '1', B: '3' }, ['s1', 's2']),
    readyAnswerName(['exec', 'p'], { A: '1' }, ['s1', 's2']),
    readyAnswerName(['exec', 'p'], { A: '1', B: '2', C: '' }, ['s1', 's2']),
    readyAnswerName(['exec', 'p'], { A: '1', B: '2' }, ['s1', 's3']),
    readyAnswerName(['exec', 'p'], { A: '1', B: '2' }, ['s2', 's1']),
  ]) {
    assert.notEqual(other, base);
  }
});

/**
 * The rule above holds only while every variable the code reads is keyed: a
 * variable outside it that changed what a command answers would let a ready
 * answer serve the wrong one. Each unkeyed variable src reads is here with
 * why it cannot change a plain exec's or credential-process's answer.
 */
const UNKEYED_READS: Record<string, string> = {
  PATH: 'finds the child and helpers; the child is found again at each spawn',
  SHELL: 'the command of `exec PROFILE` with none, which is not a plain form',
  PWD: "the shell hook's directory",
  BROWSER: 'a sign-in, which a held session does not need',
  DISPLAY: 'a sign-in, which a held session does not need',
  WAYLAND_DISPLAY: 'a sign-in, which a held session does not need',
  WSL_DISTRO_NAME: 'a sign-in, which a held session does not need',
  DBUS_SESSION_BUS_ADDRESS: 'reaching the keychain, which a held session does not need',
  _ROLECALL_ACTIVE: "the shell hook's own state",
  _ROLECALL_PWD: "the shell hook's own state",
  _ROLECALL_OLDPWD: "the shell hook's own state",
  _ROLECALL_REFRESH_AT: "the shell hook's own state",
  _ROLECALL_NOTICED: "the shell hook's own state",
  _ROLECALL_FAILURES: "the shell hook's own state",
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('every environment variable src reads is keyed, or cannot change a ready answer', () => {
  const read = new Set<string>();
  for (const file of sourceFiles(join(repoRoot, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\b(?:env|Env|processEnv|parent)(?:\.([A-Z_][A-Z0-9_]*)|\[['"]([A-Z_][A-Z0-9_]*)['"]\])/g)) read.add((match[1] ?? match[2]) as string);
    for (const match of text.matchAll(/_VARIABLE = '([A-Z_][A-Z0-9_]*)'/g)) read.add(match[1] as string);
  }
  assert.ok(read.has('AWS_CONFIG_FILE') && read.has('HOME'), 'the scan finds the reads');
  const unaccounted = [...read].filter((name) => !isKeyedVariable(name) && !(name in UNKEYED_READS) && name !== 'ROLECALL_FILE_PASSPHRASE');
  assert.deepEqual(unaccounted, []);
});
