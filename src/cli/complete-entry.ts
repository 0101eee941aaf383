/**
 * dist/complete.cjs, what the completion scripts run at each TAB: the
 * arguments of `rolecall __complete` (complete-run.ts) in a file of its own,
 * about 9 KB of CommonJS that loads no other file. Going through
 * dist/rolecall.mjs instead costs the ES module loader and the whole exec
 * bundle, about 1.8x a bare `node -e 0` where this costs 1.1x to 1.3x
 * (bench/completion-startup.ts).
 */
import { completionReply } from './complete-run.js';

process.stdout.write(completionReply(process.argv.slice(2), { ...process.env }).map((line) => `${line}\n`).join(''));
