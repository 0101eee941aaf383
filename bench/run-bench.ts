/**
 * `npm run bench`: the figures of issue 10 in one run, each table's commands
 * alternated round by round after a warm-up, with NODE_EXTRA_CA_CERTS unset
 * for every side (Node 20 reads that bundle at each start, which would hide
 * most of rolecall's own cost), printed as medians and ratios:
 *
 *   1. warm `exec P -- true` and `credential-process P`, keychain and file
 *      backends, agent off (ROLECALL_AGENT=off) and on (primed by the
 *      warm-up, which leaves the agent their ready answers; an exec with an
 *      option besides, which goes the whole way; `rolecall lock` stops it at
 *      the end), against `node -e 0`;
 *   2. `--version`, a TAB (dist/complete.cjs) and a steady `hook-env`,
 *      against `node -e 0`;
 *   3. the AWS CLI through `credential_process = rolecall credential-process
 *      P` against its own assume-role with its own warm cache, both on moto;
 *   4. a cold exec against the AWS CLI's cold assume-role (the caches
 *      cleared before each run, outside the timing); 20 cold execs at once
 *      against one, and how many STS calls the 20 made;
 *   5. the prompt hook in bash and zsh against no hook and direnv's hook;
 *   6. peak RSS: the RSS columns of 1 and 2.
 *
 *   npm run bench [-- --rounds 20] [-- --only 1,2]
 *
 * It needs moto_server, the AWS CLI, GNU time and, for the keychain rows, a
 * D-Bus session with an unlocked gnome-keyring: started with
 * dbus-run-session and a keyring of its own when it is not already inside
 * one (ROLECALL_BENCH_KEYRING=1 says it is). A missing peer skips its rows
 * with the reason.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentialsFile, randomKeys, startStsWorld, type StsWorld } from '../test/helpers/sts-world.js';
import { rolecallBin, type Sandbox } from '../test/helpers/sandbox.js';
import { agentFloor, keychainFloor, scryptFloor, startFloor } from './floors.js';
import { hookPromptCost } from './hook-prompt-cost.js';
import { measureCommands, measureConcurrent, ratioTable, runToEnd, type CommandSpec } from './measure-command.js';

delete process.env.NODE_EXTRA_CA_CERTS;

const args = process.argv.slice(2);
const rounds = Math.max(20, Number(option('--rounds') ?? 20));
const only = new Set((option('--only') ?? '1,2,3,4,5').split(','));
const node = process.execPath;

function option(name: string): string | undefined {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
}

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

if (process.env.ROLECALL_BENCH_KEYRING !== '1' && has('dbus-run-session') && has('gnome-keyring-daemon')) {
  // Again, inside a session bus of its own with an unlocked keyring of its own (as .ci/run does for the tests).
  const inner = spawnSync(
    'dbus-run-session',
    ['--', 'bash', '-c', 'd="$(mktemp -d)"; eval "$(printf %s rolecall-bench | XDG_DATA_HOME="$d" gnome-keyring-daemon --unlock --components=secrets)"; export GNOME_KEYRING_CONTROL; "$@"; s=$?; rm -rf "$d"; exit $s', 'bench', node, fileURLToPath(import.meta.url), ...args],
    { stdio: 'inherit', env: { ...process.env, ROLECALL_BENCH_KEYRING: '1' } },
  );
  process.exit(inner.status ?? 1);
}

const CONFIG = [
  '[profile keys]\nregion = eu-west-1\n',
  '[profile role]\nrole_arn = arn:aws:iam::123456789012:role/Bench\nsource_profile = keys\nregion = eu-west-1\n',
  // The AWS CLI's own assume-role, cached by it in ~/.aws/cli/cache.
  '[profile cli-role]\nrole_arn = arn:aws:iam::123456789012:role/Bench\nsource_profile = keys\nregion = eu-west-1\n',
  // The AWS CLI through rolecall.
  `[profile via-rolecall]\ncredential_process = ${node} ${rolecallBin} credential-process role\nregion = eu-west-1\n`,
].join('\n');

const rolecall = (...words: string[]) => [node, rolecallBin, ...words];
const baseline = (env: Record<string, string>): CommandSpec => ({ name: 'node -e 0 (baseline)', argv: [node, '-e', '0'], env });

// Asynchronous, as the commands may call the recording STS proxy, which lives in this process.
function run(argv: readonly string[], env: Record<string, string>, cwd?: string): ReturnType<typeof runToEnd> {
  return runToEnd({ argv, env, ...(cwd ? { cwd } : {}) });
}

async function mustRun(argv: readonly string[], env: Record<string, string>, cwd?: string): Promise<void> {
  const result = await run(argv, env, cwd);
  if (result.status !== 0) throw new Error(`${argv.slice(1).join(' ')} exited ${result.status}: ${result.stderr.slice(-500)}`);
}

/** Why the keychain rows cannot run here, or undefined. A keytar built for another Node crashes its process, so it is tried in one of its own. */
async function keychainUnusable(env: Record<string, string>): Promise<string | undefined> {
  const loads = await run([node, '-e', `require(${JSON.stringify(join(dirname(rolecallBin), '..', 'node_modules', 'keytar'))})`], env);
  if (loads.status !== 0) return `keytar does not load on this Node ${process.version} (npm rebuild keytar)`;
  if (!env.DBUS_SESSION_BUS_ADDRESS) return 'no D-Bus session (run inside dbus-run-session with an unlocked gnome-keyring)';
  return undefined;
}

