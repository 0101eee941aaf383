/**
 * A throw-away HOME with its own ~/.aws files, and a way to run the built
 * rolecall in it. Tests never see the developer's real config or keychain.
 */
import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isProcessAlive } from '../../src/fs/process-liveness.js';

/** build/test/helpers -> repository root */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const rolecallBin = join(repoRoot, 'dist', 'rolecall.cjs');

export interface Sandbox {
  readonly home: string;
  readonly env: Record<string, string>;
  write(relative: string, content: string, mode?: number): string;
  cleanup(): void;
}

/** Variables of the developer's own AWS setup that must not leak into a test. */
const AWS_VARIABLES = /^(AWS_|ROLECALL_)/;

const DESKTOP_VARIABLES = new Set(['BROWSER', 'DISPLAY', 'WAYLAND_DISPLAY']);

export function makeSandbox(extraEnv: Record<string, string> = {}): Sandbox {
  const home = mkdtempSync(join(tmpdir(), 'rolecall-test-'));
  mkdirSync(join(home, '.aws'), { recursive: true });
  const base: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    // No browser of the developer's desktop is opened by a sign-in a test starts.
    if (value !== undefined && !AWS_VARIABLES.test(key) && !DESKTOP_VARIABLES.has(key)) base[key] = value;
  }
  const env: Record<string, string> = {
    ...base,
    HOME: home,
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    // The AWS CLI in the child must never find an instance role by accident.
    AWS_EC2_METADATA_DISABLED: 'true',
    // Each sandbox keeps its vault and session cache in its own HOME, so tests
    // never share state through the one keychain of the D-Bus session. Tests
    // of the keychain backend set ROLECALL_BACKEND=keychain themselves.
    ROLECALL_BACKEND: 'file',
    ROLECALL_FILE_PASSPHRASE: `test-${randomBytes(12).toString('hex')}`,
    // Each sandbox has its own runtime directory, so no test ever reaches the
    // developer's agent or another test's. The agent is off unless a test of
    // it (test/e2e/agent-*) turns it on: the other tests check what rolecall
    // does at each command (a passphrase asked, a keychain call made).
    XDG_RUNTIME_DIR: join(home, 'run'),
    ROLECALL_AGENT: 'off',
    ...extraEnv,
  };
  mkdirSync(env.XDG_RUNTIME_DIR as string, { recursive: true, mode: 0o700 });
  return {
    home,
    env,
    write(relative, content, mode) {
      const path = join(home, relative);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      if (mode !== undefined) chmodSync(path, mode);
      return path;
    },
    cleanup() {
      stopAgent(env);
      // Retried: a rolecall of the test's still ending may write into its cache as it exits.
      rmSync(home, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

/**
 * The sandbox's agent, if one was started in it, made to forget and exit
 * (`rolecall lock`), and waited for (a few seconds at most): as it exits it
 * writes its compiled code into the sandbox's cache (cli/bundle-loader.ts),
 * which a removal of the sandbox running at the same time trips over.
 */
export function stopAgent(env: Record<string, string>): void {
  const runtime = env.XDG_RUNTIME_DIR;
  if (!runtime || !existsSync(join(runtime, 'rolecall', 'agent.sock'))) return;
  const locked = spawnSync(process.execPath, [rolecallBin, 'lock'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
  const pid = Number(/\(pid (\d+)\)/.exec(locked.stdout ?? '')?.[1]);
  if (!pid) return;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  // A zombie (its parent gone, not yet reaped by init) has ended: isProcessAlive says so.
  for (const deadline = Date.now() + 3_000; isProcessAlive(pid, undefined) && Date.now() < deadline; ) Atomics.wait(pause, 0, 0, 20);
}

export interface RunResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly pid: number;
}

export interface RunOptions {
  readonly env?: Record<string, string>;
  readonly input?: string;
  readonly cwd?: string;
  readonly timeoutMs?: number;
  /** Called once the process has started, e.g. to send it a signal. */
  readonly onSpawn?: (pid: number) => void;
  /** Called with each piece of stderr as it comes, e.g. to act once a process says it waits. */
  readonly onStderr?: (chunk: string) => void;
}

export function runRolecall(sandbox: Sandbox, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runProcess(process.execPath, [rolecallBin, ...args], { env: { ...sandbox.env, ...options.env }, cwd: options.cwd ?? sandbox.home }, options);
}

export function runProcess(file: string, args: readonly string[], spawnOptions: SpawnOptions, options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, { ...spawnOptions, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
      options.onStderr?.(c.toString());
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    let settled = false;
    const settle = (status: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolvePromise({ status, signal, stdout, stderr, pid: child.pid ?? -1 });
    };
    child.on('close', settle);
    // A grandchild left running would hold the pipes open and 'close' would
    // never come: settle shortly after the process itself has exited.
    child.on('exit', (status, signal) => setTimeout(() => settle(status, signal), 2_000).unref());
    if (options.onSpawn && child.pid) options.onSpawn(child.pid);
    // A child that exits, or closes its stdin, before taking it (a command that fails at once) makes the
    // write fail with EPIPE: that is the child's business, and its status says what happened.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input ?? '');
  });
}

/**
 * A child that traps `signal` (it prints got-SIGNAL and exits 42) and, for
 * RunOptions.onSpawn, the sending of that signal to rolecall alone (not its
 * process group) once the trap is set: whether rolecall passes it on.
 */
export function trappingChild(dir: string, signal: NodeJS.Signals): { readonly command: string[]; readonly onSpawn: (pid: number) => void } {
  const ready = join(dir, `ready-${signal}`);
  const script = `trap 'echo got-${signal}; exit 42' ${signal.slice(3)}; : > "${ready}"; while :; do sleep 0.05; done`;
  return {
    command: ['sh', '-c', script],
    onSpawn: (pid) => {
      const poll = setInterval(() => {
        try {
          readFileSync(ready);
          clearInterval(poll);
          process.kill(pid, signal);
        } catch {
          // the child has not set its trap yet
        }
      }, 25);
    },
  };
}

/** The output of `env` (one NAME=value a line), as a map: what a test's child dumped of its environment. */
export function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}
