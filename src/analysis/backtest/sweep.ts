// A sweep: one strategy over every combination of a parameter grid, each run on an in-sample part (where the
// ranking is made) and on the out-of-sample rest (reported beside it, never used to rank), or on walk-forward windows.
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

/** A part of the bars, [from, to). */
export type Span = readonly [from: number, to: number];

export interface FiguresInput {
  entry: string;
  exit: string;
  bars: CandleSeries;
  interval: Interval;
  params: Record<string, number>;
  combinations: Record<string, number>[];
  settings: BacktestSettings;
  /** The parts each combination is run on, each from flat with the full cash. */
  parts: readonly Span[];
  other?: (interval: Interval) => CandleSeries;
  onProgress?: (done: number) => void;
}

/**
 * For each combination, its parameters and its figures on each part. The rules are evaluated over the whole series
 * once per combination (they read no later bar, so a part's signals are the same as over the bars up to its end, and a
 * later part starts with warm indicators). Pure and self-contained: the worker threads run it on chunks.
 */
export function sweepFigures(input: FiguresInput): { params: Record<string, number>; figures: SweepFigures[] }[] {
  const rules: Node[] = [parseRule(input.entry), parseRule(input.exit)];
  const parts = input.parts.map(([from, to]) => ({ from, to, bars: slice(input.bars, from, to) }));
  const out: { params: Record<string, number>; figures: SweepFigures[] }[] = [];
  for (const combo of input.combinations) {
    const params = { ...input.params, ...combo };
    const ctx = { bars: input.bars, interval: input.interval, params, other: input.other };
    const [entry, exit] = evaluateRules(rules, ctx);
    const figs = parts.map((p) =>
      figures(p.bars, entry.subarray(p.from, p.to), exit.subarray(p.from, p.to), input.settings),
    );
    out.push({ params, figures: figs });
    input.onProgress?.(out.length);
  }
  return out;
}

/** Ranks in place by the in-sample metric and numbers the ranks from 1. */
export function rankResults(results: SweepResult[], metric: SweepMetric): SweepResult[] {
  results.sort(compare(metric));
  results.forEach((r, i) => {
    r.rank = i + 1;
  });
  return results;
}

/**
 * Rolling walk-forward windows over n bars: `windows` windows of equal length W, each in-sample for its first `train`
 * of W and out-of-sample for the rest, stepping by the out-of-sample length so the out-of-sample parts follow each
 * other to the last bar: W + (windows − 1) × W × (1 − train) = n.
 */
export function walkForwardSpans(n: number, windows: number, train: number): { inSample: Span; outOfSample: Span }[] {
  const w = n / (1 + (windows - 1) * (1 - train));
  const out: { inSample: Span; outOfSample: Span }[] = [];
  for (let k = 0; k < windows; k++) {
    const start = Math.round(k * w * (1 - train));
    const split = Math.round(k * w * (1 - train) + w * train);
    const end = k === windows - 1 ? n : Math.round(k * w * (1 - train) + w);
    out.push({ inSample: [start, split], outOfSample: [split, end] });
  }
  return out;
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
  const rows = sweepFigures({
    ...input,
    parts: [
      [0, input.split],
      [input.split, n],
    ],
  });
  const results = rows.map((r) => ({
    rank: 0,
    params: r.params,
    in_sample: r.figures[0],
    out_of_sample: r.figures[1],
  }));
  return rankResults(results, input.metric);
}
