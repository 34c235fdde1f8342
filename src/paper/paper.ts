/**
 * Paper trading (docs/portfolio.md, "Paper trading"): an account replays its strategy with the backtest
 * engine from its start over every closed bar, so its trades and equity are by construction those of
 * `tm backtest run` with the same strategy, settings and start. A run commits the fills of the bars
 * it newly processed (as buy and sell transactions of the account's portfolio) together with the new
 * last processed bar, in one database transaction: a crash loses nothing, a second run adds nothing.
 */
import { type BacktestReport, type BacktestSettings, runBacktest } from '../analysis/backtest/index.ts';
import { loadStrategyRun } from '../analysis/strategy-backtests.ts';
import type { Database, Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { bucketStart, type Interval } from '../intervals.ts';
import { createPortfolio, type Portfolio } from '../portfolio/portfolios.ts';
import { insertImported } from '../portfolio/transactions.ts';
import { checkTransaction } from '../portfolio/transaction-input.ts';
import { str } from '../portfolio/decimal.ts';
import { enqueuePaperFills } from '../notify/paper-fill.ts';
import { getPaperAccount, insertPaperAccount, type PaperAccount, setLastBar } from './accounts.ts';

export interface PaperStart {
  userId: string;
  name: string;
  currency?: string;
  strategy: string;
  version?: number;
  symbol: string;
  interval: Interval;
  from: Date | null;
  params?: unknown;
  settings: Partial<BacktestSettings>;
}

/** Creates the account and its portfolio with the starting cash deposited at the start. */
export async function startPaper(db: Database, s: PaperStart): Promise<Portfolio> {
  if (s.settings.short) throw new UserError('paper accounts trade long only (--short is not supported)');
  return db.transaction(async (tx) => {
    // Checks the strategy, parameters and settings the way a backtest does.
    const loaded = await loadStrategyRun(
      tx,
      {
        userId: s.userId,
        strategy: s.strategy,
        version: s.version,
        symbol: s.symbol,
        interval: s.interval,
        from: s.from,
        params: s.params,
        settings: s.settings,
      },
      0,
    );
    const from = s.from ?? (loaded.input.bars.ts.length ? new Date(loaded.input.bars.ts[0]) : null);
    if (!from) {
      throw new UserError(`${loaded.asset.symbol} has no ${s.interval} candles yet: give --from to start from a date`);
    }
    const p = await createPortfolio(tx, s.userId, { name: s.name, base_currency: s.currency });
    await insertPaperAccount(tx, {
      portfolioId: p.id,
      strategyId: loaded.strategy.strategy_id,
      strategyVersion: loaded.strategy.version,
      assetId: loaded.asset.id,
      interval: s.interval,
      from,
      params: loaded.params,
      settings: loaded.settings,
    });
    const deposit = checkTransaction(
      {
        type: 'deposit',
        ts: from,
        price: loaded.settings.cash,
        note: 'paper account start',
        import_key: 'paper:start',
      },
      p.base_currency,
    );
    await insertImported(tx, p.id, [{ t: deposit, assetId: null }]);
    return p;
  });
}

/** The replay over the account's bars up to `to` (null: none yet). */
async function replay(
  q: Queryable,
  a: PaperAccount,
  to: Date,
): Promise<{ report: BacktestReport; ts: Float64Array } | null> {
  const loaded = await loadStrategyRun(
    q,
    {
      userId: a.user_id,
      strategy: a.strategy,
      version: a.strategy_version,
      symbol: a.asset_id,
      interval: a.interval,
      from: a.from_ts,
      to,
      params: a.params,
      settings: a.settings,
    },
    0,
  );
  if (loaded.input.bars.ts.length === 0) return null;
  return { report: runBacktest(loaded.input), ts: loaded.input.bars.ts };
}

type Fill = { side: 'buy' | 'sell'; ts: string; price: number; size: number };

function fills(report: BacktestReport): Fill[] {
  const out: Fill[] = [];
  for (const t of report.trades) {
    out.push({ side: 'buy', ts: t.entry_time, price: t.entry_price, size: t.size });
    // A position still open at the last bar is valued, not sold.
    if (t.exit_reason !== 'end') out.push({ side: 'sell', ts: t.exit_time, price: t.exit_price, size: t.size });
  }
  return out;
}

export type PaperRun = { bars: number; fills: number; last_bar: string | null };

/** Processes every closed bar since the last one processed (a bar is closed once its interval has ended). */
export async function runPaper(db: Database, p: Portfolio, now: Date = new Date()): Promise<PaperRun> {
  return db.transaction(async (tx) => {
    const a = await getPaperAccount(tx, p.id, true);
    const r = await replay(tx, a, new Date(bucketStart(a.interval, now.getTime()) - 1));
    if (!r) return { bars: 0, fills: 0, last_bar: null };
    const done = a.last_bar_ts?.getTime() ?? Number.NEGATIVE_INFINITY;
    const bars = r.ts.filter((t) => t > done).length;
    const last = new Date(r.ts[r.ts.length - 1]);
    const fresh = fills(r.report).filter((f) => Date.parse(f.ts) > done);
    const rows = fresh.map((f) => ({
      t: checkTransaction(
        {
          type: f.side,
          ts: new Date(f.ts),
          symbol: a.asset_id,
          quantity: f.size,
          price: f.price,
          fee: f.size * f.price * a.settings.commission,
          note: `paper ${a.strategy} v${a.strategy_version}`,
          import_key: `paper:${f.side}:${f.ts}`,
        },
        p.base_currency,
      ),
      assetId: a.asset_id,
    }));
    const added = await insertImported(tx, p.id, rows);
    // Told in this transaction: a fill is notified exactly when it is committed.
    await enqueuePaperFills(
      tx,
      a.user_id,
      rows.map(({ t }, i) => ({
        account: p.name,
        portfolio_id: p.id,
        strategy: a.strategy,
        strategy_version: a.strategy_version,
        symbol: a.symbol,
        interval: a.interval,
        side: fresh[i].side,
        time: fresh[i].ts,
        quantity: str(t.quantity),
        price: str(t.price),
        fee: str(t.fee),
        currency: t.currency,
      })),
    );
    if (bars > 0) await setLastBar(tx, p.id, last);
    return { bars, fills: added, last_bar: (bars > 0 ? last : a.last_bar_ts)?.toISOString() ?? null };
  });
}

/** The account's trades and equity as of the last processed bar, in the backtest's shape. */
export async function paperReport(
  q: Queryable,
  p: Portfolio,
): Promise<{ account: PaperAccount; report: BacktestReport | null }> {
  const account = await getPaperAccount(q, p.id);
  const report = account.last_bar_ts ? ((await replay(q, account, account.last_bar_ts))?.report ?? null) : null;
  return { account, report };
}

export type PaperStatus = {
  name: string;
  strategy: string;
  strategy_version: number;
  symbol: string;
  interval: Interval;
  from: string;
  last_bar: string | null;
  cash: number;
  position: { size: number; entry_time: string; entry_price: number; last_price: number } | null;
  equity: number;
};

export async function paperStatus(q: Queryable, p: Portfolio): Promise<PaperStatus> {
  const { account: a, report } = await paperReport(q, p);
  const open = report?.trades.find((t) => t.exit_reason === 'end') ?? null;
  const equity = report ? report.final_equity : a.settings.cash;
  const lastPrice = open ? open.exit_price : 0;
  return {
    name: p.name,
    strategy: a.strategy,
    strategy_version: a.strategy_version,
    symbol: a.symbol,
    interval: a.interval,
    from: a.from_ts.toISOString(),
    last_bar: a.last_bar_ts?.toISOString() ?? null,
    cash: open ? equity - open.size * lastPrice : equity,
    position: open
      ? { size: open.size, entry_time: open.entry_time, entry_price: open.entry_price, last_price: lastPrice }
      : null,
    equity,
  };
}
