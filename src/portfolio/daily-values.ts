/**
 * The value of a portfolio per day, computed in one SQL statement from its transactions and the
 * candles (docs/portfolio.md, "Performance"). Per asset and UTC day: the quantity held (trades summed
 * in units after every later split, then scaled back by the splits still to come), the day's last close
 * carried forward over days without one; cash per currency summed the same way; each converted to the
 * base currency with its forex pair's close of the day. Reads of candles are bounded by the range, so
 * the cost grows with the days asked, not with the whole history.
 */
import type { Queryable } from '../db/types.ts';
import type { Interval } from '../intervals.ts';

export interface PricedSeries {
  asset_id: string;
  interval: Interval;
}

export interface DailyInput {
  portfolioId: string;
  from: string; // YYYY-MM-DD
  to: string;
  /** Held assets: their price series and currency. */
  assets: (PricedSeries & { currency: string })[];
  /** Currencies other than the base: the pair's series, and whether it quotes base per currency inversely. */
  pairs: (PricedSeries & { currency: string; inverse: boolean })[];
  benchmark: PricedSeries | null;
  base: string;
}

export interface DailyValue {
  day: string;
  value: number;
  /** Money put in (+) or taken out (−) that day, in the base currency. */
  flow: number;
  /** False when a held asset or a currency had no price yet (counted as 0). */
  priced: boolean;
  benchmark: number | null;
}

