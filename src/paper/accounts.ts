/**
 * Paper accounts (docs/portfolio.md, "Paper trading"): owns the paper_accounts table. An account is a
 * portfolio of the same name plus what it trades: a strategy version, an asset and interval, the
 * backtest's settings, the start, and the last closed bar it processed.
 */
import type { Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import type { Interval } from '../intervals.ts';
import type { BacktestSettings } from '../analysis/backtest/index.ts';

export type PaperAccount = {
  portfolio_id: string;
  user_id: string;
  strategy: string;
  strategy_version: number;
  asset_id: string;
  symbol: string;
  interval: Interval;
  from_ts: Date;
  params: Record<string, number>;
  settings: BacktestSettings;
  last_bar_ts: Date | null;
};

export interface NewPaperAccount {
  portfolioId: string;
  strategyId: string;
  strategyVersion: number;
  assetId: string;
  interval: Interval;
  from: Date;
  params: Record<string, number>;
  settings: BacktestSettings;
}

export async function insertPaperAccount(q: Queryable, a: NewPaperAccount): Promise<void> {
  await q.query(
    `INSERT INTO paper_accounts (portfolio_id, strategy_id, strategy_version, asset_id, "interval", from_ts, params, settings)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      a.portfolioId,
      a.strategyId,
      a.strategyVersion,
      a.assetId,
      a.interval,
      a.from.toISOString(),
      JSON.stringify(a.params),
      JSON.stringify(a.settings),
    ],
  );
}

const ACCOUNT_COLUMNS = `a.portfolio_id, p.user_id, s.name AS strategy, a.strategy_version, a.asset_id, x.symbol,
     a."interval"::text AS "interval", a.from_ts, a.params, a.settings, a.last_bar_ts`;
const ACCOUNT_FROM = `FROM paper_accounts a JOIN portfolios p ON p.id = a.portfolio_id
     JOIN strategies s ON s.id = a.strategy_id JOIN assets x ON x.id = a.asset_id`;

/** A user's paper accounts, by name; each with its portfolio's name and base currency. */
export async function listPaperAccounts(
  q: Queryable,
  userId: string,
): Promise<(PaperAccount & { name: string; base_currency: string })[]> {
  const r = await q.query<PaperAccount & { name: string; base_currency: string }>(
    `SELECT ${ACCOUNT_COLUMNS}, p.name, p.base_currency ${ACCOUNT_FROM}
     WHERE p.user_id = $1 ORDER BY lower(p.name), p.id`,
    [userId],
  );
  return r.rows;
}

/** Whether a portfolio is a paper account. */
export async function isPaperAccount(q: Queryable, portfolioId: string): Promise<boolean> {
  const r = await q.query('SELECT 1 FROM paper_accounts WHERE portfolio_id = $1', [portfolioId]);
  return r.rows.length > 0;
}

/** The account of a portfolio; `lock` holds its row until the transaction ends (one run at a time). */
export async function getPaperAccount(q: Queryable, portfolioId: string, lock = false): Promise<PaperAccount> {
  const r = await q.query<PaperAccount>(
    `SELECT ${ACCOUNT_COLUMNS} ${ACCOUNT_FROM} WHERE a.portfolio_id = $1${lock ? ' FOR UPDATE OF a' : ''}`,
    [portfolioId],
  );
  if (r.rows.length === 0) throw new UserError('that portfolio is not a paper account (start one with tm paper start)');
  return r.rows[0];
}

export async function setLastBar(q: Queryable, portfolioId: string, ts: Date): Promise<void> {
  await q.query('UPDATE paper_accounts SET last_bar_ts = $2 WHERE portfolio_id = $1', [portfolioId, ts.toISOString()]);
}

/** An account whose series has a bar after the last one it processed (closed or not: the run decides). */
export type DueAccount = {
  portfolio_id: string;
  user_id: string;
  interval: Interval;
  last_bar_ts: Date | null;
  series_last_ts: Date;
};

/**
 * Accounts with newer bars stored than they processed, read from candle_series: every candle write
 * (sync, import, the API, plain SQL through migration 0012's triggers) widens its last_ts in the writing
 * transaction, so a committed bar is never missed. One small join, cheap enough to poll.
 */
export async function listDueAccounts(q: Queryable): Promise<DueAccount[]> {
  const r = await q.query<DueAccount>(
    `SELECT a.portfolio_id, p.user_id, a."interval"::text AS "interval", a.last_bar_ts, s.last_ts AS series_last_ts
     FROM paper_accounts a JOIN portfolios p ON p.id = a.portfolio_id
     JOIN candle_series s ON s.asset_id = a.asset_id AND s."interval" = a."interval"
     WHERE a.last_bar_ts IS NULL OR s.last_ts > a.last_bar_ts
     ORDER BY a.portfolio_id`,
  );
  return r.rows;
}
