/**
 * credential-process's output, answered from the agent's ready answer or by
 * the whole way alike: the JSON on stdout, or, when its reader is gone before
 * it is written (an SDK that gave up), one line and status 1.
 */
import { EXIT_FAILED, EXIT_OK } from '../base/exit-status.js';
import { writeStdout } from '../base/write-stdout.js';

export async function printCredentials(json: string): Promise<number> {
  if (await writeStdout(json)) return EXIT_OK;
  process.stderr.write('rolecall: the credentials could not be written to stdout (its reader is gone)\n');
  return EXIT_FAILED;
}
