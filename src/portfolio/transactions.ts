/**
 * The portfolio_transactions table: the one module with its SQL. Numbers are read as text (exact) and
 * ids as text (bigint). Callers check input first (transaction-input.ts) and resolve symbols.
 */
import type { Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { dec, type Dec } from './decimal.ts';
import { numericParams, type CheckedTransaction, type TransactionType } from './transaction-input.ts';

/** A stored transaction as the repository reads it. */
export interface Transaction {
  id: string;
  portfolio_id: string;
  type: TransactionType;
  ts: Date;
  asset_id: string | null;
  symbol: string | null;
  asset_type: string | null;
  quantity: Dec;
  price: Dec;
  fee: Dec;
  ratio: Dec | null;
  currency: string;
  note: string | null;
  import_key: string | null;
}

interface Row {
  id: string;
  portfolio_id: string;
  type: TransactionType;
  ts: Date;
  asset_id: string | null;
  symbol: string | null;
  asset_type: string | null;
  quantity: string;
  price: string;
  fee: string;
  ratio: string | null;
  currency: string;
  note: string | null;
  import_key: string | null;
}

const SELECT = `SELECT t.id::text AS id, t.portfolio_id, t.type, t.ts, t.asset_id,
    CASE WHEN a.exchange IS NULL THEN a.symbol ELSE a.symbol || ':' || a.exchange END AS symbol,
    a.asset_type::text AS asset_type, t.quantity::text AS quantity, t.price::text AS price, t.fee::text AS fee,
    t.ratio::text AS ratio, t.currency, t.note, t.import_key
  FROM portfolio_transactions t LEFT JOIN assets a ON a.id = t.asset_id`;

const fromRow = (r: Row): Transaction => ({
  ...r,
  quantity: dec(r.quantity),
  price: dec(r.price),
  fee: dec(r.fee),
  ratio: r.ratio === null ? null : dec(r.ratio),
});

export const TRANSACTION_NOT_FOUND = (id: string) => new UserError(`transaction ${id} not found`, 404);

/** A portfolio's transactions in the order they apply: time, then id (entry order). */
export async function listTransactions(
  q: Queryable,
  portfolioId: string,
  range: { from?: Date | null; to?: Date | null } = {},
): Promise<Transaction[]> {
  const r = await q.query<Row>(
    `${SELECT} WHERE t.portfolio_id = $1 AND ($2::timestamptz IS NULL OR t.ts >= $2)
       AND ($3::timestamptz IS NULL OR t.ts <= $3) ORDER BY t.ts, t.id`,
    [portfolioId, range.from ?? null, range.to ?? null],
  );
  return r.rows.map(fromRow);
}

export async function getTransaction(q: Queryable, portfolioId: string, id: string): Promise<Transaction> {
  if (!/^\d{1,18}$/.test(id)) throw TRANSACTION_NOT_FOUND(id);
  const r = await q.query<Row>(`${SELECT} WHERE t.portfolio_id = $1 AND t.id = $2::bigint`, [portfolioId, id]);
  if (!r.rows[0]) throw TRANSACTION_NOT_FOUND(id);
  return fromRow(r.rows[0]);
}

export async function insertTransaction(
  q: Queryable,
  portfolioId: string,
  t: CheckedTransaction,
  assetId: string | null,
): Promise<string> {
  const r = await q.query<{ id: string }>(
    `INSERT INTO portfolio_transactions
       (portfolio_id, type, ts, asset_id, quantity, price, fee, ratio, currency, note, import_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id::text AS id`,
    [portfolioId, t.type, t.ts.toISOString(), assetId, ...numericParams(t), t.currency, t.note, t.import_key],
  );
  return r.rows[0].id;
}

/**
 * Inserts imported rows in one statement; rows whose import key the portfolio already has are left
 * alone (a re-import changes nothing). Answers how many were new. Callers keep a batch under the
 * embedded backend's bind-parameter limit: 11 arrays, whatever the row count.
 */
export async function insertImported(
  q: Queryable,
  portfolioId: string,
  rows: { t: CheckedTransaction; assetId: string | null }[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const col = <T>(f: (r: { t: CheckedTransaction; assetId: string | null }) => T) => rows.map(f);
  const r = await q.query(
    `INSERT INTO portfolio_transactions
       (portfolio_id, type, ts, asset_id, quantity, price, fee, ratio, currency, note, import_key)
     SELECT $1, u.type, u.ts, u.asset_id, u.quantity, u.price, u.fee, u.ratio, u.currency, u.note, u.import_key
     FROM unnest($2::text[], $3::timestamptz[], $4::uuid[], $5::numeric[], $6::numeric[], $7::numeric[],
                 $8::numeric[], $9::text[], $10::text[], $11::text[])
          AS u(type, ts, asset_id, quantity, price, fee, ratio, currency, note, import_key)
     ON CONFLICT (portfolio_id, import_key) DO NOTHING`,
    [
      portfolioId,
      col((r) => r.t.type),
      col((r) => r.t.ts.toISOString()),
      col((r) => r.assetId),
      ...[0, 1, 2, 3].map((i) => col((r) => numericParams(r.t)[i])),
      col((r) => r.t.currency),
      col((r) => r.t.note),
      col((r) => r.t.import_key),
    ],
  );
  return r.rowCount;
}

/** Replaces a transaction's fields (its import key stays). */
export async function updateTransaction(
  q: Queryable,
  portfolioId: string,
  id: string,
  t: CheckedTransaction,
  assetId: string | null,
): Promise<void> {
  await getTransaction(q, portfolioId, id);
  await q.query(
    `UPDATE portfolio_transactions SET type = $3, ts = $4, asset_id = $5, quantity = $6, price = $7, fee = $8,
       ratio = $9, currency = $10, note = $11, updated_at = now()
     WHERE portfolio_id = $1 AND id = $2::bigint`,
    [portfolioId, id, t.type, t.ts.toISOString(), assetId, ...numericParams(t), t.currency, t.note],
  );
}

export async function deleteTransaction(q: Queryable, portfolioId: string, id: string): Promise<Transaction> {
  const t = await getTransaction(q, portfolioId, id);
  await q.query('DELETE FROM portfolio_transactions WHERE portfolio_id = $1 AND id = $2::bigint', [portfolioId, id]);
  return t;
}

/** The assets a portfolio has traded (with the currency of their first transaction), its currencies and first day. */
export async function transactionSummary(
  q: Queryable,
  portfolioId: string,
): Promise<{ assets: { asset_id: string; currency: string }[]; currencies: string[]; first_ts: Date | null }> {
  const a = await q.query<{ asset_id: string; currency: string }>(
    `SELECT DISTINCT ON (asset_id) asset_id, currency FROM portfolio_transactions
     WHERE portfolio_id = $1 AND asset_id IS NOT NULL ORDER BY asset_id, ts, id`,
    [portfolioId],
  );
  const c = await q.query<{ currency: string; first_ts: Date }>(
    'SELECT currency, min(ts) AS first_ts FROM portfolio_transactions WHERE portfolio_id = $1 GROUP BY currency',
    [portfolioId],
  );
  const firsts = c.rows.map((r) => r.first_ts.getTime());
  return {
    assets: a.rows,
    currencies: c.rows.map((r) => r.currency).sort(),
    first_ts: firsts.length ? new Date(Math.min(...firsts)) : null,
  };
}
