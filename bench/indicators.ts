// Benchmark: our ten indicators against TA-Lib's C library (built here with gcc -O2 from the ta-lib sources in
// the `talib` package: bench/talib-c), TA-Lib's Node binding, technicalindicators, trading-signals and
// @ixjb94/indicators, on one seeded series.
//
//   node --import tsx bench/indicators.ts [--bars 1000000] [--runs 7] [--only rsi,macd]
//                                         [--libs ours,ours-into,talib-c] [--clock wall|cpu] [--out DIR]
//
// Each cell is the median wall time (ms) of `runs` timed runs, after untimed
// warm-up calls (ten on 5,000 bars, one full-size), and the ratio to ours
// (> 1: the library is slower).
// For each indicator the timed runs go round-robin over the libraries.
// Inputs are prepared once per library in its native form (Float64Array for
// ours, number[] for the others, candle objects for trading-signals), outside
// the timing. Every computation produces the whole output series.
// Output arrays: `ours` allocates them in each call; `ours-into` writes into
// arrays allocated once (the ...Into API); `talib-c` mallocs them in each
// call, as a C caller of TA-Lib does (freeing is not timed on either side);
// `talib-c-reuse` writes into arrays allocated once, like ours-into: the
// computation alone, the strictest comparison.
// --clock cpu times process CPU time instead of wall time on both sides (steadier on a busy machine; the
// issue's figures are wall time).
// Figures and a chart (ours and ours-into against TA-Lib C) go to docs/bench/indicators.{json,svg}.
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as ti from 'technicalindicators';
import * as ts from 'trading-signals';
import { IndicatorsSync } from '@ixjb94/indicators';
import {
  adx,
  adxInto,
  atr,
  atrInto,
  bbands,
  bbandsInto,
  cci,
  cciInto,
  ema,
  emaInto,
  macd,
  macdInto,
  obv,
  obvInto,
  rsi,
  rsiInto,
  sma,
  smaInto,
  stoch,
  stochInto,
} from '../src/analysis/indicators/index.ts';
import { generateSeries } from '../src/analysis/indicators/testing/series.ts';
import { ratio, writeReport } from './report.ts';
import { TalibC } from './talib-c/client.ts';

interface TalibResult {
  begIndex: number;
  nbElement: number;
  result: Record<string, number[]>;
}
const require = createRequire(import.meta.url);
const talib = require('talib') as { execute(params: Record<string, unknown>): TalibResult };

// A collectable heap between runs keeps one run's garbage out of the next one's time.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1)
    throw new RangeError(`${name} must be a positive integer, got ${process.argv[i + 1]}`);
  return v;
}
function argList(name: string): string[] | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : String(process.argv[i + 1]).split(',');
}

const bars = argValue('--bars', 1_000_000);
const runs = argValue('--runs', 7);
const only = argList('--only');
const libsWanted = argList('--libs');
const clock = argList('--clock')?.[0] ?? 'wall';
if (clock !== 'wall' && clock !== 'cpu') throw new RangeError(`--clock must be wall or cpu, got ${clock}`);

