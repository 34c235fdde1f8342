// A sweep of a user's stored strategy over stored candles (docs/backtests.md). Sweeps are not stored: each
// combination is one cheap run, and the ranked table is the result.
import type { Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import type { Interval } from '../intervals.ts';
import { combinations, parseGrid, runSweep, type SweepMetric, type SweepResult } from './backtest/index.ts';
import { loadBacktestData, type StrategyBacktestRequest } from './strategy-backtests.ts';

export interface SweepRequest extends StrategyBacktestRequest {
  grid: string;
  /** Fraction of the bars, from the start, that is in-sample. */
  train: number;
  metric: SweepMetric;
  /** How many ranked combinations to return. */
  top: number;
  onStart?: (combinations: number) => void;
  onProgress?: (done: number) => void;
}

type Part = { from: string; to: string; bars: number };

export interface SweepReport {
  strategy: string;
  strategy_version: number;
  symbol: string;
  interval: Interval;
  metric: SweepMetric;
  train: number;
  in_sample: Part;
  out_of_sample: Part;
  combinations: number;
  results: SweepResult[];
}

export async function runStrategySweep(q: Queryable, req: SweepRequest): Promise<SweepReport> {
  if (!(req.train > 0 && req.train < 1))
    throw new UserError(`train must be a fraction above 0 and below 1, got ${req.train}`);
  const grid = parseGrid(req.grid);
  const combos = combinations(grid);
  const data = await loadBacktestData(
    q,
    req,
    grid.map((g) => g.name),
  );
  const n = data.bars.ts.length;
  const split = Math.round(n * req.train);
  if (split < 2 || n - split < 2) {
    throw new UserError(`train ${req.train} of ${n} bars leaves fewer than 2 bars in one part; widen the range`);
  }
  req.onStart?.(combos.length);
  const results = runSweep({
    entry: data.strategy.entry,
    exit: data.strategy.exit,
    bars: data.bars,
    interval: req.interval,
    params: data.params,
    combinations: combos,
    settings: data.settings,
    split,
    metric: req.metric,
    other: data.other,
    onProgress: req.onProgress,
  });
  const part = (from: number, to: number): Part => ({
    from: new Date(data.bars.ts[from]).toISOString(),
    to: new Date(data.bars.ts[to - 1]).toISOString(),
    bars: to - from,
  });
  return {
    strategy: data.strategy.name,
    strategy_version: data.strategy.version,
    symbol: data.asset.symbol,
    interval: req.interval,
    metric: req.metric,
    train: req.train,
    in_sample: part(0, split),
    out_of_sample: part(split, n),
    combinations: combos.length,
    results: results.slice(0, req.top),
  };
}