function section(title: string, body: string): void {
  process.stdout.write(`\n### ${title}\n\n${body}\n`);
}

function sandboxFor(world: StsWorld, backend: string): Sandbox {
  const box = world.sandbox({ ROLECALL_BACKEND: backend });
  box.write('.aws/config', CONFIG);
  box.write('.aws/credentials', credentialsFile({ keys: randomKeys() }));
  return box;
}

process.stdout.write(`rolecall bench: node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${rounds} counted rounds after a warm-up, NODE_EXTRA_CA_CERTS unset\n`);

const world = await startStsWorld();
try {
  if (only.has('1')) {
    for (const backend of ['keychain', 'file'] as const) {
      const box = world.sandbox({ ROLECALL_BACKEND: backend });
      box.write('.aws/config', CONFIG);
      const unusable = backend === 'keychain' ? await keychainUnusable(box.env) : undefined;
      if (unusable) {
        section(`1. warm exec and credential-process, ${backend} backend`, `skipped: ${unusable}`);
        continue;
      }
      // The sandbox's agent is off; these rows turn it on where they say so.
      const off = { ...box.env, ROLECALL_AGENT: 'off' };
      const on = { ...box.env, ROLECALL_AGENT: 'on' };
      // The base keys in the backend measured, as `rolecall add` leaves them (no credentials file).
      const keys = randomKeys();
      await mustRun(rolecall('add', 'keys', '--env'), { ...off, AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey });
      await mustRun(rolecall('exec', 'role', '--', 'true'), off);
      world.proxy.reset();
      const figures = await measureCommands(
        [
          baseline(box.env),
          { name: '`exec role -- true`, agent off', argv: rolecall('exec', 'role', '--', 'true'), env: off, budget: backend === 'keychain' ? 2 : 4 },
          { name: '`exec role -- true`, agent on (primed: its ready answer)', argv: rolecall('exec', 'role', '--', 'true'), env: on, budget: 1.5 },
          { name: `\`exec --backend ${backend} role -- true\`, agent on (an option: the whole way, the agent serving the vault)`, argv: rolecall('exec', '--backend', backend, 'role', '--', 'true'), env: on },
          { name: '`credential-process role`, agent off', argv: rolecall('credential-process', 'role'), env: off, budget: backend === 'keychain' ? 2 : 4 },
          { name: '`credential-process role`, agent on (primed: its ready answer)', argv: rolecall('credential-process', 'role'), env: on, budget: 1.5 },
          agentFloor(on),
          backend === 'keychain' ? keychainFloor(off) : scryptFloor(off),
        ],
        rounds,
      );
      const calls = world.proxy.calls.length;
      // The rows with the agent are worth something only if it answered them.
      const served = await run(rolecall('exec', '--debug', 'role', '--', 'true'), on);
      if (!served.stderr.includes('from the agent')) throw new Error(`the agent did not serve the warm exec: ${served.stderr.slice(-800)}`);
      // And the plain rows were its ready answers, not the whole way.
      const status = await run(rolecall('agent', '--status'), on);
      const readyServed = [...status.stdout.matchAll(/^ {2}(exec|credential-process) role, served (\d+) times?/gm)].map((m) => `${m[1]} ${m[2]}`);
      if (readyServed.length !== 2) throw new Error(`the agent holds no ready answers for the plain rows: ${status.stdout}`);
      // The agent is stopped, so none is left running.
      const lock = await run(rolecall('lock'), on);
      const lockLine = lock.status === 0 ? 'the agent was stopped with `rolecall lock` after the runs' : `\`rolecall lock\` after the runs: ${lock.stderr.trim() || `status ${lock.status}`}`;
      section(`1. warm exec and credential-process, ${backend} backend`, `${ratioTable(figures, figures[0]!)}\n\nSTS calls during the timed runs: ${calls} (0: every run was warm); ready answers served (warm-up included): ${readyServed.join(', ')}; ${lockLine}\n`);
    }
  }

  if (only.has('2')) {
    const box = sandboxFor(world, 'file');
    const project = join(box.home, 'project');
    box.write('project/.awsprofile', 'keys\n');
    await mustRun(rolecall('allow', project), box.env);
    // What the hook passes at a prompt where the profile is already active and its session good: the hook's commonest call.
    const steady = { ...box.env, PWD: project, _ROLECALL_PWD: project, _ROLECALL_OLDPWD: box.home, _ROLECALL_ACTIVE: 'keys', _ROLECALL_REFRESH_AT: String(Math.floor(Date.now() / 1000) + 86400) };
    const check = await run(rolecall('hook-env', 'bash'), steady, project);
    if (check.status !== 0 || !check.stdout.includes('_rolecall_file=') || check.stdout.includes('export ')) throw new Error(`hook-env is not steady: ${check.stdout}${check.stderr}`);
    const completer = join(dirname(rolecallBin), 'complete.cjs');
    const figures = await measureCommands(
      [
        baseline(box.env),
        { name: '`rolecall --version`', argv: rolecall('--version'), env: box.env, budget: 1.3 },
        { name: 'a TAB: `rolecall exec ro` (dist/complete.cjs)', argv: [node, completer, 'zsh', '--', 'exec', 'ro'], env: box.env, budget: 1.3 },
        { name: 'a steady `rolecall hook-env bash`', argv: rolecall('hook-env', 'bash'), env: steady, cwd: project, budget: 1.3 },
      ],
      rounds,
    );
    section('2. --version, a TAB and a steady hook-env', ratioTable(figures, figures[0]!));
  }

  if ((only.has('3') || only.has('4')) && !has('aws')) {
    section('3. and 4. the AWS CLI', 'skipped: the AWS CLI (`aws`) is not installed');
  } else {
    const box = sandboxFor(world, 'keychain');
    const usable = (await keychainUnusable(box.env)) === undefined;
    const env = { ...box.env, ...(usable ? {} : { ROLECALL_BACKEND: 'file' }), ROLECALL_AGENT: 'off' };
    const cliCache = join(box.home, '.aws', 'cli', 'cache');
    const caller = ['sts', 'get-caller-identity'];
    const backendNote = usable ? 'keychain backend' : 'file backend (the keychain cannot be used here)';
    if (only.has('3')) {
      await mustRun(['aws', '--profile', 'via-rolecall', ...caller], env);
      await mustRun(['aws', '--profile', 'cli-role', ...caller], env);
      const figures = await measureCommands(
        [
          { name: '`aws --profile keys sts get-caller-identity` (keys, no role: the AWS CLI alone)', argv: ['aws', '--profile', 'keys', ...caller], env },
          { name: 'the AWS CLI\'s own assume-role, its cache warm', argv: ['aws', '--profile', 'cli-role', ...caller], env },
          { name: 'the AWS CLI through `credential_process = rolecall credential-process role`, warm', argv: ['aws', '--profile', 'via-rolecall', ...caller], env },
        ],
        rounds,
      );
      section(`3. the AWS CLI through credential_process, against its own warm assume-role (moto; ${backendNote})`, ratioTable(figures, figures[1]!));
    }
    if (only.has('4')) {
      // `clear` calls no STS, so it may block this process. With the agent on it also drops the sessions the agent holds.
      const clearRolecall = (on: Record<string, string>) => () => {
        const cleared = spawnSync(node, [rolecallBin, 'clear'], { env: on, encoding: 'utf8' });
        if (cleared.status !== 0) throw new Error(`rolecall clear exited ${cleared.status}: ${cleared.stderr}`);
      };
      const clearCli = () => rmSync(cliCache, { recursive: true, force: true });
      // Cold, as a user meets it most: the agent running and holding the base keys (the default), no session.
      const withAgent = { ...env, ROLECALL_AGENT: 'on' };
      await mustRun(rolecall('exec', 'role', '--', 'true'), withAgent);
      const assumeRole = ['sts', 'assume-role', '--role-arn', 'arn:aws:iam::123456789012:role/Bench', '--role-session-name', 'bench'];
      const figures = await measureCommands(
        [
          { name: "the AWS CLI's cold assume-role: `aws --profile keys sts assume-role …` (one AssumeRole, nothing cached)", argv: ['aws', '--profile', 'keys', ...assumeRole], env },
          { name: 'cold `rolecall exec role -- true` (one AssumeRole), agent off, cache cleared', argv: rolecall('exec', 'role', '--', 'true'), env, before: clearRolecall(env), budget: 1 },
          { name: 'cold `rolecall exec role -- true`, the agent holding the keys, sessions cleared', argv: rolecall('exec', 'role', '--', 'true'), env: withAgent, before: clearRolecall(withAgent), budget: 1 },
          { name: "the AWS CLI's cold assume-role and a call: `aws --profile cli-role sts get-caller-identity`, ~/.aws/cli/cache cleared", argv: ['aws', '--profile', 'cli-role', ...caller], env, before: clearCli },
          { name: 'the same call as the child of a cold exec: `rolecall exec role -- aws sts get-caller-identity`, agent off, cache cleared', argv: rolecall('exec', 'role', '--', 'aws', ...caller), env, before: clearRolecall(env) },
        ],
        rounds,
      );
      const concurrency: string[] = [];
      for (const [label, on] of [['agent off', env], ['the agent holding the keys', withAgent]] as const) {
        world.proxy.reset();
        const concurrent = await measureConcurrent({ name: `cold exec, ${label}`, argv: rolecall('exec', 'role', '--', 'true'), env: on, before: clearRolecall(on) }, 20, rounds, { floor: startFloor(on) });
        // One AssumeRole in each round's one and twenty, and in the floor's one.
        const assumeRoles = world.proxy.count('AssumeRole') - (rounds + 1);
        const ratio = concurrent.manyMs / concurrent.oneMs;
        const floorRatio = (concurrent.floorMs ?? Number.NaN) / concurrent.oneMs;
        concurrency.push(
          `| one cold \`exec role -- true\`, ${label} | ${concurrent.oneMs.toFixed(1)} ms | 1.00x | | |`,
          `| 20 cold \`exec role -- true\` at once, ${label}, until the last ends | ${concurrent.manyMs.toFixed(1)} ms | ${ratio.toFixed(2)}x | ≤ 3x ${ratio <= 3 ? 'met' : 'MISSED'} | ${(assumeRoles / (2 * (rounds + 1))).toFixed(2)} |`,
          `| floor: one cold exec with 19 Node starts that spawn \`true\` beside it | ${(concurrent.floorMs ?? Number.NaN).toFixed(1)} ms | ${floorRatio.toFixed(2)}x | | |`,
        );
      }
      const lines = [
        '| case | wall | × one | budget | AssumeRole calls per start (1: the 20 shared one) |',
        '|---|---:|---:|---|---:|',
        ...concurrency,
      ];
      await mustRun(rolecall('lock'), withAgent);
      section(`4. cold exec against the AWS CLI's cold assume-role (moto; ${backendNote})`, `${ratioTable(figures, figures[0]!)}\n\n${lines.join('\n')}\n`);
    }
  }
} finally {
  await world.stop();
}

if (only.has('5')) section('5. the prompt hook per prompt', hookPromptCost({ prompts: [1000, 4000], rounds: 3 }));