interface Candle {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** One data set in every library's native input form. */
interface Data {
  n: number;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  // Plain arrays for the libraries that take number[].
  H: number[];
  L: number[];
  C: number[];
  V: number[];
  // Candle objects for trading-signals' streaming API.
  candles: Candle[];
  // Output arrays for the ...Into calls, allocated once.
  o1: Float64Array;
  o2: Float64Array;
  o3: Float64Array;
}

/** The libraries that take plain arrays or candle objects (the other inputs are Float64Arrays). */
const PLAIN_LIBS = ['talib', 'technicalindicators', 'trading-signals', '@ixjb94/indicators'];

function makeData(n: number): Data {
  const s = generateSeries(n, { seed: 12345 });
  // Plain arrays and a million candle objects only when a library needs them: a large heap makes every
  // gc() between runs, and its background work, slower for everyone.
  const plain = !libsWanted || libsWanted.some((l) => PLAIN_LIBS.includes(l));
  const C = plain ? Array.from(s.close) : [];
  const H = plain ? Array.from(s.high) : [];
  const L = plain ? Array.from(s.low) : [];
  const V = plain ? Array.from(s.volume) : [];
  const candles = C.map((c, i) => ({ open: s.open[i], high: H[i], low: L[i], close: c, volume: V[i] }));
  const out = () => new Float64Array(n);
  return {
    n,
    high: s.high,
    low: s.low,
    close: s.close,
    volume: s.volume,
    H,
    L,
    C,
    V,
    candles,
    o1: out(),
    o2: out(),
    o3: out(),
  };
}

const full = makeData(bars);
// A small set for cheap JIT warm-up calls.
const small = makeData(Math.min(bars, 5000));

const ixjb = new IndicatorsSync();
const taExec = (
  d: Data,
  name: string,
  inputs: Record<string, number[]>,
  opts: Record<string, number> = {},
): TalibResult => talib.execute({ name, startIdx: 0, endIdx: d.n - 1, ...inputs, ...opts });

/** Streams values through a trading-signals indicator, storing each result. */
function stream<I>(
  ind: { add(x: I): unknown; getResult(): unknown },
  inputs: I[],
  pick: (ind: never) => number,
): Float64Array {
  const out = new Float64Array(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    out[i] = ind.add(inputs[i]) === null ? NaN : pick(ind as never);
  }
  return out;
}
const resultOf = (ind: { getResult(): unknown }): number => ind.getResult() as number;

type Job = (d: Data) => unknown;
const LIBS = [
  'ours',
  'ours-into',
  'talib-c',
  'talib-c-reuse',
  'talib',
  'technicalindicators',
  'trading-signals',
  '@ixjb94/indicators',
] as const;
type Lib = (typeof LIBS)[number];
/** The harness's name for each indicator: its C side is timed there, not by a Job. */
const C_NAMES: Record<string, string> = {
  'sma(20)': 'sma',
  'ema(20)': 'ema',
  'rsi(14)': 'rsi',
  'macd(12,26,9)': 'macd',
  'bbands(20,2)': 'bbands',
  'atr(14)': 'atr',
  obv: 'obv',
  'stoch(14,3,3)': 'stoch',
  'adx(14)': 'adx',
  'adx(14) vs ADX line only': 'adx-only',
  'cci(20)': 'cci',
};
const macdOut = (d: Data) => ({ macd: d.o1, signal: d.o2, histogram: d.o3 });

const jobs: Record<string, Partial<Record<Lib, Job>>> = {
  'sma(20)': {
    ours: (d) => sma(d.close, 20),
    'ours-into': (d) => smaInto(d.o1, d.close, 20),
    technicalindicators: (d) => ti.sma({ period: 20, values: d.C }),
    'trading-signals': (d) => stream(new ts.SMA(20), d.C, resultOf),
    '@ixjb94/indicators': (d) => ixjb.sma(d.C, 20),
    talib: (d) => taExec(d, 'SMA', { inReal: d.C }, { optInTimePeriod: 20 }),
  },
  'ema(20)': {
    ours: (d) => ema(d.close, 20),
    'ours-into': (d) => emaInto(d.o1, d.close, 20),
    technicalindicators: (d) => ti.ema({ period: 20, values: d.C }),
    'trading-signals': (d) => stream(new ts.EMA(20), d.C, resultOf),
    '@ixjb94/indicators': (d) => ixjb.ema(d.C, 20),
    talib: (d) => taExec(d, 'EMA', { inReal: d.C }, { optInTimePeriod: 20 }),
  },
  'rsi(14)': {
    ours: (d) => rsi(d.close, 14),
    'ours-into': (d) => rsiInto(d.o1, d.close, 14),
    technicalindicators: (d) => ti.rsi({ period: 14, values: d.C }),
    'trading-signals': (d) => stream(new ts.RSI(14), d.C, resultOf),
    '@ixjb94/indicators': (d) => ixjb.rsi(d.C, 14),
    talib: (d) => taExec(d, 'RSI', { inReal: d.C }, { optInTimePeriod: 14 }),
  },
  'macd(12,26,9)': {
    ours: (d) => macd(d.close, 12, 26, 9),
    'ours-into': (d) => macdInto(macdOut(d), d.close, 12, 26, 9),
    technicalindicators: (d) =>
      ti.macd({
        values: d.C,
        fastPeriod: 12,
        slowPeriod: 26,
        signalPeriod: 9,
        SimpleMAOscillator: false,
        SimpleMASignal: false,
      }),
    'trading-signals': (d) =>
      stream(
        new ts.MACD(new ts.EMA(12), new ts.EMA(26), new ts.EMA(9)),
        d.C,
        (m: { getResult(): { histogram: number } }) => m.getResult().histogram,
      ),
    '@ixjb94/indicators': (d) => ixjb.macd(d.C, 12, 26, 9),
    talib: (d) =>
      taExec(d, 'MACD', { inReal: d.C }, { optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 }),
  },
  'bbands(20,2)': {
    ours: (d) => bbands(d.close, 20, 2),
    'ours-into': (d) => bbandsInto({ upper: d.o1, middle: d.o2, lower: d.o3 }, d.close, 20, 2),
    technicalindicators: (d) => ti.bollingerbands({ period: 20, stdDev: 2, values: d.C }),
    'trading-signals': (d) =>
      stream(new ts.BollingerBands(20, 2), d.C, (b: { getResult(): { upper: number } }) => b.getResult().upper),
    '@ixjb94/indicators': (d) => ixjb.bbands(d.C, 20, 2),
    talib: (d) =>
      taExec(d, 'BBANDS', { inReal: d.C }, { optInTimePeriod: 20, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0 }),
  },
  'atr(14)': {
    ours: (d) => atr(d.high, d.low, d.close, 14),
    'ours-into': (d) => atrInto(d.o1, d.high, d.low, d.close, 14),
    technicalindicators: (d) => ti.atr({ period: 14, high: d.H, low: d.L, close: d.C }),
    'trading-signals': (d) => stream(new ts.ATR(14), d.candles, resultOf),
    '@ixjb94/indicators': (d) => ixjb.atr(d.H, d.L, d.C, 14),
    talib: (d) => taExec(d, 'ATR', { high: d.H, low: d.L, close: d.C }, { optInTimePeriod: 14 }),
  },
  obv: {
    ours: (d) => obv(d.close, d.volume),
    'ours-into': (d) => obvInto(d.o1, d.close, d.volume),
    technicalindicators: (d) => ti.obv({ close: d.C, volume: d.V }),
    'trading-signals': (d) => stream(new ts.OBV(2), d.candles, resultOf),
    '@ixjb94/indicators': (d) => ixjb.obv(d.C, d.V),
    talib: (d) => taExec(d, 'OBV', { inReal: d.C, volume: d.V }),
  },
  'stoch(14,3,3)': {
    ours: (d) => stoch(d.high, d.low, d.close, 14, 3, 3),
    'ours-into': (d) => stochInto({ k: d.o1, d: d.o2 }, d.high, d.low, d.close, 14, 3, 3),
    // technicalindicators only has the fast stochastic (%K unsmoothed, %D = SMA(3)).
    technicalindicators: (d) => ti.stochastic({ period: 14, signalPeriod: 3, high: d.H, low: d.L, close: d.C }),
    'trading-signals': (d) =>
      stream(
        new ts.StochasticOscillator({ kPeriod: 14, kSlowingPeriod: 3, dPeriod: 3 }),
        d.candles,
        (s: { getResult(): { stochD: number } }) => s.getResult().stochD,
      ),
    '@ixjb94/indicators': (d) => ixjb.stoch(d.H, d.L, d.C, 14, 3, 3),
    talib: (d) =>
      taExec(
        d,
        'STOCH',
        { high: d.H, low: d.L, close: d.C },
        {
          optInFastK_Period: 14,
          optInSlowK_Period: 3,
          optInSlowK_MAType: 0,
          optInSlowD_Period: 3,
          optInSlowD_MAType: 0,
        },
      ),
  },
  // Ours, technicalindicators and trading-signals also produce +DI/-DI; ixjb94's and TA-Lib's ADX only the ADX line.
  'adx(14)': {
    ours: (d) => adx(d.high, d.low, d.close, 14),
    'ours-into': (d) => adxInto({ adx: d.o1, plusDI: d.o2, minusDI: d.o3 }, d.high, d.low, d.close, 14),
    technicalindicators: (d) => ti.adx({ period: 14, high: d.H, low: d.L, close: d.C }),
    'trading-signals': (d) => stream(new ts.ADX(14), d.candles, resultOf),
    '@ixjb94/indicators': (d) => ixjb.adx(d.H, d.L, 14),
    talib: (d) => taExec(d, 'ADX', { high: d.H, low: d.L, close: d.C }, { optInTimePeriod: 14 }),
  },
  // TA-Lib's C side computes only the ADX line here (one call instead of ADX, PLUS_DI and MINUS_DI); ours still
  // computes all three: the strictest comparison.
  'adx(14) vs ADX line only': {
    ours: (d) => adx(d.high, d.low, d.close, 14),
    'ours-into': (d) => adxInto({ adx: d.o1, plusDI: d.o2, minusDI: d.o3 }, d.high, d.low, d.close, 14),
  },
  'cci(20)': {
    ours: (d) => cci(d.high, d.low, d.close, 20),
    'ours-into': (d) => cciInto(d.o1, d.high, d.low, d.close, 20),
    technicalindicators: (d) => ti.cci({ period: 20, high: d.H, low: d.L, close: d.C }),
    'trading-signals': (d) => stream(new ts.CCI(20), d.candles, resultOf),
    '@ixjb94/indicators': (d) => ixjb.cci(d.H, d.L, d.C, 20),
    talib: (d) => taExec(d, 'CCI', { high: d.H, low: d.L, close: d.C }, { optInTimePeriod: 20 }),
  },
};

let sink = 0; // keeps results observable so no run can be optimised away
function now(): number {
  if (clock === 'wall') return performance.now();
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}
function time(job: Job, d: Data = full): number {
  const t0 = now();
  const r = job(d);
  const t = now() - t0;
  sink += r === undefined ? 0 : 1;
  return t;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** One library's timed calls for one indicator. */
interface Runner {
  lib: Lib;
  sample(): Promise<number>;
  samples: number[];
}

/** A pause after gc() so that V8's background sweeping is over before the timed call starts. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 10));

function jsRunner(lib: Lib, job: Job): Runner {
  // Untimed: ten calls on a small set let the JIT settle cheaply, then one full-size call.
  for (let w = 0; w < 10; w++) job(small);
  time(job);
  return {
    lib,
    sample: async () => {
      // A collection first, so one run's garbage is not collected during the next. An ...Into call makes no
      // garbage, and a gc() right before it only adds V8's own after-effects to its time.
      if (lib !== 'ours-into') {
        gc();
        await settle();
      }
      return time(job);
    },
    samples: [],
  };
}

async function cRunner(c: TalibC, lib: 'talib-c' | 'talib-c-reuse', name: string): Promise<Runner> {
  const reuse = lib === 'talib-c-reuse';
  await c.time(name, 1, reuse); // untimed warm-up
  return { lib, sample: async () => (await c.time(name, 1, reuse))[0], samples: [] };
}

const wanted = (lib: Lib) => !libsWanted || libsWanted.includes(lib);
let harness: TalibC | undefined;
let harnessError = '';
if (wanted('talib-c') || wanted('talib-c-reuse')) {
  try {
    harness = TalibC.start(full, clock);
  } catch (err) {
    harnessError = `error: ${(err as Error).message}`;
    process.stderr.write(`${harnessError}\n`);
  }
}

const results: Record<string, Partial<Record<Lib, number | string>>> = {};
/** Every timed run (ms), for the JSON: the spread says how much the median can be trusted. */
const timings: Record<string, Partial<Record<Lib, number[]>>> = {};
for (const [name, byLib] of Object.entries(jobs)) {
  if (only && !only.some((o) => name.startsWith(o))) continue;
  results[name] = {};
  timings[name] = {};
  const active: Runner[] = [];
  for (const lib of LIBS) {
    if (!wanted(lib)) continue;
    try {
      if (lib === 'talib-c' || lib === 'talib-c-reuse') {
        if (!harness) results[name][lib] = harnessError;
        else active.push(await cRunner(harness, lib, C_NAMES[name]));
        continue;
      }
      const job = byLib[lib];
      if (!job) {
        results[name][lib] = 'n/a';
        continue;
      }
      active.push(jsRunner(lib, job));
    } catch (err) {
      results[name][lib] = `error: ${(err as Error).message}`;
    }
  }
  // Runs are interleaved across libraries so that a change in machine load
  // affects them alike instead of landing on one library's runs.
  for (let r = 0; r < runs; r++) {
    for (const a of active) a.samples.push(await a.sample());
  }
  for (const { lib, samples } of active) {
    results[name][lib] = median(samples);
    timings[name][lib] = samples.map((t) => Number(t.toFixed(3)));
    process.stderr.write(
      `${name} ${lib}: ${(results[name][lib] as number).toFixed(2)} ms (min ${Math.min(...samples).toFixed(2)})\n`,
    );
  }
}
harness?.close();

function cell(v: number | string | undefined, ours: number | string | undefined): string {
  if (typeof v !== 'number') return v ?? 'n/a';
  const ms = v < 10 ? v.toFixed(2) : v.toFixed(1);
  if (typeof ours !== 'number') return ms;
  return `${ms} (${(v / ours).toFixed(1)}x)`;
}
const shown = LIBS.filter(wanted);
// Ours over TA-Lib C (the measure, goal ≤ 1.5): each of our APIs against C as it ran.
const vsC: [string, Lib, Lib][] = [
  ['ours / C', 'ours', 'talib-c'],
  ['into / C', 'ours-into', 'talib-c'],
  ['into / C reused', 'ours-into', 'talib-c-reuse'],
];
const quotient = (a: number | string | undefined, b: number | string | undefined): string =>
  typeof a === 'number' && typeof b === 'number' ? `${(a / b).toFixed(2)}` : '';
const ratioCols = vsC.filter(([, a, b]) => wanted(a) && wanted(b));
const header = ['indicator', ...shown, ...ratioCols.map(([h]) => h)];
const rows = Object.entries(results).map(([name, r]) => [
  name,
  ...shown.map((lib) => cell(r[lib], r.ours)),
  ...ratioCols.map(([, a, b]) => quotient(r[a], r[b])),
]);
const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
const line = (cols: string[]): string => `| ${cols.map((v, c) => v.padEnd(widths[c])).join(' | ')} |`;
console.log(
  `\n${bars.toLocaleString('en-US')} bars, median of ${runs} runs after warm-up, ms of ${clock} time (ratio to ours); Node ${process.version}`,
);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));

