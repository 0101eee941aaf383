import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bashReplies, readBashLine } from '../../src/shell/bash-completion-line.js';

const BREAKS = ' \t\n"\'><=;|&(:';

test('the line is read as bash parses it: blanks, quotes, backslashes', () => {
  assert.deepEqual(readBashLine('rolecall exec ', BREAKS), { words: ['rolecall', 'exec'], current: '', replacedFrom: 0 });
  assert.deepEqual(readBashLine("rolecall  exec 'a b' d", BREAKS).words, ['rolecall', 'exec', 'a b']);
  assert.equal(readBashLine('rolecall exec a\\ b\\;c', BREAKS).current, 'a b;c');
  assert.equal(readBashLine('rolecall exec "a\\"b\\x', BREAKS).current, 'a"b\\x');
  assert.deepEqual(readBashLine("rolecall exec 'a b", BREAKS), { words: ['rolecall', 'exec'], current: 'a b', replacedFrom: 0, openQuote: "'" });
});

test("bash's own word starts after the last word break outside quotes, or at a quote left open", () => {
  assert.equal(readBashLine('rolecall exec org:d', BREAKS).replacedFrom, 4);
  assert.equal(readBashLine('rolecall exec --backend=f', BREAKS).replacedFrom, 10);
  assert.equal(readBashLine("rolecall exec 'org:d", BREAKS).replacedFrom, 0, 'a break inside quotes does not split');
  assert.equal(readBashLine('rolecall exec org\\:d', BREAKS).replacedFrom, 0, 'nor an escaped one');
  assert.equal(readBashLine("rolecall exec x'a b", BREAKS).replacedFrom, 1);
  assert.equal(readBashLine('rolecall exec org:d', ' ').replacedFrom, 0, 'COMP_WORDBREAKS without :');
});

test('replies are the rest of each name after that start, quoted so that bash reads the name back as data', () => {
  const plain = readBashLine('rolecall exec ', BREAKS);
  assert.deepEqual(bashReplies(plain, ['dev', 'a b', 'a;rm -rf ~', '$(touch x)', "it's"]), ['dev', 'a\\ b', 'a\\;rm\\ -rf\\ \\~', '\\$\\(touch\\ x\\)', "it\\'s"]);
  assert.deepEqual(bashReplies(readBashLine('rolecall exec org:d', BREAKS), ['org:dev']), ['dev']);
  assert.deepEqual(bashReplies(readBashLine('rolecall exec --backend=f', BREAKS), ['--backend=file']), ['file']);
  assert.deepEqual(bashReplies(readBashLine("rolecall exec 'a", BREAKS), ["a b's"]), ["a b'\\''s"]);
  assert.deepEqual(bashReplies(readBashLine('rolecall exec "a', BREAKS), ['a $b"']), ['a \\$b\\"']);
  // An interactive bash expands history at ! even in double quotes, and \! there keeps its backslash.
  assert.deepEqual(bashReplies(readBashLine('rolecall exec "a', BREAKS), ['a!b']), ['a"\\!"b']);
});
