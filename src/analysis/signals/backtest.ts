// Pure backtest of a strategy's past signals on one series.
import { checkCandles } from './candles.ts';
import { direction } from './types.ts';
import type { CandleSeries, SignalType, Strategy, StrategyParams } from './types.ts';

export interface BacktestOptions {
  /** Bars after the signal at which its outcome is read (default 10). */
  horizon?: number;
  /** Sell signals open a short position (default true); with false they go flat. */
  allowShort?: boolean;
}

export interface BacktestRow {
  index: number;
  ts: number;
  signalType: SignalType;
  /** Close of the signal bar. */
  entry: number;
  /** index + horizon, or null when the series ends before it (pending). */
  exitIndex: number | null;
  exit: number | null;
  /** (exit - entry) / entry, signed by direction (a sell gains when the price falls); null when pending. */
  return: number | null;
  /** Buy: exit > entry; sell: exit < entry; null when pending. */
  hit: boolean | null;
}

export interface BacktestResult {
  strategy: string;
  horizon: number;
  allowShort: boolean;
  /** Directional signals (buy, strong_buy, sell, strong_sell). */
  signals: number;
  /** Directional signals with an outcome (index + horizon inside the series). */
  count: number;
  /** Directional signals too recent to have an outcome. */
  pending: number;
  /** Hold candidates (not traded, not scored). */
  holds: number;
  hits: number;
  /** hits / count; null when count is 0. */
  hitRate: number | null;
  /** Mean of the signed returns after `horizon` bars; null when count is 0. */
  avgReturn: number | null;
  /** Largest peak-to-trough fall of the equity curve, as a fraction of the peak (0 when it never falls). */
  maxDrawdown: number;
  /** Equity at the last bar, starting from 1. */
  finalEquity: number;
  rows: BacktestRow[];
}

/**
 * Runs `strategy` over `series` and scores its directional signals.
 *
 * Equity curve: starts at 1 and flat. At the close of a buy/strong_buy bar the
 * position becomes long (1x), at the close of a sell/strong_sell bar short
 * (-1x; flat when allowShort is false); hold changes nothing. Each following
 * bar multiplies the equity by 1 + position x (close[j] / close[j-1] - 1).
 * No costs, no slippage, no stop or target exits.
 */
export function backtest(
  series: CandleSeries,
  strategy: Strategy,
  params?: Partial<StrategyParams>,
  options: BacktestOptions = {},
): BacktestResult {
  const horizon = options.horizon ?? 10;
  const allowShort = options.allowShort ?? true;
  if (!Number.isInteger(horizon) || horizon < 1)
    throw new RangeError(`backtest: horizon must be an integer >= 1, got ${horizon}`);
  const n = checkCandles('backtest', series);
  const close = series.close;
  const candidates = strategy.generate(series, params);

  const rows: BacktestRow[] = [];
  let holds = 0;
  let hits = 0;
  let count = 0;
  let returnSum = 0;
  // Position taken at the close of each signal bar (a later signal on the same bar wins).
  const positionAt = new Map<number, number>();
  for (const c of candidates) {
    const dir = direction(c.signalType);
    if (dir === 0) {
      holds++;
      continue;
    }
    positionAt.set(c.index, dir === 1 ? 1 : allowShort ? -1 : 0);
    const entry = close[c.index];
    const exitIndex = c.index + horizon;
    if (exitIndex >= n) {
      rows.push({
        index: c.index,
        ts: c.ts,
        signalType: c.signalType,
        entry,
        exitIndex: null,
        exit: null,
        return: null,
        hit: null,
      });
      continue;
    }
    const exit = close[exitIndex];
    const ret = (dir * (exit - entry)) / entry;
    const hit = dir === 1 ? exit > entry : exit < entry;
    count++;
    returnSum += ret;
    if (hit) hits++;
    rows.push({ index: c.index, ts: c.ts, signalType: c.signalType, entry, exitIndex, exit, return: ret, hit });
  }

  let equity = 1;
  let peak = 1;
  let maxDrawdown = 0;
  let position = 0;
  for (let j = 0; j < n; j++) {
    if (j > 0 && position !== 0) {
      equity *= 1 + position * (close[j] / close[j - 1] - 1);
      if (equity > peak) peak = equity;
      const dd = (peak - equity) / peak;
      if (dd > maxDrawdown) maxDrawdown = dd;
    }
    const next = positionAt.get(j);
    if (next !== undefined) position = next;
  }

  return {
    strategy: strategy.name,
    horizon,
    allowShort,
    signals: rows.length,
    count,
    pending: rows.length - count,
    holds,
    hits,
    hitRate: count > 0 ? hits / count : null,
    avgReturn: count > 0 ? returnSum / count : null,
    maxDrawdown,
    finalEquity: equity,
    rows,
  };
}
