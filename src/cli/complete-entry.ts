/**
 * dist/complete.cjs, what the completion scripts run at each TAB: the
 * arguments of `rolecall __complete` (complete-run.ts) in a file of its own,
 * about 9 KB of CommonJS that loads no other file. Going through
 * dist/rolecall.cjs instead costs the commands' whole bundle, where this
 * costs about 1.1x a bare `node -e 0` (the TAB row of `npm run bench`).
 */
import { writeStdout } from '../base/write-stdout.js';
import { completionReply } from './complete-run.js';

void writeStdout(completionReply(process.argv.slice(2), { ...process.env }).map((line) => `${line}\n`).join(''));
