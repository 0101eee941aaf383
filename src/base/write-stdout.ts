/**
 * A command's output written to stdout's descriptor itself: making
 * process.stdout's stream for a pipe or a terminal costs a command 3 to 6 ms,
 * more than the rest of a credential-process the agent answers. A descriptor
 * the reader left non-blocking that is full gets the rest through the stream.
 */
import { writeSync } from 'node:fs';

/** False when the reader is gone (EPIPE) or the write failed otherwise. */
export async function writeStdout(text: string): Promise<boolean> {
  const bytes = Buffer.from(text);
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(1, bytes, written);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return false;
    return new Promise<boolean>((resolve) => process.stdout.write(bytes.subarray(written), (failed) => resolve(!failed)));
  }
}
