// Benchmark: the strategy language and the backtest engine (docs/backtests.md).
//
//   node --import tsx bench/backtest.ts [--bars 1000000] [--sweep-bars 100000] [--runs 5]
//
// 1. One backtest of crosses_above(sma(close, 10), sma(close, 30)) / crosses_below(…) over `bars` one-minute
//    bars with commission 0.001 and a 5 % stop-loss: parsing, evaluating both rules, the engine and the
//    metrics (the median of `runs` timed runs after one untimed run). Goal: <= 0.5 s for 1,000,000 bars.
// 2. A sweep of 100 parameter combinations (fast 5..50 by 5 × slow 20..200 by 20) over `sweep-bars` bars, one
//    after another in this thread, then on worker threads as `tm backtest sweep` runs it. Goal: <= 5 s for 100,000 bars.
import { parseArgs } from 'node:util';
import { checkSettings, runBacktest } from '../src/analysis/backtest/index.ts';
import { defaultSweepThreads, sweepPool } from '../src/analysis/sweep-pool.ts';
import { generateSeries } from '../src/analysis/indicators/testing/series.ts';

const { values } = parseArgs({
  options: {
    bars: { type: 'string', default: '1000000' },
    'sweep-bars': { type: 'string', default: '100000' },
    runs: { type: 'string', default: '5' },
  },
});
const bars = Number(values.bars);
const sweepBars = Number(values['sweep-bars']);
const runs = Number(values.runs);

const ENTRY = 'crosses_above(sma(close, $fast), sma(close, $slow))';
const EXIT = 'crosses_below(sma(close, $fast), sma(close, $slow))';
const SETTINGS = { commission: 0.001, stopLoss: 0.05 };

function once(series: ReturnType<typeof generateSeries>, fast: number, slow: number): number {
  const r = runBacktest({
    entry: ENTRY,
    exit: EXIT,
    bars: series,
    interval: '1m',
    params: { fast, slow },
    settings: SETTINGS,
  });
  return r.trades.length;
}

const big = generateSeries(bars, { seed: 1 });
once(big, 10, 30);
const times: number[] = [];
const cpu: number[] = [];
let trades = 0;
for (let k = 0; k < runs; k++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  trades = once(big, 10, 30);
  const c = process.cpuUsage(c0);
  times.push(performance.now() - t0);
  cpu.push((c.user + c.system) / 1000);
}
cpu.sort((a, b) => a - b);
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(
  `single run: ${bars.toLocaleString('en')} bars, ${trades} trades, median ${median.toFixed(0)} ms ` +
    `(min ${times[0].toFixed(0)}, max ${times.at(-1)?.toFixed(0)}) = ${(((bars / median) * 1000) / 1e6).toFixed(1)} M bars/s (goal <= 500 ms); CPU time median ${cpu[Math.floor(cpu.length / 2)].toFixed(0)} ms`,
);

const small = generateSeries(sweepBars, { seed: 2 });
once(small, 5, 20);
const t0 = performance.now();
const c0 = process.cpuUsage();
let combos = 0;
for (let fast = 5; fast <= 50; fast += 5) {
  for (let slow = 20; slow <= 200; slow += 20) {
    once(small, fast, slow);
    combos++;
  }
}
const sweepMs = performance.now() - t0;
const sweepCpu = process.cpuUsage(c0);
console.log(
  `sweep: ${combos} combinations × ${sweepBars.toLocaleString('en')} bars in ${sweepMs.toFixed(0)} ms, one thread ` +
    `= ${((((combos * sweepBars) / sweepMs) * 1000) / 1e6).toFixed(1)} M bars/s (goal <= 5,000 ms); CPU time ${((sweepCpu.user + sweepCpu.system) / 1000).toFixed(0)} ms`,
);

// 3. The same sweep as `tm backtest sweep` runs it: on worker threads (one per core), the bars shared.
const threads = defaultSweepThreads();
const pool = sweepPool({ threads });
const grid: Record<string, number>[] = [];
for (let fast = 5; fast <= 50; fast += 5) for (let slow = 20; slow <= 200; slow += 20) grid.push({ fast, slow });
const task = {
  entry: ENTRY,
  exit: EXIT,
  bars: small,
  interval: '1m' as const,
  params: {},
  combinations: grid,
  settings: checkSettings(SETTINGS),
  parts: [[0, sweepBars]] as [number, number][],
  other: {},
};
await pool.run({ ...task, combinations: grid.slice(0, threads) }); // threads started and warm
const p0 = performance.now();
await pool.run(task);
const poolMs = performance.now() - p0;
await pool.close();
console.log(
  `sweep on ${threads} worker threads: ${grid.length} combinations × ${sweepBars.toLocaleString('en')} bars in ` +
    `${poolMs.toFixed(0)} ms = ${((((grid.length * sweepBars) / poolMs) * 1000) / 1e6).toFixed(1)} M bars/s (goal <= 5,000 ms)`,
);
