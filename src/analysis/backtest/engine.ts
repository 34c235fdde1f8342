// The backtest engine: rules decided at bar t's close fill at bar t+1's open; stops are checked against each
// bar's high and low after the entry bar. One position at a time. See docs/backtests.md for the exact model.
import type { CandleSeries } from '../../ohlcv.ts';
import type { BacktestSettings } from './settings.ts';

export type ExitReason = 'exit' | 'stop_loss' | 'take_profit' | 'trailing_stop' | 'end';

export interface Trade {
  entryIndex: number;
  exitIndex: number;
  entryPrice: number;
  exitPrice: number;
  /** Units: positive long, negative short. */
  size: number;
  /** Net of both commissions (only the entry one for a position still open at the end). */
  pnl: number;
  exitReason: ExitReason;
}

export interface EngineResult {
  trades: Trade[];
  /** Cash plus the position valued at each bar's close. */
  equity: Float64Array;
  finalEquity: number;
}

const NONE = 0;
const CLOSE = 2;

/** Runs the rules (1 = true on a bar) over the bars. */
export function runEngine(bars: CandleSeries, entry: Uint8Array, exit: Uint8Array, s: BacktestSettings): EngineResult {
  const { open, high, low, close } = bars;
  const n = close.length;
  const equity = new Float64Array(n);
  const trades: Trade[] = [];
  let cash = s.cash;
  let pos = 0;
  let entryPrice = 0;
  let entryFee = 0;
  let entryIndex = -1;
  let extreme = 0; // highest high (long) or lowest low (short) since entry, for the trailing stop
  let pending = NONE; // 1: buy, -1: sell short, CLOSE: close the position

  const closeAt = (i: number, price: number, reason: ExitReason): void => {
    const fill = pos > 0 ? price * (1 - s.slippage) : price * (1 + s.slippage);
    const fee = Math.abs(pos) * fill * s.commission;
    cash += pos * fill - fee;
    trades.push({
      entryIndex,
      exitIndex: i,
      entryPrice,
      exitPrice: fill,
      size: pos,
      pnl: (fill - entryPrice) * pos - entryFee - fee,
      exitReason: reason,
    });
    pos = 0;
  };

  for (let i = 0; i < n; i++) {
    if (pending === CLOSE) closeAt(i, open[i], 'exit');
    else if (pending !== NONE) {
      const side = pending;
      const fill = side > 0 ? open[i] * (1 + s.slippage) : open[i] * (1 - s.slippage);
      const units = entryUnits(s.sizePct === null ? cash : cash * s.sizePct, fill, s);
      if (units > 0) {
        pos = side * units;
        entryPrice = fill;
        entryFee = units * fill * s.commission;
        cash -= pos * fill + entryFee;
        entryIndex = i;
        extreme = side > 0 ? high[i] : low[i];
      }
    }
    pending = NONE;
    if (pos !== 0 && i > entryIndex) {
      const hit =
        pos > 0
          ? longStop(s, entryPrice, extreme, open[i], high[i], low[i])
          : shortStop(s, entryPrice, extreme, open[i], high[i], low[i]);
      if (hit !== null) closeAt(i, hit.price, hit.reason);
    }
    if (pos > 0 && high[i] > extreme) extreme = high[i];
    else if (pos < 0 && low[i] < extreme) extreme = low[i];
    equity[i] = cash + pos * close[i];
    if (i === n - 1) break;
    if (pos === 0) pending = entry[i] ? 1 : s.short && exit[i] ? -1 : NONE;
    else if (pos > 0 ? exit[i] : entry[i]) pending = CLOSE;
  }
  if (pos !== 0) {
    const last = close[n - 1];
    trades.push({
      entryIndex,
      exitIndex: n - 1,
      entryPrice,
      exitPrice: last,
      size: pos,
      pnl: (last - entryPrice) * pos - entryFee,
      exitReason: 'end',
    });
  }
  return { trades, equity, finalEquity: n > 0 ? equity[n - 1] : s.cash };
}

/** The units an entry buys with `budget` at `fill`: all of it, whole units unless fractional, commission included. */
export function entryUnits(budget: number, fill: number, s: BacktestSettings): number {
  const perUnit = fill * (1 + s.commission);
  if (s.fractional) return budget / perUnit;
  let units = Math.floor(budget / perUnit);
  // Rounding in the division may leave one unit too many.
  while (units > 0 && units * fill + units * fill * s.commission > budget) units--;
  return units;
}

interface Hit {
  price: number;
  reason: ExitReason;
}

function longStop(s: BacktestSettings, entry: number, peak: number, o: number, h: number, l: number): Hit | null {
  let stop = Number.NEGATIVE_INFINITY;
  let reason: ExitReason = 'stop_loss';
  if (s.stopLoss !== null) stop = entry * (1 - s.stopLoss);
  if (s.trailingStop !== null && peak * (1 - s.trailingStop) > stop) {
    stop = peak * (1 - s.trailingStop);
    reason = 'trailing_stop';
  }
  const target = s.takeProfit !== null ? entry * (1 + s.takeProfit) : Number.POSITIVE_INFINITY;
  if (o <= stop) return { price: o, reason };
  if (o >= target) return { price: o, reason: 'take_profit' };
  if (l <= stop) return { price: stop, reason };
  if (h >= target) return { price: target, reason: 'take_profit' };
  return null;
}

function shortStop(s: BacktestSettings, entry: number, trough: number, o: number, h: number, l: number): Hit | null {
  let stop = Number.POSITIVE_INFINITY;
  let reason: ExitReason = 'stop_loss';
  if (s.stopLoss !== null) stop = entry * (1 + s.stopLoss);
  if (s.trailingStop !== null && trough * (1 + s.trailingStop) < stop) {
    stop = trough * (1 + s.trailingStop);
    reason = 'trailing_stop';
  }
  const target = s.takeProfit !== null ? entry * (1 - s.takeProfit) : Number.NEGATIVE_INFINITY;
  if (o >= stop) return { price: o, reason };
  if (o <= target) return { price: o, reason: 'take_profit' };
  if (h >= stop) return { price: stop, reason };
  if (l <= target) return { price: target, reason: 'take_profit' };
  return null;
}
