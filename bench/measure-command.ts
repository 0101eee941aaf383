/**
 * Runs commands round-robin (so a noisy neighbour hits every command alike),
 * after warm-up rounds that are not counted, and reports per command the
 * medians of wall time, CPU time (user + system) and peak memory, the last
 * two read from GNU time. Figures are meant as ratios against a baseline
 * measured in the same rounds, never as absolute budgets. Commands run
 * asynchronously: the recording STS proxy they may call lives in this process.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CommandSpec {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  /** Run before each of this command's runs, outside the timing (a cold run clears the cache here). */
  readonly before?: () => void;
  /** The most this command may cost as a multiple of the baseline's wall time (the budget), shown beside the ratio. */
  readonly budget?: number;
}

export interface CommandFigures {
  readonly spec: CommandSpec;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssKb: number;
}

const GNU_TIME = '/usr/bin/time';

export async function measureCommands(specs: readonly CommandSpec[], rounds: number, warmup = 3): Promise<CommandFigures[]> {
  if (!existsSync(GNU_TIME)) throw new Error('bench needs GNU time (/usr/bin/time; Debian package "time")');
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-bench-'));
  const out = join(dir, 'time');
  const samples = specs.map(() => ({ wall: [] as number[], cpu: [] as number[], rss: [] as number[] }));
  try {
    for (let round = 0; round < warmup + rounds; round++) {
      for (const [index, spec] of specs.entries()) {
        spec.before?.();
        const started = process.hrtime.bigint();
        const result = await runToEnd({ ...spec, argv: [GNU_TIME, '-f', '%U %S %M', '-o', out, ...spec.argv] });
        const wall = Number(process.hrtime.bigint() - started) / 1e6;
        if (result.status !== 0) throw new Error(`${spec.name} exited ${result.status}: ${result.stderr.slice(-500)}`);
        if (round < warmup) continue;
        const [user, system, rss] = readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) as [number, number, number];
        samples[index]!.wall.push(wall);
        samples[index]!.cpu.push((user + system) * 1000);
        samples[index]!.rss.push(rss);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return specs.map((spec, index) => ({
    spec,
    wallMs: median(samples[index]!.wall),
    cpuMs: median(samples[index]!.cpu),
    maxRssKb: median(samples[index]!.rss),
  }));
}

/**
 * The wall time of `count` copies of a command started at once, until the
 * last ends, against one alone, alternated round by round; `before` runs
 * ahead of each (outside the timing).
 */
export async function measureConcurrent(
  spec: CommandSpec,
  count: number,
  rounds: number,
  options: { readonly warmup?: number; readonly floor?: CommandSpec } = {},
): Promise<{ readonly oneMs: number; readonly manyMs: number; readonly floorMs?: number }> {
  const { warmup = 1, floor } = options;
  const one: number[] = [];
  const many: number[] = [];
  const floored: number[] = [];
  // The floor: one `spec` with count - 1 of `floor` beside it, what the machine's cores make of that many Node starts.
  const runs: Array<[readonly CommandSpec[], number[]]> = [
    [[spec], one],
    [Array.from({ length: count }, () => spec), many],
    ...(floor ? ([[[spec, ...Array.from({ length: count - 1 }, () => floor)], floored]] as Array<[readonly CommandSpec[], number[]]>) : []),
  ];
  for (let round = 0; round < warmup + rounds; round++) {
    for (const [specs, into] of runs) {
      spec.before?.();
      const started = process.hrtime.bigint();
      const results = await Promise.all(specs.map((each) => runToEnd(each)));
      const wall = Number(process.hrtime.bigint() - started) / 1e6;
      const failed = results.find((r) => r.status !== 0);
      if (failed) throw new Error(`${spec.name} (${specs.length} at once) exited ${failed.status}: ${failed.stderr.slice(-500)}`);
      if (round >= warmup) into.push(wall);
    }
  }
  return { oneMs: median(one), manyMs: median(many), ...(floor ? { floorMs: median(floored) } : {}) };
}

/** Runs a command to its end: its status and the end of its stderr. */
export function runToEnd(spec: Pick<CommandSpec, 'argv' | 'env' | 'cwd'>): Promise<{ readonly status: number | null; readonly stdout: string; readonly stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(spec.argv[0]!, spec.argv.slice(1), { env: spec.env ?? process.env, cwd: spec.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout = (stdout + chunk.toString()).slice(-4000)));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A markdown table: each command's medians and their ratios to the baseline's, and the budget where there is one. */
export function ratioTable(figures: readonly CommandFigures[], baseline: CommandFigures): string {
  const rows = figures.map((f) => {
    const ratio = f.wallMs / baseline.wallMs;
    const budget = f.spec.budget === undefined ? '' : `≤ ${f.spec.budget}x ${ratio <= f.spec.budget ? 'met' : 'MISSED'}`;
    return `| ${f.spec.name} | ${f.wallMs.toFixed(1)} ms | ${ratio.toFixed(2)}x | ${f.cpuMs.toFixed(1)} ms | ${(f.cpuMs / baseline.cpuMs).toFixed(2)}x | ${(f.maxRssKb / 1024).toFixed(1)} MiB | ${(f.maxRssKb / baseline.maxRssKb).toFixed(2)}x | ${budget} |`;
  });
  return ['| command | wall | × baseline | CPU | × baseline | peak RSS | × baseline | wall budget |', '|---|---:|---:|---:|---:|---:|---:|---|', ...rows].join('\n');
}
