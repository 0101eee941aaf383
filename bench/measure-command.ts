/**
 * Runs commands round-robin (so a noisy neighbour hits every command alike)
 * and reports, per command, the mean wall time, CPU time (user + system) and
 * peak memory, read from GNU time. Figures are meant as ratios against a
 * baseline measured in the same run, never as absolute budgets.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CommandSpec {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env?: Record<string, string>;
}

export interface CommandFigures {
  readonly name: string;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssKb: number;
}

const GNU_TIME = '/usr/bin/time';

export function measureCommands(specs: readonly CommandSpec[], rounds: number, warmup = 3): CommandFigures[] {
  if (!existsSync(GNU_TIME)) throw new Error('bench needs GNU time (/usr/bin/time; Debian package "time")');
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-bench-'));
  const out = join(dir, 'time');
  const samples = specs.map(() => ({ wall: [] as number[], cpu: [] as number[], rss: [] as number[] }));
  try {
    for (let round = 0; round < warmup + rounds; round++) {
      specs.forEach((spec, index) => {
        const started = process.hrtime.bigint();
        const result = spawnSync(GNU_TIME, ['-f', '%U %S %M', '-o', out, ...spec.argv], { env: { ...process.env, ...spec.env }, stdio: 'ignore' });
        const wall = Number(process.hrtime.bigint() - started) / 1e6;
        if (result.status !== 0) throw new Error(`${spec.name} exited ${result.status}`);
        if (round < warmup) return;
        const [user, system, rss] = readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) as [number, number, number];
        samples[index]!.wall.push(wall);
        samples[index]!.cpu.push((user + system) * 1000);
        samples[index]!.rss.push(rss);
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return specs.map((spec, index) => ({
    name: spec.name,
    wallMs: median(samples[index]!.wall),
    cpuMs: mean(samples[index]!.cpu),
    maxRssKb: median(samples[index]!.rss),
  }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export function ratioTable(figures: readonly CommandFigures[], baseline: CommandFigures): string {
  const rows = figures.map(
    (f) =>
      `| ${f.name} | ${f.wallMs.toFixed(1)} ms | ${(f.wallMs / baseline.wallMs).toFixed(2)}x | ${f.cpuMs.toFixed(1)} ms | ${(f.cpuMs / baseline.cpuMs).toFixed(2)}x | ${(f.maxRssKb / 1024).toFixed(1)} MiB | ${(f.maxRssKb / baseline.maxRssKb).toFixed(2)}x |`,
  );
  return ['| command | wall (median) | wall ratio | CPU (mean) | CPU ratio | peak RSS | RSS ratio |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
}
