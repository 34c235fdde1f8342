/**
 * What the CLI and the API ask of analysis, in one place: which assets, computing indicators,
 * generating signals, backtests. Thin over the modules that do the work.
 */
import type { Database, Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { getAsset } from '../market/assets-repository.ts';
import { readCandleColumns } from '../market/candles-repository.ts';
import { assetsWithSeries } from '../market/candle-series.ts';
import type { Interval } from '../intervals.ts';
import { parseTimestamp } from '../market/import/timestamps.ts';
import { countCandles } from '../market/queries.ts';
import { computeIndicators, indicatorSpecs, type ComputeResult } from './compute-indicators.ts';
import { generateSignals, strategySpecs, type GenerateResult } from './generate-signals.ts';
import type { BacktestResult } from './signals/backtest.ts';
import { generateUserSignalSeries, userStrategySpecs } from './generate-rule-signals.ts';
import { runBacktestTask, type BacktestTask } from './backtest-task.ts';

export interface AssetChoice {
  symbols?: readonly string[];
  all?: boolean;
}

/** `--symbol S` (repeatable) or `--all` (every asset with candles of the interval). */
export async function chooseAssets(
  db: Database,
  choice: AssetChoice,
  interval: Interval,
): Promise<{ id: string; symbol: string }[]> {
  if (choice.all && choice.symbols?.length) throw new UserError('give either symbols or all, not both');
  if (choice.all) return assetsWithSeries(db, interval);
  if (!choice.symbols?.length) throw new UserError('give a symbol (--symbol S) or --all');
  const out = [];
  for (const s of choice.symbols) {
    const a = await getAsset(db, s);
    out.push({ id: a.id, symbol: a.symbol });
  }
  return out;
}

export async function computeStoredIndicators(
  db: Database,
  choice: AssetChoice,
  interval: Interval,
  types: readonly string[],
  params?: unknown,
): Promise<(ComputeResult & { symbol: string })[]> {
  const specs = indicatorSpecs(types, params);
  const assets = await chooseAssets(db, choice, interval);
  const out: (ComputeResult & { symbol: string })[] = [];
  for (const a of assets)
    for (const r of await computeIndicators(db, [a.id], interval, specs)) out.push({ ...r, symbol: a.symbol });
  return out;
}

export async function generateStoredSignals(
  db: Database,
  choice: AssetChoice,
  interval: Interval,
  strategies?: readonly string[],
  params?: unknown,
): Promise<(GenerateResult & { symbol: string })[]> {
  const specs = strategySpecs(strategies, params);
  const assets = await chooseAssets(db, choice, interval);
  const out: (GenerateResult & { symbol: string })[] = [];
  for (const a of assets)
    for (const r of await generateSignals(db, [a.id], interval, specs)) out.push({ ...r, symbol: a.symbol });
  return out;
}

/** Signals of a user's strategies (`--user U [--strategy NAME]`): the named ones, or all of the user's. */
export async function generateUserSignals(
  db: Database,
  choice: AssetChoice,
  interval: Interval,
  user: { id: string; username: string },
  strategies?: readonly string[],
): Promise<(GenerateResult & { symbol: string })[]> {
  const specs = await userStrategySpecs(db, user, strategies);
  const assets = await chooseAssets(db, choice, interval);
  const out: (GenerateResult & { symbol: string })[] = [];
  for (const a of assets)
    for (const s of specs) out.push({ ...(await generateUserSignalSeries(db, a.id, interval, s)), symbol: a.symbol });
  return out;
}

export function parseTime(v: string | undefined, what: string): Date | null {
  if (v === undefined || v === '') return null;
  const ms = parseTimestamp(v);
  if (ms === null) throw new UserError(`${what} "${v}" is not ISO-8601, YYYY-MM-DD or epoch seconds/ms`);
  return new Date(ms);
}

export interface BacktestRequest {
  symbol: string;
  strategy: string;
  interval: Interval;
  from?: Date | null;
  to?: Date | null;
  horizon?: number;
  params?: unknown;
  /** Refuse ranges of more bars than this (the public API bounds the work one request can ask for). */
  maxBars?: number;
  /** Where the computation runs: in this thread by default; the API passes a worker pool (backtest-pool.ts). */
  compute?: (task: BacktestTask) => Promise<BacktestResult>;
}

/** `db`: a Queryable (the API passes Database.reader(): a backtest reads, and may read a replica). */
export async function runBacktest(
  db: Queryable,
  req: BacktestRequest,
): Promise<BacktestResult & { symbol: string; interval: Interval; bars: number }> {
  const asset = await getAsset(db, req.symbol);
  // Every input is checked here, so an error from backtest() itself is a bug: a 500, logged, not a 400.
  const [spec] = strategySpecs([req.strategy], req.params);
  const horizon = req.horizon ?? 10;
  if (!Number.isInteger(horizon) || horizon < 1) throw new UserError(`horizon must be an integer >= 1, got ${horizon}`);
  if (req.maxBars !== undefined) {
    const n = await countCandles(db, { assetId: asset.id, interval: req.interval, from: req.from, to: req.to });
    if (n > req.maxBars)
      throw new UserError(
        `the range holds ${n} ${req.interval} candles of ${asset.symbol}; a backtest here takes at most ${req.maxBars}: narrow it with from/to`,
      );
  }
  // The range is the whole test: its first bars warm the indicators up, as they would live.
  const cols = await readCandleColumns(db, {
    assetId: asset.id,
    interval: req.interval,
    from: req.from ?? null,
    warmup: 0,
    to: req.to ?? null,
  });
  if (cols.ts.length - cols.start < 2)
    throw new UserError(`${asset.symbol} has too few ${req.interval} candles in that range for a backtest`);
  const bars = cols.ts.length;
  const task: BacktestTask = { series: cols, strategy: req.strategy, params: spec.params, horizon };
  // In this thread or a worker's: an error either way is a bug (500, logged).
  const result = req.compute ? await req.compute(task) : runBacktestTask(task);
  return { ...result, symbol: asset.symbol, interval: req.interval, bars };
}
