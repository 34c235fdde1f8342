// A sweep: one strategy over every combination of a parameter grid, each run on an in-sample part (where the
// ranking is made) and on the out-of-sample rest (reported beside it, never used to rank). Sequential, in-process.
import type { Interval } from '../../intervals.ts';
import type { CandleSeries } from '../../ohlcv.ts';
import { evaluateRules, type Node, parseRule } from '../strategy/index.ts';
import { runEngine } from './engine.ts';
import { computeMetrics } from './metrics.ts';
import type { BacktestSettings } from './settings.ts';

import type { SweepMetric } from './names.ts';

export { SWEEP_METRICS, type SweepMetric } from './names.ts';

export interface SweepFigures {
  trades: number;
  final_equity: number;
  return_pct: number;
  buy_and_hold_return_pct: number;
  max_drawdown_pct: number;
  sharpe: number | null;
  sortino: number | null;
  win_rate: number | null;
  profit_factor: number | null;
  exposure_pct: number;
}

export interface SweepResult {
  rank: number;
  params: Record<string, number>;
  in_sample: SweepFigures;
  out_of_sample: SweepFigures;
}

export interface SweepInput {
  entry: string;
  exit: string;
  bars: CandleSeries;
  interval: Interval;
  /** The strategy's defaults with the user's overrides; each combination is laid over them. */
  params: Record<string, number>;
  combinations: Record<string, number>[];
  settings: BacktestSettings;
  /** Bars [0, split) are in-sample, [split, n) out-of-sample. */
  split: number;
  metric: SweepMetric;
  other?: (interval: Interval) => CandleSeries;
  /** Called after each combination with how many are done. */
  onProgress?: (done: number) => void;
}

function slice(bars: CandleSeries, from: number, to: number): CandleSeries {
  return {
    ts: bars.ts.subarray(from, to),
    open: bars.open.subarray(from, to),
    high: bars.high.subarray(from, to),
    low: bars.low.subarray(from, to),
    close: bars.close.subarray(from, to),
    volume: bars.volume.subarray(from, to),
  };
}

function figures(bars: CandleSeries, entry: Uint8Array, exit: Uint8Array, s: BacktestSettings): SweepFigures {
  const r = runEngine(bars, entry, exit, s);
  const m = computeMetrics(bars.ts, bars.close, s.cash, r);
  return {
    trades: r.trades.length,
    final_equity: m.finalEquity,
    return_pct: m.returnPct,
    buy_and_hold_return_pct: m.buyAndHoldReturnPct,
    max_drawdown_pct: m.maxDrawdownPct,
    sharpe: m.sharpe,
    sortino: m.sortino,
    win_rate: m.winRate,
    profit_factor: m.profitFactor,
    exposure_pct: m.exposurePct,
  };
}

/** Higher first, except drawdown (smaller first); a metric without a value (no trades) ranks last. */
function compare(metric: SweepMetric): (a: SweepResult, b: SweepResult) => number {
  const sign = metric === 'max_drawdown_pct' ? 1 : -1;
  return (a, b) => {
    const x = a.in_sample[metric];
    const y = b.in_sample[metric];
    if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
    return sign * (x - y);
  };
}

/**
 * Runs every combination and returns them ranked by the in-sample metric. The rules are evaluated over the whole
 * series once per combination (they read no later bar, so the in-sample signals are the same as over that part
 * alone, and the out-of-sample part starts with warm indicators); each part then starts flat with the full cash.
 */
export function runSweep(input: SweepInput): SweepResult[] {
  const n = input.bars.close.length;
  const inSample = slice(input.bars, 0, input.split);
  const outOfSample = slice(input.bars, input.split, n);
  const rules: Node[] = [parseRule(input.entry), parseRule(input.exit)];
  const results: SweepResult[] = [];
  for (const combo of input.combinations) {
    const params = { ...input.params, ...combo };
    const ctx = { bars: input.bars, interval: input.interval, params, other: input.other };
    const [entry, exit] = evaluateRules(rules, ctx);
    results.push({
      rank: 0,
      params,
      in_sample: figures(inSample, entry.subarray(0, input.split), exit.subarray(0, input.split), input.settings),
      out_of_sample: figures(outOfSample, entry.subarray(input.split), exit.subarray(input.split), input.settings),
    });
    input.onProgress?.(results.length);
  }
  results.sort(compare(input.metric));
  results.forEach((r, i) => {
    r.rank = i + 1;
  });
  return results;
}
