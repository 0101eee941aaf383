/**
 * The `.awsprofile` a directory asks for: the nearest one from the directory
 * up to `/`, found the way the shell hook finds it (a logical walk of $PWD,
 * `-f` follows symlinks), so the program and the hook agree on the file.
 * Its content is data, never code: the profile name is checked here against
 * a strict pattern before any shell sees it.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { stampOf, type FileStamp } from '../fs/file-stamp.js';
import { printable } from '../log/terminal-text.js';

export const AWSPROFILE = '.awsprofile';

/** Profile names the hook accepts: what people use, nothing a shell would read as syntax. */
const PROFILE_NAME = /^[A-Za-z0-9_.+=,@/-]{1,128}$/;

export function isValidProfileName(name: string): boolean {
  return PROFILE_NAME.test(name);
}

/**
 * A .awsprofile names one profile; anything larger is not one. Any cloned
 * repository can ship the file, so its size is capped: neither the program
 * nor the hook reads or carries more than this.
 */
export const MAX_AWSPROFILE_BYTES = 4096;

export interface AwsprofileFile {
  /** As the shell sees it: under $PWD, symlinks not resolved. */
  readonly path: string;
  /** The bytes (at most MAX_AWSPROFILE_BYTES), or undefined when the file cannot be read. */
  readonly bytes: Buffer | undefined;
  /** True when the file is larger than MAX_AWSPROFILE_BYTES: invalid, and not followed by the hook. */
  readonly tooLarge?: boolean;
  /** The file's stat as it was just before `bytes` were read (see FileStamp). */
  readonly stamp?: FileStamp;
}

export type ProfileRequest =
  | { readonly kind: 'profile'; readonly name: string }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'empty' }
  | { readonly kind: 'unreadable' };

/** The nearest `.awsprofile` at or above `dir` (an absolute, logical path). */
export function findAwsprofile(dir: string): string | undefined {
  let current = dir.replace(/\/+$/, '');
  for (;;) {
    const candidate = `${current}/${AWSPROFILE}`;
    if (isRegularFile(candidate)) return candidate;
    if (current === '') return undefined;
    current = current.slice(0, current.lastIndexOf('/'));
  }
}

export function readAwsprofile(path: string): AwsprofileFile {
  let fd: number | undefined;
  try {
    // Without blocking: a FIFO put there after findAwsprofile looked would hold the prompt until something writes to it.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    // Taken before the read (see fs/file-stamp.ts).
    const stats = fstatSync(fd, { bigint: true });
    if (!stats.isFile()) return { path, bytes: undefined };
    const stamp = stampOf(stats);
    const buffer = Buffer.alloc(MAX_AWSPROFILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0 || (length += n) === buffer.length) break;
    }
    if (length > MAX_AWSPROFILE_BYTES) return { path, bytes: buffer.subarray(0, MAX_AWSPROFILE_BYTES), tooLarge: true, stamp };
    return { path, bytes: buffer.subarray(0, length), stamp };
  } catch {
    return { path, bytes: undefined };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The first line that is neither blank nor a `#` comment names the profile. */
export function profileRequest(bytes: Buffer | undefined): ProfileRequest {
  if (bytes === undefined) return { kind: 'unreadable' };
  const text = bytes.toString('utf8');
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (!isValidProfileName(line)) return { kind: 'invalid', reason: `${printable(line)} is not a valid profile name` };
    return { kind: 'profile', name: line };
  }
  return { kind: 'empty' };
}

function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
