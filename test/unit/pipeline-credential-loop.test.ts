/** The loop marker: the profiles being resolved, passed down, and a profile met twice refused. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CredentialLoopError } from '../../src/base/errors.js';
import { refuseCredentialLoop, RESOLVING_VARIABLE } from '../../src/pipeline/credential-loop.js';

test('each profile resolved is added to what its credential_process inherits', () => {
  const first = refuseCredentialLoop({ HOME: '/h' }, ['a']);
  assert.equal(first.HOME, '/h');
  assert.deepEqual(JSON.parse(first[RESOLVING_VARIABLE] as string), ['a']);
  const second = refuseCredentialLoop(first, ['b with space']);
  assert.deepEqual(JSON.parse(second[RESOLVING_VARIABLE] as string), ['a', 'b with space']);
});

test('a profile already being resolved is a loop, named from where it starts', () => {
  const env = refuseCredentialLoop(refuseCredentialLoop(refuseCredentialLoop({}, ['x']), ['a']), ['b']);
  assert.throws(
    () => refuseCredentialLoop(env, ['a']),
    (error: unknown) => error instanceof CredentialLoopError && !error.saidBelow && /^credential_process loop: "a" -> "b" -> "a";/.test(error.message),
  );
});

test('a marker that is not ours counts as none', () => {
  for (const value of ['not json', '{"a":1}', '[1,2]']) {
    assert.doesNotThrow(() => refuseCredentialLoop({ [RESOLVING_VARIABLE]: value }, ['a']));
  }
});

test('a way back into any profile of the chain is a loop: the role named, or the source whose credential_process is running', () => {
  // exec of role A over B, whose credential_process runs `rolecall credential-process B`:
  // A's command holds the lock of B's link while that runs.
  const outer = refuseCredentialLoop({}, ['A', 'A', 'B']);
  assert.deepEqual(JSON.parse(outer[RESOLVING_VARIABLE] as string), ['A', 'B']);
  assert.throws(() => refuseCredentialLoop(outer, ['B']), /^CredentialLoopError: credential_process loop: "B" -> "B";/);
  assert.doesNotThrow(() => refuseCredentialLoop(outer, ['C', 'D']), 'another chain is no loop');
});
