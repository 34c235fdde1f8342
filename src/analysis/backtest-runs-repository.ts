// Stored backtest runs: what ran (strategy version, parameters, range, settings) and what came out. Owns backtest_runs.
import type { Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import type { Interval } from '../intervals.ts';
import type { BacktestSettings, TradeReport } from './backtest/index.ts';

export interface NewBacktestRun {
  userId: string;
  strategyId: string;
  strategyVersion: number;
  assetId: string;
  interval: Interval;
  from: Date;
  to: Date;
  bars: number;
  params: Record<string, number>;
  settings: BacktestSettings;
  metrics: Record<string, number | null>;
  trades: TradeReport[];
  equity: Float64Array;
}

export interface BacktestRunSummary {
  id: string;
  strategy: string;
  strategy_version: number;
  symbol: string;
  interval: Interval;
  from_ts: Date;
  to_ts: Date;
  bars: number;
  params: Record<string, number>;
  settings: BacktestSettings;
  metrics: Record<string, number | null>;
  created_at: Date;
}

export interface BacktestRun extends BacktestRunSummary {
  trades: TradeReport[];
  equity: number[];
}

export async function saveBacktestRun(q: Queryable, r: NewBacktestRun): Promise<string> {
  const res = await q.query<{ id: string }>(
    `INSERT INTO backtest_runs (user_id, strategy_id, strategy_version, asset_id, "interval", from_ts, to_ts, bars,
       params, settings, metrics, trades, equity)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11::jsonb, $12::jsonb, $13::float8[])
     RETURNING id`,
    [
      r.userId,
      r.strategyId,
      r.strategyVersion,
      r.assetId,
      r.interval,
      r.from,
      r.to,
      r.bars,
      JSON.stringify(r.params),
      JSON.stringify(r.settings),
      JSON.stringify(r.metrics),
      JSON.stringify(r.trades),
      // One array parameter whatever the length (bind parameters are limited, array elements are not).
      `{${Array.from(r.equity, String).join(',')}}`,
    ],
  );
  return res.rows[0].id;
}

const SUMMARY = `r.id, s.name AS strategy, r.strategy_version, a.symbol, r."interval", r.from_ts, r.to_ts, r.bars,
  r.params, r.settings, r.metrics, r.created_at`;
const FROM = 'backtest_runs r JOIN strategies s ON s.id = r.strategy_id JOIN assets a ON a.id = r.asset_id';

/** The user's runs, newest first, without trades and equity. */
export async function listBacktestRuns(
  q: Queryable,
  userId: string,
  limit = 100,
  offset = 0,
): Promise<BacktestRunSummary[]> {
  const r = await q.query<BacktestRunSummary>(
    `SELECT ${SUMMARY} FROM ${FROM} WHERE r.user_id = $1 ORDER BY r.created_at DESC, r.id DESC LIMIT $2 OFFSET $3`,
    [userId, limit, offset],
  );
  return r.rows;
}

/** One of the user's runs with its trades and equity curve; a 404 UserError when missing or someone else's. */
export async function getBacktestRun(q: Queryable, userId: string, id: string): Promise<BacktestRun> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw new UserError(`"${id}" is not a backtest run id`);
  }
  const r = await q.query<BacktestRun>(
    `SELECT ${SUMMARY}, r.trades, r.equity FROM ${FROM} WHERE r.user_id = $1 AND r.id = $2`,
    [userId, id],
  );
  if (!r.rows[0]) throw new UserError(`no backtest run ${id}`, 404);
  return r.rows[0];
}