const SQL = `
WITH days AS (
  SELECT d::date AS day FROM generate_series($2::date, $3::date, interval '1 day') AS d
), series AS (
  SELECT DISTINCT asset_id, iv FROM unnest($4::uuid[], $5::text[]) AS s(asset_id, iv)
), closes AS (
  SELECT c.asset_id, (c.ts AT TIME ZONE 'UTC')::date AS day, (array_agg(c.close ORDER BY c.ts DESC))[1]::numeric AS close
  FROM series s JOIN candles c ON c.asset_id = s.asset_id AND c."interval" = s.iv::candle_interval
  WHERE c.ts >= $6::timestamptz AND c.ts < $7::timestamptz
  GROUP BY 1, 2
), before AS (
  SELECT s.asset_id, x.close::numeric AS close FROM series s
  CROSS JOIN LATERAL (SELECT close FROM candles c
    WHERE c.asset_id = s.asset_id AND c."interval" = s.iv::candle_interval AND c.ts < $6::timestamptz
    ORDER BY c.ts DESC LIMIT 1) x
), grid AS (
  SELECT s.asset_id, d.day, coalesce(c.close, CASE WHEN d.day = $2::date THEN b.close END) AS close
  FROM series s CROSS JOIN days d
  LEFT JOIN closes c ON c.asset_id = s.asset_id AND c.day = d.day
  LEFT JOIN before b ON b.asset_id = s.asset_id
), price AS (
  SELECT asset_id, day, first_value(close) OVER (PARTITION BY asset_id, grp ORDER BY day) AS close
  FROM (SELECT *, count(close) OVER (PARTITION BY asset_id ORDER BY day) AS grp FROM grid) g
), fx AS (
  SELECT f.currency, p.day, CASE WHEN f.inverse THEN 1 / p.close ELSE p.close END AS rate
  FROM unnest($8::text[], $9::uuid[], $10::boolean[]) AS f(currency, asset_id, inverse)
  JOIN price p ON p.asset_id = f.asset_id
  UNION ALL
  SELECT $11::text, day, 1 FROM days
), tx AS (
  SELECT t.*, (t.ts AT TIME ZONE 'UTC')::date AS day,
    CASE WHEN t.asset_id IS NULL THEN 0
         WHEN t.type IN ('buy', 'transfer_in') THEN t.quantity
         WHEN t.type IN ('sell', 'transfer_out') THEN -t.quantity ELSE 0 END AS dq,
    CASE WHEN t.type = 'split' THEN ln(t.ratio) ELSE 0 END AS dln,
    CASE WHEN t.type IN ('sell', 'deposit', 'dividend', 'interest') THEN t.quantity * t.price - t.fee
         WHEN t.type = 'transfer_in' AND t.asset_id IS NULL THEN t.quantity * t.price - t.fee
         WHEN t.type IN ('buy', 'withdrawal', 'fee') THEN -(t.quantity * t.price + t.fee)
         WHEN t.type = 'transfer_out' AND t.asset_id IS NULL THEN -(t.quantity * t.price + t.fee)
         ELSE -t.fee END AS dcash,
    CASE WHEN t.type IN ('deposit', 'transfer_in') THEN t.quantity * t.price - CASE WHEN t.asset_id IS NULL THEN t.fee ELSE 0 END
         WHEN t.type IN ('withdrawal', 'transfer_out') THEN -(t.quantity * t.price) - CASE WHEN t.asset_id IS NULL THEN t.fee ELSE 0 END
         ELSE 0 END AS dflow
  FROM portfolio_transactions t WHERE t.portfolio_id = $1 AND t.ts < $7::timestamptz
), adj AS (
  -- A trade's quantity in units after every later split of its asset (ln of the ratios still to come).
  SELECT asset_id, day, dln,
    dq * exp(sum(dln) OVER (PARTITION BY asset_id) - sum(dln) OVER (PARTITION BY asset_id ORDER BY ts, id)) AS dq
  FROM tx WHERE asset_id IS NOT NULL
), held AS (
  SELECT DISTINCT a.asset_id, a.currency FROM unnest($12::uuid[], $13::text[]) AS a(asset_id, currency)
), seeds AS (
  SELECT h.asset_id, h.currency,
    coalesce(sum(tx.dq) FILTER (WHERE tx.day < $2::date), 0) AS seed_q,
    coalesce(sum(tx.dln) FILTER (WHERE tx.day < $2::date), 0) AS seed_ln,
    coalesce(sum(tx.dln), 0) AS total_ln
  FROM held h LEFT JOIN adj tx ON tx.asset_id = h.asset_id GROUP BY 1, 2
), asset_ev AS (
  SELECT s.asset_id, s.currency, d.day, s.seed_q, s.seed_ln, s.total_ln,
    coalesce(e.dq, 0) AS dq, coalesce(e.dln, 0) AS dln
  FROM seeds s CROSS JOIN days d
  LEFT JOIN (SELECT asset_id, day, sum(dq) AS dq, sum(dln) AS dln FROM adj
             WHERE day >= $2::date GROUP BY 1, 2) e
    ON e.asset_id = s.asset_id AND e.day = d.day
), holding AS (
  SELECT asset_id, currency, day,
    (seed_q + sum(dq) OVER w) * exp(seed_ln + sum(dln) OVER w - total_ln) AS quantity
  FROM asset_ev WINDOW w AS (PARTITION BY asset_id ORDER BY day)
), cash_seeds AS (
  SELECT currency, coalesce(sum(dcash) FILTER (WHERE day < $2::date), 0) AS seed FROM tx GROUP BY 1
), cash_ev AS (
  SELECT c.currency, d.day, c.seed, coalesce(e.dcash, 0) AS dcash, coalesce(e.dflow, 0) AS dflow
  FROM cash_seeds c CROSS JOIN days d
  LEFT JOIN (SELECT currency, day, sum(dcash) AS dcash, sum(dflow) AS dflow FROM tx
             WHERE day >= $2::date GROUP BY 1, 2) e
    ON e.currency = c.currency AND e.day = d.day
), cash AS (
  SELECT currency, day, seed + sum(dcash) OVER (PARTITION BY currency ORDER BY day) AS amount, dflow FROM cash_ev
), parts AS (
  SELECT h.day, h.quantity * p.close * r.rate AS value, 0::numeric AS flow,
    h.quantity = 0 OR (p.close IS NOT NULL AND r.rate IS NOT NULL) AS priced
  FROM holding h JOIN price p ON p.asset_id = h.asset_id AND p.day = h.day
  LEFT JOIN fx r ON r.currency = h.currency AND r.day = h.day
  UNION ALL
  SELECT c.day, c.amount * r.rate, c.dflow * r.rate, (c.amount = 0 AND c.dflow = 0) OR r.rate IS NOT NULL
  FROM cash c LEFT JOIN fx r ON r.currency = c.currency AND r.day = c.day
), per_day AS (
  SELECT day, round(sum(value), 10) AS value, round(sum(flow), 10) AS flow, bool_and(priced) AS priced
  FROM parts GROUP BY day
)
SELECT to_char(d.day, 'YYYY-MM-DD') AS day, coalesce(v.value, 0)::float8 AS value,
  coalesce(v.flow, 0)::float8 AS flow, coalesce(v.priced, true) AS priced, b.close::float8 AS benchmark
FROM days d LEFT JOIN per_day v ON v.day = d.day
LEFT JOIN price b ON b.asset_id = $14::uuid AND b.day = d.day
ORDER BY d.day`;

const midnight = (day: string, plus = 0) => new Date(Date.parse(`${day}T00:00:00Z`) + plus * 86_400_000).toISOString();

export async function dailyValues(q: Queryable, input: DailyInput): Promise<DailyValue[]> {
  const all = [...input.assets, ...input.pairs, ...(input.benchmark ? [input.benchmark] : [])];
  const r = await q.query<DailyValue>(SQL, [
    input.portfolioId,
    input.from,
    input.to,
    all.map((s) => s.asset_id),
    all.map((s) => s.interval),
    midnight(input.from),
    midnight(input.to, 1),
    input.pairs.map((p) => p.currency),
    input.pairs.map((p) => p.asset_id),
    input.pairs.map((p) => p.inverse),
    input.base,
    input.assets.map((a) => a.asset_id),
    input.assets.map((a) => a.currency),
    input.benchmark?.asset_id ?? null,
  ]);
  return r.rows;
}
