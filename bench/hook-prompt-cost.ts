/**
 * What the shell hook costs per prompt, in real interactive bash and zsh:
 * the slope of the time over thousands of prompts (so shell start-up and the
 * first prompt's `rolecall hook-env` fall out), against the same shell
 * without a hook and against direnv's hook, in the same run.
 *
 * A shell reading a script on stdin with -i prints a prompt and runs its
 * prompt hooks before every line, as at a terminal. The script times the
 * lines with the shell's own clock (EPOCHREALTIME), so nothing outside the
 * shell is measured. `rolecall` on PATH is a counting wrapper: the bench
 * reports how many times it ran during the timed lines (it must be 0).
 *
 * Part of `npm run bench` (bench/run-bench.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './measure-command.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const rolecallBin = join(repoRoot, 'dist', 'rolecall.cjs');


type ShellName = 'bash' | 'zsh';
type HookName = 'none' | 'rolecall' | 'direnv';

interface Variant {
  readonly shell: ShellName;
  readonly hook: HookName;
  /**
   * 'steady': the same directory at every prompt, under a trusted .awsprofile with its profile active;
   * 'nofile': the same directory, no .awsprofile above it; 'cd': a cd at every prompt, under the same .awsprofile.
   */
  readonly motion: 'steady' | 'nofile' | 'cd';
}

interface Figure {
  readonly variant: Variant;
  /** Microseconds per prompt: the slope. */
  readonly perPromptUs: number;
  /** rolecall runs during the timed prompts. */
  readonly calls: number;
}

