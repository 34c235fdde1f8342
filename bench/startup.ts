/**
 * npm run bench:startup -- [--runs 7] [--phases] [-- tm arguments…]
 * Wall time of whole `tm` processes (bin/tm.js, as a user runs it; run `npm run build` first), median and min
 * of several runs after one warm-up. Without tm arguments: `node -e 0`, `tm --help` and `tm query price-changes`
 * (on TM_DATA_DIR, or on DATABASE_URL when set: seed it first with `tm demo seed`). --phases: where the time
 * of `tm query price-changes` goes inside one process, one fresh process per run.
 * Figures and chart: docs/bench/startup.{json,svg} (startup-phases with --phases; --out DIR elsewhere).
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { arg, machine, printTable } from './common.ts';
import { writeReport } from './report.ts';

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

if (process.argv.includes('--phases')) {
  const runPhases = (): Record<string, number> => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/startup-phases.ts'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`phases: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  runPhases(); // warm-up
  const all = Array.from({ length: runs }, runPhases);
  console.log(`${machine()}; ${process.env.DATABASE_URL ? 'server' : 'embedded'}; ${runs} runs (ms, median)`);
  const phases = Object.keys(all[0]).map((phase) => {
    const t = all.map((p) => p[phase]).sort((a, b) => a - b);
    return { phase, median: t[Math.floor(t.length / 2)], min: t[0] };
  });
  printTable(phases.map((p) => ({ phase: p.phase, 'median ms': p.median.toFixed(0), 'min ms': p.min.toFixed(0) })));
  writeReport({
    name: 'startup-phases',
    title: 'Where the time of tm query price-changes goes',
    unit: `ms, median of ${runs}`,
    better: 'lower',
    groups: phases.map((p) => ({ label: p.phase, bars: [{ series: 'median', value: p.median }] })),
    details: { runs, backend: process.env.DATABASE_URL ? 'server' : 'embedded', phases },
  });
  process.exit(0);
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
writeReport({
  name: 'startup',
  title: 'Start-up: whole tm processes',
  unit: `ms, ${runs} runs`,
  better: 'lower',
  groups: rows.map((r) => ({
    label: r.command,
    bars: [
      { series: 'median', value: r.median },
      { series: 'min', value: r.min },
    ],
  })),
  details: { runs, backend: process.env.DATABASE_URL ? 'server' : 'embedded', rows },
});
