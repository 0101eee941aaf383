/**
 * A keychain search while other rolecalls write the same service, against
 * gnome-keyring: libsecret kills a process whose search (keytar's
 * findCredentials, what `rolecall list` and `clear` run) finds an item that
 * is replaced or removed before it reads it ("secret_value_get_text:
 * assertion 'value' failed", then SIGSEGV), as a `rolecall list` met execs
 * caching their sessions. Searches and writes of one service take turns
 * among rolecall processes (vault/keychain-vault.ts), so a process that
 * searches over and over while two others replace and remove items for
 * seconds ends well, every search answered. Each side is a process of its
 * own: without the turns the searching one is killed, which must not take
 * the test runner with it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runProcess } from '../helpers/sandbox.js';
import { requireBackend, uniqueName } from './vault-harness.js';

const keychainModule = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'vault', 'keychain-vault.js')).href;

/** A node process that opens the keychain as rolecall does, its locks in `locks`, and runs `body` (the vault is `vault`) until `ms` have passed, or once. */
function racer(locks: string, ms: number | 'once', body: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const script = `
    const { openKeychain } = await import(${JSON.stringify(keychainModule)});
    const opened = await openKeychain(process.env, ${JSON.stringify(join(locks, '..', 'gen'))}, ${JSON.stringify(locks)});
    if (!('vault' in opened)) throw new Error(opened.unavailable);
    const vault = opened.vault;
    const end = Date.now() + ${ms === 'once' ? 0 : ms};
    let rounds = 0;
    do { ${body}; rounds++; } while (Date.now() < end);
    console.log(rounds);
  `;
  return runProcess(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env } as Record<string, string> });
}

test('a search of a service while two other processes replace and remove its items: every search answered, no process killed', async (t) => {
  if (!(await requireBackend(t, 'keychain'))) return;
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-keychain-race-'));
  const service = uniqueName('rolecall-race');
  const locks = join(dir, 'locks');
  try {
    const items = 30;
    const writer = (offset: number) =>
      racer(locks, 4_000, `const i = (rounds * 7 + ${offset}) % ${items}; await vault.set(${JSON.stringify(service)}, 'item-' + i, 'value-' + rounds); if (rounds % 3 === 0) await vault.remove(${JSON.stringify(service)}, 'item-' + ((i + 11) % ${items}))`);
    const fill = await racer(locks, 'once', `for (let i = 0; i < ${items}; i++) await vault.set(${JSON.stringify(service)}, 'item-' + i, 'value')`);
    assert.equal(fill.status, 0, fill.stderr);
    const [searcher, first, second] = await Promise.all([racer(locks, 4_000, `await vault.list(${JSON.stringify(service)})`), writer(0), writer(5)]);
    for (const [what, run] of [['the searching process', searcher], ['a writer', first], ['the other writer', second]] as const) {
      assert.equal(run.status, 0, `${what}: status ${run.status}\n${run.stderr}`);
      assert.doesNotMatch(run.stderr, /CRITICAL|assertion/, what);
    }
    // Each side got its turns (how many is the machine's: the lock is not fair, and need not be).
    assert.ok(Number(searcher.stdout) >= 1 && Number(first.stdout) >= 1 && Number(second.stdout) >= 1, `rounds: ${searcher.stdout} ${first.stdout} ${second.stdout}`);
    const listed = await racer(locks, 'once', `console.log(JSON.stringify(await vault.list(${JSON.stringify(service)})))`);
    assert.equal(listed.status, 0, listed.stderr);
    assert.ok(JSON.parse(listed.stdout.split('\n')[0] as string).length > 0, 'the items the writers left are there to search');
  } finally {
    await racer(locks, 'once', `for (const account of await vault.list(${JSON.stringify(service)})) await vault.remove(${JSON.stringify(service)}, account)`);
    rmSync(dir, { recursive: true, force: true });
  }
});
