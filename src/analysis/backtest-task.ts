/**
 * A backtest as a self-contained task: columns in, result out, no database. It runs in a worker
 * thread for the API (backtest-pool.ts) so a long series does not stall the event loop.
 */
import { backtest, type BacktestResult } from './signals/backtest.ts';
import { getStrategy } from './signals/registry.ts';
import type { CandleSeries, StrategyParams } from './signals/types.ts';

export interface BacktestTask {
  series: CandleSeries;
  strategy: string;
  /** Already parsed by the strategy (strategySpecs), so a bad value was a 400 before any work. */
  params: Partial<StrategyParams>;
  horizon: number;
}

export function runBacktestTask(t: BacktestTask): BacktestResult {
  return backtest(t.series, getStrategy(t.strategy), t.params, { horizon: t.horizon });
}
