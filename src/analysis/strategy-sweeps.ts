// A sweep of a user's stored strategy over stored candles (docs/backtests.md): one in-sample/out-of-sample split, or
// rolling walk-forward windows. Sweeps are not stored: each combination is one cheap run, and the ranked table is the
// result. The combinations run on worker threads when a pool is given, else in this thread.
import type { Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import type { Interval } from '../intervals.ts';
import {
  combinations,
  parseGrid,
  rankResults,
  type Span,
  type SweepMetric,
  type SweepResult,
  sweepFigures,
  walkForwardSpans,
} from './backtest/index.ts';
import { loadBacktestData, type StrategyBacktestRequest } from './strategy-backtests.ts';
import type { SweepPool } from './sweep-pool.ts';
import type { SweepTask } from './sweep-task.ts';

/** Most walk-forward windows: each needs bars enough for two parts. */
export const MAX_WINDOWS = 50;

export interface SweepRequest extends StrategyBacktestRequest {
  grid: string;
  /** Fraction of the bars (of each window, with walkForward), from the start, that is in-sample. */
  train: number;
  /** Rolling walk-forward windows instead of one split. */
  walkForward?: number;
  metric: SweepMetric;
  /** How many ranked combinations to return (per window with walkForward). */
  top: number;
  /** Worker threads; without, the combinations run in this thread. */
  pool?: SweepPool;
  /** The most bars × combinations (the API's TM_SWEEP_MAX_WORK); unset = no cap. */
  maxWork?: number;
  onStart?: (combinations: number) => void;
  onProgress?: (done: number) => void;
}

export type Part = { from: string; to: string; bars: number };

export interface SweepWindow {
  window: number;
  in_sample: Part;
  out_of_sample: Part;
  /** Ranked by the window's in-sample metric; the first is the one walk-forward picks. */
  results: SweepResult[];
}

interface SweepCommon {
  strategy: string;
  strategy_version: number;
  symbol: string;
  interval: Interval;
  metric: SweepMetric;
  train: number;
  combinations: number;
  /** The grid's parameter names, in its order (a heat map's axes). */
  grid: string[];
}

export interface SplitReport extends SweepCommon {
  in_sample: Part;
  out_of_sample: Part;
  results: SweepResult[];
}

export interface WalkForwardReport extends SweepCommon {
  walk_forward: number;
  windows: SweepWindow[];
}

export type SweepReport = SplitReport | WalkForwardReport;

function checkRequest(req: SweepRequest): void {
  if (!(req.train > 0 && req.train < 1))
    throw new UserError(`train must be a fraction above 0 and below 1, got ${req.train}`);
  const w = req.walkForward;
  if (w !== undefined && !(Number.isInteger(w) && w >= 1 && w <= MAX_WINDOWS)) {
    throw new UserError(`walk-forward must be a whole number of windows from 1 to ${MAX_WINDOWS}, got ${w}`);
  }
}

export async function runStrategySweep(q: Queryable, req: SweepRequest): Promise<SweepReport> {
  checkRequest(req);
  const grid = parseGrid(req.grid);
  const combos = combinations(grid);
  const data = await loadBacktestData(
    q,
    req,
    grid.map((g) => g.name),
  );
  const n = data.bars.ts.length;
  if (req.maxWork !== undefined && n * combos.length > req.maxWork) {
    throw new UserError(
      `${combos.length} combinations × ${n} bars is more than the ${req.maxWork} bar-runs a sweep over the API may do ` +
        '(TM_SWEEP_MAX_WORK): use larger steps or a shorter range',
    );
  }
  const windows: { inSample: Span; outOfSample: Span }[] =
    req.walkForward === undefined
      ? [{ inSample: [0, Math.round(n * req.train)], outOfSample: [Math.round(n * req.train), n] }]
      : walkForwardSpans(n, req.walkForward, req.train);
  for (const w of windows) {
    if (w.inSample[1] - w.inSample[0] < 2 || w.outOfSample[1] - w.outOfSample[0] < 2) {
      const what = req.walkForward === undefined ? `train ${req.train}` : `${req.walkForward} windows`;
      throw new UserError(`${what} of ${n} bars leaves fewer than 2 bars in one part; widen the range`);
    }
  }
  req.onStart?.(combos.length);
  const task: SweepTask = {
    entry: data.strategy.entry,
    exit: data.strategy.exit,
    bars: data.bars,
    interval: req.interval,
    params: data.params,
    combinations: combos,
    settings: data.settings,
    parts: windows.flatMap((w) => [w.inSample, w.outOfSample]),
    other: data.otherSeries,
  };
  const rows = req.pool
    ? await req.pool.run(task, req.onProgress)
    : sweepFigures({ ...task, other: data.other, onProgress: req.onProgress });
  const part = ([from, to]: Span): Part => ({
    from: new Date(data.bars.ts[from]).toISOString(),
    to: new Date(data.bars.ts[to - 1]).toISOString(),
    bars: to - from,
  });
  const ranked = (k: number) =>
    rankResults(
      rows.map((r) => ({
        rank: 0,
        params: r.params,
        in_sample: r.figures[2 * k],
        out_of_sample: r.figures[2 * k + 1],
      })),
      req.metric,
    ).slice(0, req.top);
  const common: SweepCommon = {
    strategy: data.strategy.name,
    strategy_version: data.strategy.version,
    symbol: data.asset.symbol,
    interval: req.interval,
    metric: req.metric,
    train: req.train,
    combinations: combos.length,
    grid: grid.map((g) => g.name),
  };
  if (req.walkForward === undefined) {
    const [w] = windows;
    return { ...common, in_sample: part(w.inSample), out_of_sample: part(w.outOfSample), results: ranked(0) };
  }
  return {
    ...common,
    walk_forward: req.walkForward,
    windows: windows.map((w, k) => ({
      window: k + 1,
      in_sample: part(w.inSample),
      out_of_sample: part(w.outOfSample),
      results: ranked(k),
    })),
  };
}