// The chart: ours (both APIs) against TA-Lib C (goal: ours ≤ 1.5× C). The note compares like with like at
// its strictest: ours-into against C writing into reused arrays (or C as a caller allocates, if not measured).
const num = (v: number | string | undefined): number | undefined => (typeof v === 'number' ? v : undefined);
const SERIES_NAMES: Partial<Record<Lib, string>> = {
  ours: 'ours',
  'ours-into': 'ours, ...Into',
  'talib-c': 'TA-Lib C',
  'talib-c-reuse': 'TA-Lib C, reused',
};
const groups = Object.entries(results).flatMap(([name, r]) => {
  const bars = (['ours', 'ours-into', 'talib-c', 'talib-c-reuse'] as const)
    .filter((lib) => num(r[lib]) !== undefined)
    .map((lib) => ({ series: SERIES_NAMES[lib] as string, value: num(r[lib]) as number }));
  const c = num(r['talib-c-reuse']) ?? num(r['talib-c']);
  const best = num(r['ours-into']) ?? num(r.ours);
  return bars.length ? [{ label: name, bars, note: c && best ? `${ratio(best, c)} C` : undefined }] : [];
});
if (groups.some((g) => g.note)) {
  writeReport({
    name: 'indicators',
    title: `Indicators on ${bars.toLocaleString('en-US')} bars: ours vs TA-Lib's C library`,
    unit: `ms of ${clock} time, median of ${runs}`,
    better: 'lower',
    groups,
    details: { bars, runs, clock, node: process.version, results, timings },
  });
}
if (sink < 0) console.log(sink);
