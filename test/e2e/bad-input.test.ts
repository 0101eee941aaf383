/**
 * Every entry of the bad-input corpus (bad-input-corpus.ts) through the
 * built CLI, a few at a time: each ends with its documented status and one
 * line that says what is wrong (stderr at most three lines: a notice said
 * once may come first), with no stack trace, no internal name and never
 * the secret key planted in the files, and leaves HOME as it was: each planted file byte for byte (a FIFO still a
 * FIFO, never opened), and no new file but the state the entry names.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import * as exitStatus from '../../src/base/exit-status.js';
import { makeSandbox, runRolecall, type Sandbox } from '../helpers/sandbox.js';
import { BAD_INPUTS, SECRET, type BadInput, type Plant } from './bad-input-corpus.js';

/** The statuses of src/base/exit-status.ts (those of a child's signal aside). */
const DOCUMENTED = new Set(Object.values(exitStatus).filter((value): value is number => typeof value === 'number'));
/** What only a bug would print: a stack line, a JavaScript error's name, a value printed without care. */
const INTERNAL = /^\s+at |\b(TypeError|RangeError|SyntaxError|ReferenceError|ERR_[A-Z_]+|MaxBufferError)\b|\[object Object\]|\bundefined\b|\bNaN\b|unexpected error/m;
/** Node's own compile cache (cli/entry.ts, Node 22 and later), kept by every command. */
const COMPILE_CACHE = /^\.cache\/rolecall\/compile-cache(\/|$)/;

function plant(box: Sandbox, path: string, content: Plant): void {
  const full = join(box.home, path);
  mkdirSync(dirname(full), { recursive: true });
  if (typeof content === 'string' || Buffer.isBuffer(content)) box.write(path, content as string);
  else if ('dir' in content) mkdirSync(full);
  else assert.equal(spawnSync('mkfifo', [full]).status, 0, `mkfifo ${full}`);
}

/** Every path under `root` with what it is: a file's hash, or its kind. */
function snapshot(root: string, under = ''): Map<string, string> {
  const found = new Map<string, string>();
  for (const name of readdirSync(join(root, under))) {
    const path = under ? `${under}/${name}` : name;
    const stats = lstatSync(join(root, path));
    if (stats.isDirectory()) {
      found.set(path, 'directory');
      for (const [inner, kind] of snapshot(root, path)) found.set(inner, kind);
    } else if (stats.isFile()) {
      found.set(path, createHash('sha256').update(readFileSync(join(root, path))).digest('hex'));
    } else {
      found.set(path, stats.isFIFO() ? 'fifo' : 'other');
    }
  }
  return found;
}

async function check(entry: BadInput): Promise<void> {
  assert.ok(DOCUMENTED.has(entry.status), `${entry.name}: status ${entry.status} is not one of src/base/exit-status.ts`);
  const box = makeSandbox();
  try {
    mkdirSync(join(box.home, entry.cwd ?? '.'), { recursive: true });
    for (const [path, content] of Object.entries(entry.files ?? {})) plant(box, path, content);
    const before = snapshot(box.home);
    const run = await runRolecall(box, entry.argv, { env: { ...entry.env }, cwd: join(box.home, entry.cwd ?? '.'), timeoutMs: 20_000 });
    const stderr = run.stderr.trimEnd();
    const shown = `${entry.name}: status ${run.status} (${run.signal ?? 'no signal'}), stderr:\n${stderr.slice(0, 2000)}`;
    assert.equal(run.status, entry.status, shown);
    assert.ok(stderr.split('\n').length <= 3, `at most three lines: ${shown}`);
    assert.ok(stderr.split('\n').every((line) => line.length <= 600), `no line longer than 600 characters: ${shown}`);
    assert.match(stderr, entry.error, shown);
    assert.doesNotMatch(`${stderr}\n${run.stdout}`, INTERNAL, shown);
    assert.ok(!`${run.stderr}${run.stdout}`.includes(SECRET), `${entry.name}: the planted secret key is in the output`);

    const after = snapshot(box.home);
    for (const [path, kind] of before) assert.equal(after.get(path), kind, `${entry.name}: ${path} is as it was`);
    const kept = entry.keeps ?? [];
    const added = [...after.keys()].filter((path) => !before.has(path) && after.get(path) !== 'directory');
    const unexpected = added.filter((path) => !COMPILE_CACHE.test(path) && !kept.some((pattern) => pattern.test(path)));
    assert.deepEqual(unexpected, [], `${entry.name}: no new files under HOME`);
  } finally {
    box.cleanup();
  }
}

describe('bad input: one line, a documented status, every file as it was', { concurrency: 3 }, () => {
  test('the corpus has at least 80 entries, each named once', () => {
    assert.ok(BAD_INPUTS.length >= 80, `${BAD_INPUTS.length} entries`);
    assert.equal(new Set(BAD_INPUTS.map((entry) => entry.name)).size, BAD_INPUTS.length);
  });
  for (const entry of BAD_INPUTS) test(entry.name, () => check(entry));
});
