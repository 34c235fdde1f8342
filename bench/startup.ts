/**
 * npm run bench:startup -- [--runs 7] [-- tm arguments…]
 * Wall time of whole `tm` processes (bin/tm.js, as a user runs it), median and min of several runs after one
 * warm-up. Without tm arguments: `node -e 0`, `tm --help` and `tm query price-changes` (on TM_DATA_DIR, or on
 * DATABASE_URL when set: seed it first with `tm demo seed`).
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { arg, machine, printTable } from './common.ts';

const runs = arg('runs', 7);
const dash = process.argv.indexOf('--', 2);
const custom = dash >= 0 ? [process.argv.slice(dash + 1)] : [];
const commands: string[][] = custom.length ? custom : [['--help'], ['query', 'price-changes']];

function wall(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function measure(args: string[]): { median: number; min: number } {
  wall(args); // warm-up: the OS file cache, not the process
  const t = Array.from({ length: runs }, () => wall(args)).sort((a, b) => a - b);
  return { median: t[Math.floor(t.length / 2)], min: t[0] };
}

const rows = [{ command: 'node -e 0', ...measure(['-e', '0']) }];
for (const c of commands) rows.push({ command: `tm ${c.join(' ')}`, ...measure(['bin/tm.js', ...c]) });
console.log(`${machine()}; ${process.env.DATABASE_URL ? 'server' : 'embedded'}; ${runs} runs`);
printTable(
  rows.map((r) => ({
    command: r.command,
    'median s': (r.median / 1000).toFixed(3),
    'min s': (r.min / 1000).toFixed(3),
  })),
);
