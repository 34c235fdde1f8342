/**
 * The value of a portfolio per day, computed in one SQL statement from its transactions and the daily
 * closes (src/analysis/daily-closes.ts: each priced series' close of every day from its first to its last,
 * brought up to date first) (docs/portfolio.md, "Performance"). Per asset and UTC day: the quantity held
 * (trades summed in units after every later split, then scaled back by the splits still to come) times
 * the day's close; cash per currency summed the same way; each converted to the base currency with its
 * forex pair's close of the day.
 */
import { refreshDailyCloses } from '../analysis/daily-closes.ts';
import type { Database } from '../db/types.ts';
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

/**
 * No sort or window over the (asset, day) rows: a quantity holds from its trade day to the day before the
 * next one (a run, a few per asset), and each run meets the daily closes of its days through the
 * table's key (an index range scan per run); days after a series' last close hold that close, days
 * before its first have no price. The (currency, day) sums are one hash aggregate. Values are float8
 * products: docs/portfolio.md says daily values are floating point; each day's total is rounded to 8 places.
 */
const SQL = `
WITH days AS (
  SELECT d::date AS day FROM generate_series($2::date, $3::date, interval '1 day') AS d
), series AS (
  SELECT DISTINCT asset_id, iv FROM unnest($4::uuid[], $5::text[]) AS s(asset_id, iv)
), ends AS (
  -- Each series' stored days run without a gap from its first to its last close; after that, the last holds.
  SELECT s.asset_id, s.iv, l.day AS last_day, l.close AS last_close, f.day AS first_day
  FROM series s
  LEFT JOIN LATERAL (SELECT day, close FROM daily_closes c WHERE c.asset_id = s.asset_id AND c."interval" = s.iv::candle_interval
                     ORDER BY day DESC LIMIT 1) l ON true
  LEFT JOIN LATERAL (SELECT day FROM daily_closes c WHERE c.asset_id = s.asset_id AND c."interval" = s.iv::candle_interval
                     ORDER BY day LIMIT 1) f ON true
), tx AS (
  SELECT t.*, (t.ts AT TIME ZONE 'UTC')::date AS day,
    CASE WHEN t.asset_id IS NULL THEN 0
         WHEN t.type IN ('buy', 'transfer_in') THEN t.quantity
         WHEN t.type IN ('sell', 'transfer_out') THEN -t.quantity ELSE 0 END AS dq,
    CASE WHEN t.type = 'split' THEN ln(t.ratio::float8) ELSE 0 END AS dln,
    CASE WHEN t.type IN ('sell', 'deposit', 'dividend', 'interest') THEN t.quantity * t.price - t.fee
         WHEN t.type = 'transfer_in' AND t.asset_id IS NULL THEN t.quantity * t.price - t.fee
         WHEN t.type IN ('buy', 'withdrawal', 'fee') THEN -(t.quantity * t.price + t.fee)
         WHEN t.type = 'transfer_out' AND t.asset_id IS NULL THEN -(t.quantity * t.price + t.fee)
         ELSE -t.fee END AS dcash,
    CASE WHEN t.type IN ('deposit', 'transfer_in') THEN t.quantity * t.price - CASE WHEN t.asset_id IS NULL THEN t.fee ELSE 0 END
         WHEN t.type IN ('withdrawal', 'transfer_out') THEN -(t.quantity * t.price) - CASE WHEN t.asset_id IS NULL THEN t.fee ELSE 0 END
         ELSE 0 END AS dflow
  FROM portfolio_transactions t WHERE t.portfolio_id = $1 AND t.ts < (($3::date + 1)::timestamp AT TIME ZONE 'UTC')
), adj AS (
  -- A trade's quantity in units after every later split of its asset (ln of the ratios still to come).
  SELECT asset_id, day, dln, sum(dln) OVER (PARTITION BY asset_id) AS total_ln,
    dq::float8 * exp(sum(dln) OVER (PARTITION BY asset_id) - sum(dln) OVER (PARTITION BY asset_id ORDER BY ts, id)) AS dq
  FROM tx WHERE asset_id IS NOT NULL
), qday AS (
  SELECT asset_id, day, sum(dq) AS dq, sum(dln) AS dln, max(total_ln) AS total_ln FROM adj GROUP BY 1, 2
), qrun AS (
  -- The quantity held at the end of each trade day, in that day's units; it holds until the next trade day.
  SELECT asset_id, day, (sum(dq) OVER w) * exp(sum(dln) OVER w - total_ln) AS quantity, lead(day) OVER w AS next
  FROM qday WINDOW w AS (PARTITION BY asset_id ORDER BY day)
), runs AS (
  -- Per held asset, each quantity and the days of the range it holds on.
  SELECT e.asset_id, e.iv, h.currency, q.quantity, (abs(q.quantity) >= 1e-9)::int AS holds, e.first_day, e.last_day, e.last_close,
    greatest(q.day, $2::date) AS d0, least(coalesce(q.next - 1, $3::date), $3::date) AS d1
  FROM qrun q
  JOIN (SELECT DISTINCT a.asset_id, a.currency FROM unnest($10::uuid[], $11::text[]) AS a(asset_id, currency)) h ON h.asset_id = q.asset_id
  JOIN ends e ON e.asset_id = q.asset_id
  WHERE q.day <= $3::date AND coalesce(q.next - 1, $3::date) >= $2::date
), asset_day AS (
  SELECT r.currency, c.day, r.quantity * c.close AS value, 0 AS unpriced, r.holds
  FROM runs r JOIN daily_closes c ON c.asset_id = r.asset_id AND c."interval" = r.iv::candle_interval AND c.day BETWEEN r.d0 AND r.d1
  UNION ALL
  SELECT r.currency, g::date, r.quantity * r.last_close, 0, r.holds
  FROM runs r CROSS JOIN LATERAL generate_series(greatest(r.d0, r.last_day + 1), r.d1, interval '1 day') AS g
  WHERE r.last_day < r.d1
  UNION ALL
  -- Days before the asset's first close: held without a price.
  SELECT r.currency, g::date, 0, r.holds, r.holds
  FROM runs r CROSS JOIN LATERAL generate_series(r.d0, least(r.d1, coalesce(r.first_day - 1, r.d1)), interval '1 day') AS g
  WHERE r.first_day IS NULL OR r.first_day > r.d0
), by_currency AS (
  SELECT currency, day, sum(value) AS value, sum(unpriced) AS unpriced, sum(holds) AS holds FROM asset_day GROUP BY 1, 2
), pday AS (
  -- Per forex pair and the benchmark: the close of each day, carried after the last one.
  SELECT c.asset_id, c.day, c.close
  FROM ends e JOIN daily_closes c ON c.asset_id = e.asset_id AND c."interval" = e.iv::candle_interval AND c.day BETWEEN $2::date AND $3::date
  WHERE e.asset_id = ANY($7::uuid[]) OR e.asset_id = $12::uuid
  UNION ALL
  SELECT e.asset_id, g::date, e.last_close
  FROM ends e CROSS JOIN LATERAL generate_series(greatest($2::date, e.last_day + 1), $3::date, interval '1 day') AS g
  WHERE (e.asset_id = ANY($7::uuid[]) OR e.asset_id = $12::uuid) AND e.last_day < $3::date
), fx AS (
  SELECT f.currency, p.day, CASE WHEN f.inverse THEN 1 / p.close ELSE p.close END AS rate
  FROM unnest($6::text[], $7::uuid[], $8::boolean[]) AS f(currency, asset_id, inverse)
  JOIN pday p ON p.asset_id = f.asset_id
  UNION ALL
  SELECT $9::text, day, 1::float8 FROM days
), cash_seeds AS (
  SELECT currency, coalesce(sum(dcash) FILTER (WHERE day < $2::date), 0) AS seed FROM tx GROUP BY 1
), cash_ev AS (
  SELECT c.currency, d.day, c.seed, coalesce(e.dcash, 0) AS dcash, coalesce(e.dflow, 0) AS dflow
  FROM cash_seeds c CROSS JOIN days d
  LEFT JOIN (SELECT currency, day, sum(dcash) AS dcash, sum(dflow) AS dflow FROM tx
             WHERE day >= $2::date GROUP BY 1, 2) e
    ON e.currency = c.currency AND e.day = d.day
), cash AS (
  SELECT currency, day, (seed + sum(dcash) OVER (PARTITION BY currency ORDER BY day))::float8 AS amount,
    dflow::float8 AS dflow FROM cash_ev
), parts AS (
  SELECT v.day, v.value * r.rate AS value, 0::float8 AS flow, v.unpriced = 0 AND (v.holds = 0 OR r.rate IS NOT NULL) AS priced
  FROM by_currency v LEFT JOIN fx r ON r.currency = v.currency AND r.day = v.day
  UNION ALL
  SELECT c.day, c.amount * r.rate, c.dflow * r.rate, (c.amount = 0 AND c.dflow = 0) OR r.rate IS NOT NULL
  FROM cash c LEFT JOIN fx r ON r.currency = c.currency AND r.day = c.day
), per_day AS (
  -- Float sums of many parts differ from the decimal sum in the last bits: rounded to 8 places.
  SELECT day, round(sum(value)::numeric, 8) AS value, round(sum(flow)::numeric, 8) AS flow, bool_and(priced) AS priced
  FROM parts GROUP BY day
)
SELECT to_char(d.day, 'YYYY-MM-DD') AS day, coalesce(v.value, 0)::float8 AS value,
  coalesce(v.flow, 0)::float8 AS flow, coalesce(v.priced, true) AS priced, b.close AS benchmark
FROM days d LEFT JOIN per_day v ON v.day = d.day
LEFT JOIN pday b ON b.asset_id = $12::uuid AND b.day = d.day
ORDER BY d.day`;

/** The value per day; brings the daily closes of the priced series up to date first (src/analysis/daily-closes.ts). */
export async function dailyValues(db: Database, input: DailyInput): Promise<DailyValue[]> {
  const all = [...input.assets, ...input.pairs, ...(input.benchmark ? [input.benchmark] : [])];
  await refreshDailyCloses(db, all);
  const r = await db.query<DailyValue>(SQL, [
    input.portfolioId,
    input.from,
    input.to,
    all.map((s) => s.asset_id),
    all.map((s) => s.interval),
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
