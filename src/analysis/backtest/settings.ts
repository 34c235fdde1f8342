// The execution model's settings (docs/backtests.md) and their checks.
import { UserError } from '../../errors.ts';

export interface BacktestSettings {
  /** Starting cash. */
  cash: number;
  /** Fraction of each fill's notional paid on entry and on exit. */
  commission: number;
  /** Fraction each fill moves against the trader. */
  slippage: number;
  /** Stops as fractions of the entry price; null: none. */
  stopLoss: number | null;
  takeProfit: number | null;
  trailingStop: number | null;
  /** Fractional units instead of whole ones. */
  fractional: boolean;
  /** Fraction of equity per entry; null: all the cash. */
  sizePct: number | null;
  /** Whether the exit rule also opens short positions (and the entry rule closes them). */
  short: boolean;
}

export const DEFAULT_SETTINGS: BacktestSettings = {
  cash: 10_000,
  commission: 0,
  slippage: 0,
  stopLoss: null,
  takeProfit: null,
  trailingStop: null,
  fractional: false,
  sizePct: null,
  short: false,
};

/** Fills in defaults and rejects what the model cannot simulate, naming the setting. */
export function checkSettings(input: Partial<BacktestSettings>): BacktestSettings {
  const s = { ...DEFAULT_SETTINGS, ...input };
  const range = (name: string, v: number, min: number, max: number, minOpen = false) => {
    if (!Number.isFinite(v) || v > max || (minOpen ? v <= min : v < min)) {
      throw new UserError(
        `${name} must be a number ${minOpen ? 'above' : 'from'} ${min} ${minOpen ? 'and at most' : 'to'} ${max}, got ${v}`,
      );
    }
  };
  range('cash', s.cash, 0, 1e15, true);
  range('commission', s.commission, 0, 0.5);
  range('slippage', s.slippage, 0, 0.5);
  if (s.stopLoss !== null) range('stop-loss', s.stopLoss, 0, 1, true);
  if (s.takeProfit !== null) range('take-profit', s.takeProfit, 0, 100, true);
  if (s.trailingStop !== null) range('trailing-stop', s.trailingStop, 0, 1, true);
  if (s.sizePct !== null) range('size-pct', s.sizePct, 0, 1, true);
  return s;
}
