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

/**
 * One read of the candles, one sort of the (asset, day) events, no row expanded per day. The candles of
 * every priced series in the range are read once (the close carried in from before it is read
 * beforehand, see closesBefore). Per held asset, its closes and its trade days (the quantity at the
 * day's end) form one ordered stream: each row carries the latest quantity and the latest close (the
 * max of [position, value] over the rows before it, a running "last value"), so the row's value is
 * quantity × close, and its change from the previous row (numeric, so that the changes add up exactly)
 * is summed per currency and day. A running sum of those changes over the days is each currency's
 * holdings value on every day, days without any event included; the same for the count of held assets
 * without a close (priced) and of held assets. Forex pairs and the benchmark get a close per day from
 * a grid of days × series. Values are float8 products: docs/portfolio.md says daily values are
 * floating point; each day's total is rounded to 8 places.
 */
const SQL = `
WITH days AS (
  SELECT d::date AS day FROM generate_series($2::date, $3::date, interval '1 day') AS d
), series AS (
  SELECT DISTINCT asset_id, iv FROM unnest($4::uuid[], $5::text[]) AS s(asset_id, iv)
), raw AS MATERIALIZED (
  SELECT c.asset_id, c.ts, c.close
  FROM series s JOIN candles c ON c.asset_id = s.asset_id AND c."interval" = s.iv::candle_interval
  WHERE c.ts >= $6::timestamptz AND c.ts < $7::timestamptz
  UNION ALL
  SELECT b.asset_id, $6::timestamptz - interval '1 day', b.close FROM unnest($15::uuid[], $16::float8[]) AS b(asset_id, close)
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
  FROM portfolio_transactions t WHERE t.portfolio_id = $1 AND t.ts < $7::timestamptz
), adj AS (
  -- A trade's quantity in units after every later split of its asset (ln of the ratios still to come).
  SELECT asset_id, day, dln, sum(dln) OVER (PARTITION BY asset_id) AS total_ln,
    dq::float8 * exp(sum(dln) OVER (PARTITION BY asset_id) - sum(dln) OVER (PARTITION BY asset_id ORDER BY ts, id)) AS dq
  FROM tx WHERE asset_id IS NOT NULL
), qday AS (
  SELECT asset_id, day, sum(dq) AS dq, sum(dln) AS dln, max(total_ln) AS total_ln FROM adj GROUP BY 1, 2
), qrun AS (
  -- The quantity held at the end of each trade day, in that day's units; it holds until the next trade day.
  SELECT asset_id, day, (sum(dq) OVER w) * exp(sum(dln) OVER w - total_ln) AS quantity
  FROM qday WINDOW w AS (PARTITION BY asset_id ORDER BY day)
), held AS (
  SELECT asset_id, currency, (row_number() OVER ())::int AS n, (dense_rank() OVER (ORDER BY currency))::int AS cur
  FROM (SELECT DISTINCT a.asset_id, a.currency FROM unnest($12::uuid[], $13::text[]) AS a(asset_id, currency)) x
), ev AS (
  -- Events before the range count on its first day; a day's trades come before its closes.
  SELECT h.n, h.cur, greatest(q.day, $2::date) AS day, 0 AS k, (q.day - $2::date)::float8 AS pos, q.quantity, NULL::float8 AS close
  FROM qrun q JOIN held h ON h.asset_id = q.asset_id WHERE q.day <= $3::date
  UNION ALL
  SELECT h.n, h.cur, greatest((r.ts AT TIME ZONE 'UTC')::date, $2::date), 1, date_part('epoch', r.ts), NULL, r.close
  FROM raw r JOIN held h ON h.asset_id = r.asset_id
), carried AS (
  SELECT cur, day,
    (max(ARRAY[pos, quantity]) FILTER (WHERE k = 0) OVER w)[2] AS q, (max(ARRAY[pos, close]) FILTER (WHERE k = 1) OVER w)[2] AS c,
    (max(ARRAY[pos, quantity]) FILTER (WHERE k = 0) OVER p)[2] AS pq, (max(ARRAY[pos, close]) FILTER (WHERE k = 1) OVER p)[2] AS pc
  FROM ev WINDOW w AS (PARTITION BY n ORDER BY day, k, pos ROWS UNBOUNDED PRECEDING),
    p AS (PARTITION BY n ORDER BY day, k, pos ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
), change AS (
  -- Each row's change of its asset's value (numeric: the changes add up to the value exactly).
  SELECT cur, day, sum(coalesce(q * c, 0)::numeric - coalesce(pq * pc, 0)::numeric) AS value,
    sum((abs(coalesce(q, 0)) >= 1e-9 AND c IS NULL)::int - (abs(coalesce(pq, 0)) >= 1e-9 AND pc IS NULL)::int) AS unpriced,
    sum((abs(coalesce(q, 0)) >= 1e-9)::int - (abs(coalesce(pq, 0)) >= 1e-9)::int) AS holds
  FROM carried GROUP BY 1, 2
), by_currency AS (
  SELECT c.currency, d.day, sum(coalesce(e.value, 0)) OVER w AS value,
    sum(coalesce(e.unpriced, 0)) OVER w AS unpriced, sum(coalesce(e.holds, 0)) OVER w AS holds
  FROM (SELECT DISTINCT currency, cur FROM held) c CROSS JOIN days d
  LEFT JOIN change e ON e.cur = c.cur AND e.day = d.day
  WINDOW w AS (PARTITION BY c.cur ORDER BY d.day)
), pday AS (
  -- Per forex pair and the benchmark: the close of each day, carried over days without one.
  SELECT asset_id, day, close FROM (
    SELECT asset_id, day, k, (max(ARRAY[pos, close]) FILTER (WHERE k = 0) OVER w)[2] AS close
    FROM (SELECT r.asset_id, (r.ts AT TIME ZONE 'UTC')::date AS day, 0 AS k, date_part('epoch', r.ts) AS pos, r.close
          FROM raw r WHERE r.asset_id = ANY($9::uuid[]) OR r.asset_id = $14::uuid
          UNION ALL
          SELECT s.asset_id, d.day, 1, 0, NULL FROM unnest(array_append($9::uuid[], $14::uuid)) AS s(asset_id) CROSS JOIN days d
          WHERE s.asset_id IS NOT NULL) x
    WINDOW w AS (PARTITION BY asset_id ORDER BY day, k, pos ROWS UNBOUNDED PRECEDING)) y
  WHERE k = 1
), fx AS (
  SELECT f.currency, p.day, CASE WHEN f.inverse THEN 1 / p.close ELSE p.close END AS rate
  FROM unnest($8::text[], $9::uuid[], $10::boolean[]) AS f(currency, asset_id, inverse)
  JOIN pday p ON p.asset_id = f.asset_id
  UNION ALL
  SELECT $11::text, day, 1::float8 FROM days
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
  SELECT v.day, v.value::float8 * r.rate AS value, 0::float8 AS flow, v.unpriced = 0 AND (v.holds = 0 OR r.rate IS NOT NULL) AS priced
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
LEFT JOIN pday b ON b.asset_id = $14::uuid AND b.day = d.day
ORDER BY d.day`;

