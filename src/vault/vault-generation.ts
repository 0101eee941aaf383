/**
 * The generation markers of a vault's items: for each item (service and
 * account), a small file in rolecall's state directory that every set and
 * remove of that item through the vault changes, agent on or off. The agent
 * records the marker's stat with each entry it is handed and serves the
 * entry only while a client's stat of the marker is the same, so a
 * keychain entry (which, unlike a file vault item, has no file of its own to
 * stat) is never served after another rolecall changed the keychain, even
 * when that rolecall's drop never reached the agent (a stopped or slow agent,
 * ROLECALL_AGENT=off), and a value read just before a removal and handed to
 * the agent after it is never served. One marker per item, not one per
 * vault: a session written at every STS call would otherwise make the agent
 * drop every other entry, base keys included, and the warm path would read
 * the keychain again each time. A marker outlives its item (a removed and
 * missing marker would look like one never written).
 *
 * A change appends one byte, so the size alone differs at every change (a
 * replaced file could reuse an inode within one tick of a coarse clock);
 * past MAX_MARKER_BYTES the file is replaced by a new one, whose inode and
 * times differ from the one it replaces. Reading it is one stat.
 */
import { appendFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hashedName } from '../fs/hashed-name.js';
import { ensurePrivateDir, writePrivateFile } from '../fs/private-files.js';

/** The marker starts again past this size: a byte per change, a few kilobytes at most. */
const MAX_MARKER_BYTES = 4096;

/** The item's generation (its marker's inode, size and times), 'gen:none' while it has no marker. */
export function vaultGeneration(markerDir: string, service: string, account: string): string {
  const markerPath = markerOf(markerDir, service, account);
  try {
    const stats = statSync(markerPath, { bigint: true });
    return `gen:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gen:none';
    throw error;
  }
}

/** Marks the item changed; called after every write or removal of it that went through. */
export function bumpVaultGeneration(markerDir: string, service: string, account: string): void {
  ensurePrivateDir(markerDir);
  const markerPath = markerOf(markerDir, service, account);
  let size = 0n;
  try {
    size = statSync(markerPath, { bigint: true }).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (size >= MAX_MARKER_BYTES) writePrivateFile(markerPath, '.');
  else appendFileSync(markerPath, '.', { mode: 0o600 });
}

/** Hashed: the names of what is stored are not spelled out in the state directory. */
function markerOf(markerDir: string, service: string, account: string): string {
  return join(markerDir, hashedName([service, account]));
}
