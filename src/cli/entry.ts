/**
 * What `rolecall` runs first: dist/rolecall.cjs, a file of its own, kept
 * small and CommonJS (on Node 20 an ES module entry alone costs about 9 ms,
 * a quarter of node's own start). It answers `--version` before loading
 * anything, answers a plain exec or credential-process whose ready answer
 * the agent holds (ready-start.ts: no bundle at all), turns on Node's compile cache where Node has one (22 and later:
 * the commands' bundle, loaded after it, is then read from V8's cache
 * instead of being compiled at each start; on Node 20 bundle-loader.ts does
 * the same for our bundles), and hands the command line to the bundle that
 * runs it: the prompt hook's `hook-env SHELL` to hook-env-entry.ts
 * (dist/hook-env.cjs), the rest to fast-paths.ts (dist/commands.cjs), with
 * the one ES module import they may need (dist/main.js, the clipanion CLI),
 * which only this file can make (see bundle-loader.ts).
 */
import { mkdirSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { compileCacheDir } from '../fs/rolecall-dirs.js';
import { loadBundle, trustedCacheDir } from './bundle-loader.js';
import { ROLECALL_VERSION } from './version.js';
import { readyForm } from '../agent/ready-answer.js';
import { agentOnIfValid } from '../agent/agent-settings.js';
import { exitNow } from '../base/exit-status.js';
import { writeStdout } from '../base/write-stdout.js';

const args = process.argv.slice(2);

if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  void writeStdout(`${ROLECALL_VERSION}\n`);
} else if (args[0] === 'hook-env' && args.length === 2 && !args[1]?.startsWith('-')) {
  // The prompt hook's own call; anything else (--help, a missing SHELL) gets clipanion's answer.
  const { load, commands } = bundles();
  void (load('hook-env.cjs') as typeof import('./hook-env-entry.js')).runHookEnvCommand(args[1] as string, commands);
} else if (readyForm(args) && agentOnIfValid(process.env)) {
  // A plain exec or credential-process whose answer the agent holds needs no bundle at all. One copy of
  // the environment, read twice: each read of process.env itself is a call into Node's C++.
  void import('./ready-start.js')
    .then(({ answerIfReady }) => answerIfReady(args, { ...process.env }))
    .then((status) => (status !== undefined ? exitNow(status) : runCommandLine()));
} else {
  void runCommandLine();
}

function runCommandLine(): Promise<void> {
  const { commands, openMain } = bundles();
  return commands().runCommandLine(args, openMain);
}

/** The bundles, loaded through the compile cache. */
function bundles() {
  // Node 22's API; absent on Node 20. The cache lives in the user's own cache directory, not in a /tmp others can write to.
  const { enableCompileCache } = nodeModule as { enableCompileCache?: (directory: string) => unknown };
  const cacheDir = trustedCacheDir(compileCacheDir(process.env));
  if (enableCompileCache && cacheDir) {
    // Node would make the directory 0755; the code in it is run by every rolecall of this user's.
    try {
      mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    } catch {
      // Node then goes without its cache
    }
    enableCompileCache(cacheDir);
  }
  const sibling = nodeModule.createRequire(import.meta.url).resolve;
  const load = (name: string) => loadBundle(sibling(`./${name}`), enableCompileCache ? undefined : cacheDir);
  const commands = () => load('commands.cjs') as typeof import('./fast-paths.js');
  const openMain = () => import('./main.js');
  return { load, commands, openMain };
}
