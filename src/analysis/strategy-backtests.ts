// Runs a user's stored strategy over stored candles and records the run.
import type { Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import type { Interval } from '../intervals.ts';
import { getAsset } from '../market/assets-repository.ts';
import { countCandlesUpTo, readCandleColumns } from '../market/candles-repository.ts';
import type { CandleSeries } from '../ohlcv.ts';
import {
  type BacktestInput,
  type BacktestReport,
  type BacktestSettings,
  checkSettings,
  runBacktest,
} from './backtest/index.ts';
import { saveBacktestRun } from './backtest-runs-repository.ts';
import { checkParams, getStrategy, type StrategyVersion } from './strategies-repository.ts';
import { parseRule, walk } from './strategy/index.ts';

/** Bars of another interval read before the test's first bar, so that `expr@1d` is warm from the start. */
const OTHER_INTERVAL_WARMUP = 1000;

export interface StrategyBacktestRequest {
  userId: string;
  strategy: string;
  version?: number;
  symbol: string;
  interval: Interval;
  from?: Date | null;
  to?: Date | null;
  /** Overrides of the strategy's parameter defaults. */
  params?: unknown;
  settings: Partial<BacktestSettings>;
  /** The most bars the range may hold (the API's TM_BACKTEST_MAX_BARS); unset = no cap (the CLI). */
  maxBars?: number;
}

/** The 400 a range over the cap gets: names the cap, its setting and what to do. */
export function tooManyBars(symbol: string, interval: Interval, max: number): UserError {
  return new UserError(
    `${symbol} has more than ${max} ${interval} bars in that range; a backtest over the API reads at most ${max} ` +
      '(TM_BACKTEST_MAX_BARS): narrow from/to',
  );
}

export type StrategyBacktestResult = Omit<BacktestReport, 'equity'> & {
  id: string;
  strategy: string;
  strategy_version: number;
  symbol: string;
  interval: Interval;
  from: string;
  to: string;
  params: Record<string, number>;
  settings: BacktestSettings;
};

/** What a run or a sweep reads: the strategy version, its parameters with the overrides, the checked settings, the bars. */
export interface BacktestData {
  strategy: StrategyVersion;
  asset: { id: string; symbol: string };
  params: Record<string, number>;
  settings: BacktestSettings;
  bars: CandleSeries;
  other: (interval: Interval) => CandleSeries;
  /** The same bars of other intervals, as data (for worker threads). */
  otherSeries: Partial<Record<Interval, CandleSeries>>;
}

/** extraParams: names a sweep's grid sets, which the strategy must have too. */
export async function loadBacktestData(
  q: Queryable,
  req: StrategyBacktestRequest,
  extraParams: readonly string[] = [],
  minBars = 2,
): Promise<BacktestData> {
  const strategy = await getStrategy(q, req.userId, req.strategy, req.version);
  const asset = await getAsset(q, req.symbol);
  const overrides = checkParams(req.params ?? {}, 'params');
  const known = (k: string, what: string) => {
    if (!(k in strategy.params)) throw new UserError(`${what}: strategy "${strategy.name}" has no parameter ${k}`);
  };
  for (const k of Object.keys(overrides)) known(k, 'params');
  for (const k of extraParams) known(k, 'grid');
  const params = { ...strategy.params, ...overrides };
  const settings = checkSettings(req.settings);
  const range = { assetId: asset.id, interval: req.interval, from: req.from ?? null, to: req.to ?? null };
  if (req.maxBars !== undefined && (await countCandlesUpTo(q, range, req.maxBars)) > req.maxBars) {
    throw tooManyBars(asset.symbol, req.interval, req.maxBars);
  }
  const bars = await readCandleColumns(q, {
    assetId: asset.id,
    interval: req.interval,
    from: req.from ?? null,
    warmup: 0,
    to: req.to ?? null,
  });
  const n = bars.ts.length;
  if (n < minBars)
    throw new UserError(`${asset.symbol} has too few ${req.interval} candles in that range for a backtest`);
  const otherSeries = await readOtherIntervals(
    q,
    asset,
    [strategy.entry, strategy.exit],
    req.interval,
    bars,
    req.maxBars,
  );
  const other = (i: Interval) => otherSeries[i] as CandleSeries;
  return { strategy, asset, params, settings, bars, other, otherSeries };
}

/**
 * The bars of each other interval the rules read with `@`, from OTHER_INTERVAL_WARMUP bars before the first bar to
 * the last; each under `maxBars` when set (a finer interval holds more bars than the range itself).
 */
export async function readOtherIntervals(
  q: Queryable,
  asset: { id: string; symbol: string },
  rules: readonly string[],
  interval: Interval,
  bars: CandleSeries,
  maxBars?: number,
): Promise<Partial<Record<Interval, CandleSeries>>> {
  const n = bars.ts.length;
  const other: Partial<Record<Interval, CandleSeries>> = {};
  for (const rule of n > 0 ? rules : []) {
    for (const node of walk(parseRule(rule))) {
      if (node.kind !== 'at' || node.interval === interval || other[node.interval]) continue;
      const span = {
        assetId: asset.id,
        interval: node.interval,
        from: new Date(bars.ts[0]),
        to: new Date(bars.ts[n - 1]),
      };
      if (maxBars !== undefined && (await countCandlesUpTo(q, span, maxBars)) > maxBars) {
        throw tooManyBars(asset.symbol, node.interval, maxBars);
      }
      other[node.interval] = await readCandleColumns(q, { ...span, warmup: OTHER_INTERVAL_WARMUP });
    }
  }
  return other;
}

export interface LoadedStrategyRun {
  strategy: StrategyVersion;
  asset: { id: string; symbol: string };
  params: Record<string, number>;
  settings: BacktestSettings;
  input: BacktestInput;
}

/**
 * What a run reads, as the engine's input. `minBars`: fewer bars is an error (a paper account with no
 * closed bar yet passes 0).
 */
export async function loadStrategyRun(
  q: Queryable,
  req: StrategyBacktestRequest,
  minBars = 2,
): Promise<LoadedStrategyRun> {
  const d = await loadBacktestData(q, req, [], minBars);
  const { strategy, params, settings } = d;
  const input = {
    entry: strategy.entry,
    exit: strategy.exit,
    bars: d.bars,
    interval: req.interval,
    params,
    settings,
    other: d.other,
  };
  return { strategy, asset: d.asset, params, settings, input };
}

export async function runStrategyBacktest(q: Queryable, req: StrategyBacktestRequest): Promise<StrategyBacktestResult> {
  const { strategy, asset, params, settings, bars, other } = await loadBacktestData(q, req);
  const n = bars.ts.length;
  const report = runBacktest({
    entry: strategy.entry,
    exit: strategy.exit,
    bars,
    interval: req.interval,
    params,
    settings,
    other,
  });
  const { equity, ...figures } = report;
  const { trades, ...metrics } = figures;
  const from = new Date(bars.ts[0]);
  const to = new Date(bars.ts[n - 1]);
  const id = await saveBacktestRun(q, {
    userId: req.userId,
    strategyId: strategy.strategy_id,
    strategyVersion: strategy.version,
    assetId: asset.id,
    interval: req.interval,
    from,
    to,
    bars: n,
    params,
    settings,
    metrics,
    trades,
    equity,
  });
  return {
    id,
    strategy: strategy.name,
    strategy_version: strategy.version,
    symbol: asset.symbol,
    interval: req.interval,
    from: from.toISOString(),
    to: to.toISOString(),
    params,
    settings,
    ...figures,
  };
}
