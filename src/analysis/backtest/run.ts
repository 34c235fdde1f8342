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
  const iso = isoTimes(input.bars.ts);
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

const DAY = 86_400_000;
const pad = (v: number, width: number) => String(v).padStart(width, '0');

/**
 * Bar index → the bar's ISO-8601 time, as Date#toISOString writes it, with the date part made once per UTC day: a
 * run over minute bars has thousands of trades on a few hundred days, and a Date per time was a tenth of the run.
 */
export function isoTimes(ts: Float64Array): (i: number) => string {
  let day = Number.NaN;
  let prefix = '';
  return (i) => {
    const t = ts[i];
    const d = Math.floor(t / DAY);
    if (d !== day) {
      day = d;
      prefix = new Date(d * DAY).toISOString().slice(0, -13); // through the "T"
    }
    const ms = t - d * DAY;
    if (!Number.isInteger(ms)) return new Date(t).toISOString();
    const h = Math.floor(ms / 3_600_000);
    const m = Math.floor((ms % 3_600_000) / 60_000);
    const sec = Math.floor((ms % 60_000) / 1000);
    return `${prefix}${pad(h, 2)}:${pad(m, 2)}:${pad(sec, 2)}.${pad(ms % 1000, 3)}Z`;
  };
}