/** How far back the close carried into the range is looked for first (a longer gap is looked for again). */
const BEFORE_DAYS = 14;

/**
 * Each series' last close before `from` (the value carried into the range's first days). Looked for in
 * the last BEFORE_DAYS first, so the planner sees only those chunks; series without a close there are
 * looked for again over their whole history before `from`.
 */
async function closesBefore(q: Queryable, series: PricedSeries[], from: Date): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const find = async (list: PricedSeries[], since: Date | null) => {
    if (list.length === 0) return;
    const r = await q.query<{ asset_id: string; close: number }>(
      `SELECT s.asset_id, x.close FROM unnest($1::uuid[], $2::text[]) AS s(asset_id, iv)
       CROSS JOIN LATERAL (SELECT close FROM candles c
         WHERE c.asset_id = s.asset_id AND c."interval" = s.iv::candle_interval AND c.ts < $3::timestamptz
           ${since ? 'AND c.ts >= $4::timestamptz' : ''}
         ORDER BY c.ts DESC LIMIT 1) x`,
      [
        list.map((s) => s.asset_id),
        list.map((s) => s.interval),
        from.toISOString(),
        ...(since ? [since.toISOString()] : []),
      ],
    );
    for (const row of r.rows) out.set(row.asset_id, row.close);
  };
  await find(series, new Date(from.getTime() - BEFORE_DAYS * 86_400_000));
  await find(
    series.filter((s) => !out.has(s.asset_id)),
    null,
  );
  return out;
}

const midnight = (day: string, plus = 0) => new Date(Date.parse(`${day}T00:00:00Z`) + plus * 86_400_000).toISOString();

export async function dailyValues(q: Queryable, input: DailyInput): Promise<DailyValue[]> {
  const all = [...input.assets, ...input.pairs, ...(input.benchmark ? [input.benchmark] : [])];
  const before = await closesBefore(q, all, new Date(midnight(input.from)));
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
    [...before.keys()],
    [...before.values()],
  ]);
  return r.rows;
}
