/**
 * docs/ARCHITECTURE.md against the code. Its "Layers" block is the one home
 * of the layer order: a folder of src/ may import (type-only imports
 * included) only from itself and from folders on lines below it, never from
 * one above or beside it; so no cycle between folders can form. Unit tests
 * are named after the module they test (`FOLDER-MODULE.test.ts`).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The folders of the Layers block, top first; folders on one line are peers. */
function layers(markdown: string): string[][] {
  const section = markdown.split(/^## /m).find((part) => part.startsWith('Layers'));
  const block = section?.match(/```\n([\s\S]*?)```/)?.[1];
  assert.ok(block, 'docs/ARCHITECTURE.md has a "## Layers" section with a fenced block');
  return block
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (line.split(/\s{2,}/)[0] as string).trim().split(' '));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** Every import of one folder from a folder not below it, as "from/file.ts -> folder". */
function upwardImports(src: string, order: string[][]): string[] {
  const rank = new Map(order.flatMap((line, i) => line.map((folder) => [folder, i] as const)));
  const found: string[] = [];
  for (const file of sourceFiles(src)) {
    const from = relative(src, file).split('/')[0] as string;
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm)) {
      const to = relative(src, resolve(dirname(file), match[1] as string)).split('/')[0] as string;
      if (to === from) continue;
      const above = rank.get(from);
      const target = rank.get(to);
      if (above === undefined || target === undefined || target <= above) found.push(`${relative(src, file)} -> ${to}`);
    }
  }
  return found;
}

const order = layers(readFileSync(join(root, 'docs', 'ARCHITECTURE.md'), 'utf8'));

test('every folder of src/ has one place in the layers, and only folders of src/ do', () => {
  const listed = order.flat();
  const folders = readdirSync(join(root, 'src')).filter((name) => statSync(join(root, 'src', name)).isDirectory());
  assert.deepEqual([...listed].sort(), [...new Set(listed)].sort(), 'no folder twice');
  assert.deepEqual([...listed].sort(), folders.sort());
  assert.deepEqual(readdirSync(join(root, 'src')).filter((name) => name.endsWith('.ts')), [], 'no file outside a layer');
});

test('no folder imports one above or beside it', () => {
  assert.deepEqual(upwardImports(join(root, 'src'), order), []);
});

test('the check finds an upward import, a type-only one and a cycle', () => {
  const src = mkdtempSync(join(tmpdir(), 'rolecall-layers-'));
  try {
    for (const folder of ['top', 'mid', 'low']) mkdirSync(join(src, folder));
    writeFileSync(join(src, 'top', 'a.ts'), "import { b } from '../mid/b.js';\n");
    writeFileSync(join(src, 'mid', 'b.ts'), "import type { A } from '../top/a.js';\nexport const b = await import('../low/c.js');\n");
    writeFileSync(join(src, 'low', 'c.ts'), "export { b } from '../mid/b.js';\n");
    assert.deepEqual(upwardImports(src, [['top'], ['mid'], ['low']]).sort(), ['low/c.ts -> mid', 'mid/b.ts -> top']);
    assert.deepEqual(upwardImports(src, [['top'], ['mid', 'low']]).sort(), ['low/c.ts -> mid', 'mid/b.ts -> low', 'mid/b.ts -> top'], 'peers may not import each other');
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
});

test('each unit test is named after the module it tests', () => {
  const modules = new Set(
    sourceFiles(join(root, 'src')).map((file) => {
      const [folder, name] = relative(join(root, 'src'), file).replace(/\.ts$/, '').split('/') as [string, string];
      // sts/sts-client.ts is sts-client, not sts-sts-client.
      return name.startsWith(`${folder}-`) ? name : `${folder}-${name}`;
    }),
  );
  const docs = new Set(readdirSync(join(root, 'docs')).map((name) => `docs-${name.replace(/\.md$/, '').toLowerCase()}`));
  const unnamed = readdirSync(join(root, 'test', 'unit'))
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => name.replace(/\.test\.ts$/, ''))
    .filter((name) => !modules.has(name) && !docs.has(name));
  assert.deepEqual(unnamed, []);
});
