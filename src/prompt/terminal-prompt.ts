/**
 * Asks on the controlling terminal (/dev/tty), so a prompt works even when
 * stdin and stdout are pipes (`rolecall exec p -- cmd < file | less`).
 * Returns undefined when there is no terminal. With echo off the answer is
 * not shown (secrets); Ctrl-C cancels.
 */
import { openSync, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CancelledError } from '../base/errors.js';

export async function promptLine(question: string, options: { echo: boolean }): Promise<string | undefined> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    return undefined;
  }
  // node:tty only when a prompt is shown: every exec imports this file, few of them ask anything.
  const { ReadStream, WriteStream } = createRequire(import.meta.url)('node:tty') as typeof import('node:tty');
  const input = new ReadStream(fd);
  const output = new WriteStream(fd);
  try {
    // Echo off before the question shows, so nothing typed or pasted at once is shown.
    input.setRawMode(true);
    output.write(question);
    return await new Promise<string>((resolve, reject) => {
      let answer = '';
      input.on('data', (chunk: Buffer) => {
        for (const char of chunk.toString('utf8')) {
          if (char === '\r' || char === '\n') {
            output.write('\n');
            resolve(answer);
            return;
          }
          if (char === '\u0003' || char === '\u0004') {
            output.write('\n');
            reject(new CancelledError('cancelled'));
            return;
          }
          if (char === '\u007f' || char === '\b') {
            if (answer.length > 0) {
              answer = answer.slice(0, -1);
              if (options.echo) output.write('\b \b');
            }
            continue;
          }
          answer += char;
          if (options.echo) output.write(char);
        }
      });
    });
  } finally {
    input.setRawMode(false);
    input.destroy();
    output.destroy();
    try {
      closeSync(fd);
    } catch {
      // already closed by the streams
    }
  }
}
