// Benchmark: our ten indicators against technicalindicators, trading-signals,
// @ixjb94/indicators and TA-Lib's native binding, on one seeded series.
//
//   node --import tsx bench/indicators.ts [--bars 1000000] [--runs 5] [--only rsi,macd]
//
// Each cell is the median wall time (ms) of `runs` timed runs after two
// untimed warm-up runs, and the ratio to ours (> 1: the library is slower).
// Inputs are prepared once per library in its native form (Float64Array for
// ours, number[] for the others, candle objects for trading-signals), outside
// the timing. Every computation produces the whole output series.
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as ti from 'technicalindicators';
import * as ts from 'trading-signals';
import { IndicatorsSync } from '@ixjb94/indicators';
import { adx, atr, bbands, cci, ema, macd, obv, rsi, sma, stoch } from '../src/analysis/indicators/index.ts';
import { generateSeries } from '../src/analysis/indicators/testing/series.ts';

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
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${process.argv[i + 1]}`);
  return v;
}
function argList(name: string): string[] | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : String(process.argv[i + 1]).split(',');
}

const bars = argValue('--bars', 1_000_000);
const runs = argValue('--runs', 5);
const only = argList('--only');
const WARMUP = 2;

const series = generateSeries(bars, { seed: 12345 });
const { high, low, close, volume } = series;
// Plain arrays for the libraries that take number[].
const H = Array.from(high);
const L = Array.from(low);
const C = Array.from(close);
const V = Array.from(volume);
// Candle objects for trading-signals' streaming API.
const candles = C.map((c, i) => ({ open: series.open[i], high: H[i], low: L[i], close: c, volume: V[i] }));

const ixjb = new IndicatorsSync();
const taExec = (name: string, inputs: Record<string, number[]>, opts: Record<string, number> = {}): TalibResult =>
  talib.execute({ name, startIdx: 0, endIdx: bars - 1, ...inputs, ...opts });

/** Streams values through a trading-signals indicator, storing each result. */
function stream<I>(ind: { add(x: I): unknown; getResult(): unknown }, inputs: I[], pick: (ind: never) => number): Float64Array {
  const out = new Float64Array(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    out[i] = ind.add(inputs[i]) === null ? NaN : pick(ind as never);
  }
  return out;
}
const resultOf = (ind: { getResult(): unknown }): number => ind.getResult() as number;

type Job = () => unknown;
const LIBS = ['ours', 'technicalindicators', 'trading-signals', '@ixjb94/indicators', 'talib'] as const;
type Lib = (typeof LIBS)[number];

const jobs: Record<string, Partial<Record<Lib, Job>>> = {
  'sma(20)': {
    ours: () => sma(close, 20),
    technicalindicators: () => ti.sma({ period: 20, values: C }),
    'trading-signals': () => stream(new ts.SMA(20), C, resultOf),
    '@ixjb94/indicators': () => ixjb.sma(C, 20),
    talib: () => taExec('SMA', { inReal: C }, { optInTimePeriod: 20 }),
  },
  'ema(20)': {
    ours: () => ema(close, 20),
    technicalindicators: () => ti.ema({ period: 20, values: C }),
    'trading-signals': () => stream(new ts.EMA(20), C, resultOf),
    '@ixjb94/indicators': () => ixjb.ema(C, 20),
    talib: () => taExec('EMA', { inReal: C }, { optInTimePeriod: 20 }),
  },
  'rsi(14)': {
    ours: () => rsi(close, 14),
    technicalindicators: () => ti.rsi({ period: 14, values: C }),
    'trading-signals': () => stream(new ts.RSI(14), C, resultOf),
    '@ixjb94/indicators': () => ixjb.rsi(C, 14),
    talib: () => taExec('RSI', { inReal: C }, { optInTimePeriod: 14 }),
  },
  'macd(12,26,9)': {
    ours: () => macd(close, 12, 26, 9),
    technicalindicators: () =>
      ti.macd({ values: C, fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, SimpleMAOscillator: false, SimpleMASignal: false }),
    'trading-signals': () =>
      stream(new ts.MACD(new ts.EMA(12), new ts.EMA(26), new ts.EMA(9)), C, (m: { getResult(): { histogram: number } }) => m.getResult().histogram),
    '@ixjb94/indicators': () => ixjb.macd(C, 12, 26, 9),
    talib: () => taExec('MACD', { inReal: C }, { optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 }),
  },
  'bbands(20,2)': {
    ours: () => bbands(close, 20, 2),
    technicalindicators: () => ti.bollingerbands({ period: 20, stdDev: 2, values: C }),
    'trading-signals': () => stream(new ts.BollingerBands(20, 2), C, (b: { getResult(): { upper: number } }) => b.getResult().upper),
    '@ixjb94/indicators': () => ixjb.bbands(C, 20, 2),
    talib: () => taExec('BBANDS', { inReal: C }, { optInTimePeriod: 20, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0 }),
  },
  'atr(14)': {
    ours: () => atr(high, low, close, 14),
    technicalindicators: () => ti.atr({ period: 14, high: H, low: L, close: C }),
    'trading-signals': () => stream(new ts.ATR(14), candles, resultOf),
    '@ixjb94/indicators': () => ixjb.atr(H, L, C, 14),
    talib: () => taExec('ATR', { high: H, low: L, close: C }, { optInTimePeriod: 14 }),
  },
  obv: {
    ours: () => obv(close, volume),
    technicalindicators: () => ti.obv({ close: C, volume: V }),
    'trading-signals': () => stream(new ts.OBV(2), candles, resultOf),
    '@ixjb94/indicators': () => ixjb.obv(C, V),
    talib: () => taExec('OBV', { inReal: C, volume: V }),
  },
  'stoch(14,3,3)': {
    ours: () => stoch(high, low, close, 14, 3, 3),
    // technicalindicators only has the fast stochastic (%K unsmoothed, %D = SMA(3)).
    technicalindicators: () => ti.stochastic({ period: 14, signalPeriod: 3, high: H, low: L, close: C }),
    'trading-signals': () =>
      stream(
        new ts.StochasticOscillator({ kPeriod: 14, kSlowingPeriod: 3, dPeriod: 3 }),
        candles,
        (s: { getResult(): { stochD: number } }) => s.getResult().stochD,
      ),
    '@ixjb94/indicators': () => ixjb.stoch(H, L, C, 14, 3, 3),
    talib: () =>
      taExec('STOCH', { high: H, low: L, close: C }, {
        optInFastK_Period: 14,
        optInSlowK_Period: 3,
        optInSlowK_MAType: 0,
        optInSlowD_Period: 3,
        optInSlowD_MAType: 0,
      }),
  },
  // Ours, technicalindicators and trading-signals also produce +DI/-DI; ixjb94's and TA-Lib's ADX only the ADX line.
  'adx(14)': {
    ours: () => adx(high, low, close, 14),
    technicalindicators: () => ti.adx({ period: 14, high: H, low: L, close: C }),
    'trading-signals': () => stream(new ts.ADX(14), candles, resultOf),
    '@ixjb94/indicators': () => ixjb.adx(H, L, 14),
    talib: () => taExec('ADX', { high: H, low: L, close: C }, { optInTimePeriod: 14 }),
  },
  'cci(20)': {
    ours: () => cci(high, low, close, 20),
    technicalindicators: () => ti.cci({ period: 20, high: H, low: L, close: C }),
    'trading-signals': () => stream(new ts.CCI(20), candles, resultOf),
    '@ixjb94/indicators': () => ixjb.cci(H, L, C, 20),
    talib: () => taExec('CCI', { high: H, low: L, close: C }, { optInTimePeriod: 20 }),
  },
};

let sink = 0; // keeps results observable so no run can be optimised away
function time(job: Job): number {
  gc();
  const t0 = performance.now();
  const r = job();
  const t = performance.now() - t0;
  sink += r === undefined ? 0 : 1;
  return t;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const results: Record<string, Partial<Record<Lib, number | string>>> = {};
for (const [name, byLib] of Object.entries(jobs)) {
  if (only && !only.some((o) => name.startsWith(o))) continue;
  results[name] = {};
  for (const lib of LIBS) {
    const job = byLib[lib];
    if (!job) {
      results[name][lib] = 'n/a';
      continue;
    }
    try {
      for (let w = 0; w < WARMUP; w++) time(job); // untimed: lets the JIT settle
      const samples: number[] = [];
      for (let r = 0; r < runs; r++) samples.push(time(job));
      results[name][lib] = median(samples);
    } catch (err) {
      results[name][lib] = `error: ${(err as Error).message}`;
    }
    process.stderr.write(`${name} ${lib}: ${typeof results[name][lib] === 'number' ? (results[name][lib] as number).toFixed(2) + ' ms' : results[name][lib]}\n`);
  }
}

function cell(v: number | string | undefined, ours: number | string | undefined): string {
  if (typeof v !== 'number') return v ?? 'n/a';
  if (typeof ours !== 'number') return v.toFixed(1);
  return `${v.toFixed(1)} (${(v / ours).toFixed(1)}x)`;
}
const header = ['indicator', ...LIBS];
const rows = Object.entries(results).map(([name, r]) => [name, ...LIBS.map((lib) => cell(r[lib], r.ours))]);
const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
const line = (cols: string[]): string => '| ' + cols.map((v, c) => v.padEnd(widths[c])).join(' | ') + ' |';
console.log(`\n${bars.toLocaleString('en-US')} bars, median of ${runs} runs after ${WARMUP} warm-ups, ms (ratio to ours); Node ${process.version}`);
console.log(line(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const row of rows) console.log(line(row));
if (sink < 0) console.log(sink);
