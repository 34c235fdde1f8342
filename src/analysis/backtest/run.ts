// One backtest: a strategy's rules over bars, through the engine, to the report the CLI and API print.
import type { Interval } from '../../intervals.ts';
import type { CandleSeries } from '../../ohlcv.ts';
import { type Params, evaluateRules, parseRule } from '../strategy/index.ts';
import { type ExitReason, runEngine } from './engine.ts';
import { computeMetrics } from './metrics.ts';
import { type BacktestSettings, checkSettings } from './settings.ts';

export type TradeReport = {
  entry_time: string;
  entry_price: number;
  exit_time: string;
  exit_price: number;
  size: number;
  pnl: number;
  exit_reason: ExitReason;
};

export interface BacktestReport {
  trades: TradeReport[];
  final_equity: number;
  return_pct: number;
  buy_and_hold_return_pct: number;
  max_drawdown_pct: number;
  sharpe: number | null;
  sortino: number | null;
  win_rate: number | null;
  profit_factor: number | null;
  exposure_pct: number;
  bars: number;
  /** Equity at each bar's close, for charts and storage. */
  equity: Float64Array;
}

export interface BacktestInput {
  entry: string;
  exit: string;
  bars: CandleSeries;
  interval: Interval;
  params: Params;
  settings: Partial<BacktestSettings>;
  /** Bars of other intervals the rules read with @. */
  other?: (interval: Interval) => CandleSeries;
}

export function runBacktest(input: BacktestInput): BacktestReport {
  const settings = checkSettings(input.settings);
  const ctx = { bars: input.bars, interval: input.interval, params: input.params, other: input.other };
  const [entry, exit] = evaluateRules([parseRule(input.entry), parseRule(input.exit)], ctx);
  const result = runEngine(input.bars, entry, exit, settings);
  const m = computeMetrics(input.bars.ts, input.bars.close, settings.cash, result);
  const iso = (i: number) => new Date(input.bars.ts[i]).toISOString();
  return {
    trades: result.trades.map((t) => ({
      entry_time: iso(t.entryIndex),
      entry_price: t.entryPrice,
      exit_time: iso(t.exitIndex),
      exit_price: t.exitPrice,
      size: t.size,
      pnl: t.pnl,
      exit_reason: t.exitReason,
    })),
    final_equity: m.finalEquity,
    return_pct: m.returnPct,
    buy_and_hold_return_pct: m.buyAndHoldReturnPct,
    max_drawdown_pct: m.maxDrawdownPct,
    sharpe: m.sharpe,
    sortino: m.sortino,
    win_rate: m.winRate,
    profit_factor: m.profitFactor,
    exposure_pct: m.exposurePct,
    bars: input.bars.close.length,
    equity: result.equity,
  };
}
