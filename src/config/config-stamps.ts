/**
 * The stamps (fs/file-stamp.ts) of the two files config resolution reads,
 * the config and the credentials file, at the paths the AWS CLI would read:
 * what a ready answer (agent/ready-answer.ts) is known by, so that any edit
 * of either file, or a file appearing or going, makes the next command
 * resolve the profile again.
 */
import type { Env } from '../base/env.js';
import { isSettled, stampOfPath } from '../fs/file-stamp.js';
import { configPaths } from './config-paths.js';

export interface ConfigStamps {
  /** The config file's signature, then the credentials file's. */
  readonly signatures: readonly string[];
  /** False while either was changed too recently for its stamp to be trusted. */
  readonly settled: boolean;
}

export function configStamps(env: Env): ConfigStamps {
  const paths = configPaths(env);
  const stamps = [stampOfPath(paths.config), stampOfPath(paths.credentials)];
  const now = Date.now();
  return { signatures: stamps.map((stamp) => stamp.signature), settled: stamps.every((stamp) => isSettled(stamp, now)) };
}
