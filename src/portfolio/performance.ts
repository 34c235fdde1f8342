/**
 * tm portfolio performance: the daily value series (computed in the database, daily-values.ts) and the
 * measures over it (metrics.ts), against a benchmark asset. Definitions in docs/portfolio.md.
 */
import type { Database } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { INTERVALS, type Interval } from '../intervals.ts';
import { getAsset } from '../market/assets-repository.ts';
import { intervalsOfAssets } from '../market/candle-series.ts';
import { dailyValues } from './daily-values.ts';
import { findPair } from './fx.ts';
import { irr, maxDrawdown, twrIndex } from './metrics.ts';
import type { Portfolio } from './portfolios.ts';
import { transactionSummary } from './transactions.ts';

export interface PerformanceQuery {
  from?: string;
  to?: string;
  benchmark?: string;
  /** Today, for the default end (tests inject it). */
  now?: Date;
}

export type Performance = {
  portfolio: string;
  base_currency: string;
  from: string;
  to: string;
  days: {
    day: string;
    value: number;
    flow: number;
    priced: boolean;
    twr_index: number;
    benchmark_index: number | null;
  }[];
  start_value: number;
  end_value: number;
  net_flows: number;
  time_weighted_return: number;
  money_weighted_return: number | null;
  max_drawdown: number;
  benchmark: { symbol: string; return: number | null; max_drawdown: number } | null;
};

const DAY_MS = 86_400_000;
const dayOf = (d: Date) => d.toISOString().slice(0, 10);
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Daily closes: the stored 1d series, else the asset's finest (its days' last closes). */
function dailyInterval(series: Set<Interval> | undefined): Interval {
  if (!series || series.has('1d')) return '1d';
  return INTERVALS.find((i) => series.has(i)) ?? '1d';
}

function checkDay(v: string, what: string): string {
  if (!DAY_RE.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) {
    throw new UserError(`${what}: "${v}" is not a date (YYYY-MM-DD)`);
  }
  return v;
}

export async function performance(q: Database, p: Portfolio, opts: PerformanceQuery = {}): Promise<Performance> {
  const summary = await transactionSummary(q, p.id);
  const from = opts.from ? checkDay(opts.from, 'from') : summary.first_ts ? dayOf(summary.first_ts) : null;
  if (!from) throw new UserError('the portfolio has no transactions yet: nothing to measure');
  const to = opts.to ? checkDay(opts.to, 'to') : dayOf(opts.now ?? new Date());
  if (to < from) throw new UserError(`to (${to}) is before from (${from})`);
  if ((Date.parse(to) - Date.parse(from)) / DAY_MS > 366 * 50) throw new UserError('at most 50 years at a time');
  const pairs = [];
  for (const currency of summary.currencies.filter((c) => c !== p.base_currency)) {
    const pair = await findPair(q, currency, p.base_currency);
    pairs.push({ currency, asset_id: pair.assetId, inverse: pair.inverse });
  }
  const bench = opts.benchmark ? await getAsset(q, opts.benchmark) : null;
  const series = await intervalsOfAssets(q, [
    ...summary.assets.map((a) => a.asset_id),
    ...pairs.map((x) => x.asset_id),
    ...(bench ? [bench.id] : []),
  ]);
  const daily = (assetId: string) => dailyInterval(series.get(assetId));
  const baseline = dayOf(new Date(Date.parse(`${from}T00:00:00Z`) - DAY_MS));
  const rows = await dailyValues(q, {
    portfolioId: p.id,
    from: baseline,
    to,
    base: p.base_currency,
    assets: summary.assets.map((a) => ({ ...a, interval: daily(a.asset_id) })),
    pairs: pairs.map((x) => ({ ...x, interval: daily(x.asset_id) })),
    benchmark: bench ? { asset_id: bench.id, interval: daily(bench.id) } : null,
  });
  const start = rows[0];
  const days = rows.slice(1);
  const index = twrIndex(days, start.value);
  const firstBench = days.find((d) => d.benchmark !== null)?.benchmark ?? null;
  const benchIndex = days.map((d) => (d.benchmark === null || !firstBench ? null : d.benchmark / firstBench));
  const end = days[days.length - 1];
  const years = (day: string) => (Date.parse(day) - Date.parse(baseline)) / (365 * DAY_MS);
  const mwr = irr([
    { years: 0, amount: -start.value },
    ...days.filter((d) => d.flow !== 0).map((d) => ({ years: years(d.day), amount: -d.flow })),
    { years: years(end.day), amount: end.value },
  ]);
  const lastClose = days.findLast((d) => d.benchmark !== null)?.benchmark ?? null;
  // (last − first) / first, not last / first − 1: 110 against 100 gives 0.1, not 0.10000000000000009.
  const benchReturn = lastClose === null || !firstBench ? null : (lastClose - firstBench) / firstBench;
  return {
    portfolio: p.name,
    base_currency: p.base_currency,
    from,
    to,
    days: days.map((d, i) => ({ ...d, twr_index: index[i], benchmark_index: benchIndex[i] })),
    start_value: start.value,
    end_value: end.value,
    net_flows: days.reduce((s, d) => s + d.flow, 0),
    time_weighted_return: index[index.length - 1] - 1,
    money_weighted_return: mwr,
    max_drawdown: maxDrawdown(index),
    benchmark: bench
      ? {
          symbol: bench.exchange ? `${bench.symbol}:${bench.exchange}` : bench.symbol,
          return: benchReturn,
          max_drawdown: maxDrawdown(benchIndex),
        }
      : null,
  };
}