export interface HookPromptOptions {
  /** Two prompt counts; the slope between them is the cost of one prompt. */
  readonly prompts: readonly [number, number];
  readonly rounds: number;
}

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** The per-prompt table, in markdown, with a line for each shell or hook that is missing and so skipped. */
export function hookPromptCost({ prompts, rounds }: HookPromptOptions): string {
  const root = mkdtempSync(join(tmpdir(), 'rolecall-bench-'));
  try {
    const world = makeWorld(root);
    const shells = (['bash', 'zsh'] as const).filter(has);
    const hooks: HookName[] = has('direnv') ? ['none', 'rolecall', 'direnv'] : ['none', 'rolecall'];
    const variants: Variant[] = [];
    for (const shell of shells) {
      for (const hook of hooks) variants.push({ shell, hook, motion: 'steady' });
      variants.push({ shell, hook: 'rolecall', motion: 'nofile' });
      variants.push({ shell, hook: 'none', motion: 'cd' }, { shell, hook: 'rolecall', motion: 'cd' });
    }
    const samples = new Map<Variant, number[]>();
    const calls = new Map<Variant, number>();
    for (let round = 0; round < rounds; round++) {
      // Round-robin, so a noisy neighbour hits every variant alike.
      for (const variant of variants) {
        const [small, large] = prompts.map((n) => timePrompts(world, variant, n));
        const slope = ((large as Timed).seconds - (small as Timed).seconds) / (prompts[1] - prompts[0]);
        samples.set(variant, [...(samples.get(variant) ?? []), slope * 1e6]);
        calls.set(variant, Math.max(calls.get(variant) ?? 0, (small as Timed).calls, (large as Timed).calls));
      }
    }
    const figures: Figure[] = variants.map((variant) => ({ variant, perPromptUs: median(samples.get(variant) ?? []), calls: calls.get(variant) ?? 0 }));
    const skipped = [
      ...(['bash', 'zsh'] as const).filter((shell) => !shells.includes(shell)).map((shell) => `skipped: ${shell} (not installed)`),
      ...(has('direnv') ? [] : ['skipped: direnv\'s hook (direnv is not installed; on Debian: apt-get install direnv)']),
    ];
    return report(figures, prompts, rounds) + skipped.map((line) => `${line}\n`).join('');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

interface World {
  readonly home: string;
  readonly project: string;
  readonly env: Record<string, string>;
  readonly callsFile: string;
}

/** A HOME with a profile that needs no network (credential_process), a trusted .awsprofile, and the counting wrapper. */
function makeWorld(base: string): World {
  const home = join(base, 'home');
  const project = join(home, 'src', 'team', 'project');
  mkdirSync(join(project, 'sub'), { recursive: true });
  mkdirSync(join(home, '.aws'), { recursive: true });
  writeFileSync(
    join(home, '.aws', 'config'),
    `[profile bench]\ncredential_process = printf '{"Version":1,"AccessKeyId":"AKIABENCH00000000000","SecretAccessKey":"benchbenchbenchbenchbenchbenchbenchbench","SessionToken":"benchtoken","Expiration":"2099-01-01T00:00:00Z"}'\nregion = eu-north-1\n`,
  );
  writeFileSync(join(project, '.awsprofile'), 'bench\n');
  const bin = join(base, 'bin');
  mkdirSync(bin);
  const callsFile = join(base, 'calls');
  writeFileSync(callsFile, '');
  writeFileSync(join(bin, 'rolecall'), `#!/bin/sh\necho x >> '${callsFile}'\nexec '${process.execPath}' '${rolecallBin}' "$@"\n`);
  chmodSync(join(bin, 'rolecall'), 0o755);
  const env: Record<string, string> = {
    PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: home,
    TERM: 'dumb',
    LANG: 'C.UTF-8',
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    ROLECALL_BACKEND: 'file',
    ROLECALL_FILE_PASSPHRASE: 'bench-passphrase-not-secret',
  };
  const allowed = spawnSync(process.execPath, [rolecallBin, 'allow', project], { env, encoding: 'utf8' });
  if (allowed.status !== 0) throw new Error(`rolecall allow failed: ${allowed.stderr}`);
  return { home, project, env, callsFile };
}

interface Timed {
  readonly seconds: number;
  readonly calls: number;
}

function timePrompts(world: World, variant: Variant, count: number): Timed {
  const { shell, hook, motion } = variant;
  const setup: string[] = [];
  if (shell === 'zsh') setup.push('zmodload zsh/datetime');
  if (hook === 'rolecall') setup.push(`. '${join(repoRoot, 'shell', `rolecall.${shell}`)}'`);
  if (hook === 'direnv') setup.push(`eval "$(direnv hook ${shell})"`);
  setup.push(`cd '${motion === 'nofile' ? world.home : world.project}'`, ':', ':');
  // The first prompts in the project ran hook-env; count from here.
  const lines = motion === 'cd' ? Array.from({ length: count }, (_, i) => (i % 2 === 0 ? 'cd sub' : 'cd ..')) : Array.from({ length: count }, () => ':');
  const script = [
    ...setup,
    `_calls_before=$(wc -l < '${world.callsFile}')`,
    '_t0=$EPOCHREALTIME',
    ...lines,
    '_t1=$EPOCHREALTIME',
    `echo "@@ $_t0 $_t1 $_calls_before $(wc -l < '${world.callsFile}')"`,
    'exit',
  ].join('\n');
  const args = shell === 'bash' ? ['--norc', '--noprofile', '-i'] : ['-f', '-i'];
  const result = spawnSync(shell, args, { input: `${script}\n`, env: world.env, cwd: world.home, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'], maxBuffer: 1 << 26 });
  const match = /@@ ([\d.,]+) ([\d.,]+) (\d+) (\d+)/.exec(result.stdout);
  if (!match) throw new Error(`${shell}/${hook}: no timing in the output: ${result.stdout.slice(-500)}`);
  const seconds = Number((match[2] as string).replace(',', '.')) - Number((match[1] as string).replace(',', '.'));
  // The last line's $(wc) is one subshell of the shell, not a rolecall run.
  return { seconds, calls: Number(match[4]) - Number(match[3]) };
}

function report(figures: readonly Figure[], prompts: readonly [number, number], rounds: number): string {
  const find = (shell: ShellName, hook: HookName, motion: Variant['motion']) =>
    figures.find((f) => f.variant.shell === shell && f.variant.hook === hook && f.variant.motion === motion);
  const rows: string[] = [
    `Per-prompt cost, slope over ${prompts[0]} -> ${prompts[1]} prompts, median of ${rounds} rounds (µs per prompt; budget: the rolecall hook alone at most 100 µs at an unchanged prompt)`,
    '',
    '| shell | case | per prompt | hook alone (minus no hook) | rolecall runs |',
    '|---|---|---:|---:|---:|',
  ];
  for (const shell of new Set(figures.map((f) => f.variant.shell))) {
    const none = find(shell, 'none', 'steady');
    const noneCd = find(shell, 'none', 'cd');
    const line = (label: string, figure: Figure | undefined, base: Figure | undefined) => {
      if (!figure) return;
      const alone = base && figure !== base ? (figure.perPromptUs - base.perPromptUs).toFixed(1) : '—';
      const runs = figure.variant.hook === 'rolecall' ? String(figure.calls) : '—';
      rows.push(`| ${shell} | ${label} | ${figure.perPromptUs.toFixed(1)} | ${alone} | ${runs} |`);
    };
    line('no hook, same directory', none, none);
    line('rolecall, same directory, no .awsprofile', find(shell, 'rolecall', 'nofile'), none);
    line('rolecall, same directory, profile active', find(shell, 'rolecall', 'steady'), none);
    line('direnv, same directory', find(shell, 'direnv', 'steady'), none);
    line('no hook, cd at each prompt', noneCd, noneCd);
    line('rolecall, cd under the same .awsprofile', find(shell, 'rolecall', 'cd'), noneCd);
  }
  return `${rows.join('\n')}\n`;
}
