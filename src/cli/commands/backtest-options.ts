// The cost, size and stop flags `tm backtest run` and `tm backtest sweep` share, and the settings they make.
import type { Command } from 'commander';
import type { BacktestSettings } from '../../analysis/backtest/settings.ts';
import { UsageError } from '../../errors.ts';

export interface CostOptions {
  cash: string;
  commission: string;
  slippage: string;
  stopLoss?: string;
  takeProfit?: string;
  trailingStop?: string;
  fractional?: boolean;
  sizePct?: string;
  short?: boolean;
}

function fraction(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${what} must be a number, got "${v}"`);
  return n;
}

export function addCostOptions(cmd: Command): Command {
  return cmd
    .option('--cash <amount>', 'starting cash', '10000')
    .option('--commission <fraction>', 'of the notional, paid on entry and on exit', '0.001')
    .option('--slippage <fraction>', 'each fill moves this much against the trader', '0')
    .option('--stop-loss <fraction>', 'exit when the price moves this far against the entry')
    .option('--take-profit <fraction>', 'exit when the price moves this far in favour')
    .option(
      '--trailing-stop <fraction>',
      'exit this far below the highest high since entry (above the lowest low, short)',
    )
    .option('--fractional', 'buy fractional units (default: whole units)')
    .option('--size-pct <fraction>', 'put this fraction of equity in each entry (default: all the cash)')
    .option('--short', 'the exit rule also opens short positions, which the entry rule closes');
}

/** The settings as given; their ranges are checked by the engine (checkSettings), which names the setting. */
export function settingsFrom(o: CostOptions): Partial<BacktestSettings> {
  return {
    cash: fraction(o.cash, '--cash'),
    commission: fraction(o.commission, '--commission'),
    slippage: fraction(o.slippage, '--slippage'),
    stopLoss: fraction(o.stopLoss, '--stop-loss') ?? null,
    takeProfit: fraction(o.takeProfit, '--take-profit') ?? null,
    trailingStop: fraction(o.trailingStop, '--trailing-stop') ?? null,
    fractional: !!o.fractional,
    sizePct: fraction(o.sizePct, '--size-pct') ?? null,
    short: !!o.short,
  };
}
