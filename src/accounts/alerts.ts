/**
 * Price alerts: the price_alert_states and price_alerts tables (revision 0003).
 *
 * Each watchlist item with a threshold has two sides, high and low, each "armed" or not. An armed
 * side fires one event when a candle closes at or beyond its threshold (close >= high, close <= low)
 * and is disarmed; it re-arms when the newest close is back inside (close < high, close > low).
 * Evaluation looks at the candles of the newest candle's interval that are newer than the last one
 * the item was evaluated on (only the newest one the first time), so a spike that crosses and returns
 * within one import still fires once, re-evaluating the same candles fires nothing, and a backfill
 * of older history fires nothing either.
 */
import type { Queryable } from '../db/types.ts';
import type { Page, PageQuery } from '../db/page.ts';
import { oldestNewestCandle } from '../market/candle-series.ts';

export type AlertEvent = {
  id: string;
  user_id: string;
  watchlist_id: string | null;
  watchlist_item_id: string | null;
  asset_id: string;
  symbol: string;
  direction: 'above' | 'below';
  threshold: number;
  /** The close that crossed the threshold. */
  price: number;
  /** The candle that crossed. */
  candle_ts: Date;
  interval: string;
  triggered_at: Date;
};

const ENSURE_STATES = `INSERT INTO price_alert_states (watchlist_item_id)
SELECT id FROM watchlist_items
WHERE asset_id = ANY($1::uuid[]) AND (price_alert_high IS NOT NULL OR price_alert_low IS NOT NULL)
ORDER BY id
ON CONFLICT (watchlist_item_id) DO NOTHING`;

// One statement, so the state change and its events commit together. The states are locked first
// (FOR UPDATE in a materialized CTE): a concurrent evaluation waits, then sees the new state and
// cannot fire the same crossing twice. "latest" uses LATERAL per asset, which stays an index probe
// on a hypertable (DISTINCT ON would scan every chunk).
const EVALUATE = `WITH latest AS MATERIALIZED (
    SELECT a.id AS asset_id, c.ts, c."interval", c.close
    FROM (SELECT DISTINCT unnest($1::uuid[]) AS id) a
    CROSS JOIN LATERAL (
        SELECT ts, "interval", close FROM candles
        WHERE asset_id = a.id AND ts >= $2 ORDER BY ts DESC, "interval" LIMIT 1
    ) c
), locked AS MATERIALIZED (
    SELECT s.watchlist_item_id, s.high_armed, s.low_armed, s.last_ts
    FROM price_alert_states s JOIN watchlist_items i ON i.id = s.watchlist_item_id
    WHERE i.asset_id = ANY($1::uuid[])
    -- Locked in key order: two evaluations over overlapping assets wait for each other, never deadlock.
    ORDER BY s.watchlist_item_id
    FOR UPDATE OF s
), base AS MATERIALIZED (
    SELECT i.id AS item_id, i.watchlist_id, w.user_id, i.asset_id,
           i.price_alert_high AS hi, i.price_alert_low AS lo, k.high_armed, k.low_armed,
           l.ts, l."interval", l.close,
           -- the candles not seen yet: since the last evaluation, or only the newest the first time
           coalesce(k.last_ts + interval '1 microsecond', l.ts) AS from_ts
    FROM locked k
    JOIN watchlist_items i ON i.id = k.watchlist_item_id
    JOIN watchlists w ON w.id = i.watchlist_id
    JOIN latest l ON l.asset_id = i.asset_id
    -- A concurrent evaluation that committed while this one waited for the locks may have seen newer
    -- candles than this statement's snapshot: then leave its state alone (never move last_ts back).
    -- Items turned off are left alone (their state too: turned on again, it is re-armed from the newest candle).
    WHERE i.price_alert_enabled AND (k.last_ts IS NULL OR l.ts >= k.last_ts)
), win AS MATERIALIZED (
    -- One range scan per distinct window (items of an asset usually share it): its extremes tell
    -- which items crossed, so the per-item search below only runs for those.
    SELECT g.asset_id, g."interval", g.from_ts, g.ts, m.max_close, m.min_close
    FROM (SELECT DISTINCT asset_id, "interval", from_ts, ts FROM base) g
    CROSS JOIN LATERAL (
        SELECT max(c.close) AS max_close, min(c.close) AS min_close FROM candles c
        WHERE c.asset_id = g.asset_id AND c."interval" = g."interval" AND c.ts >= g.from_ts AND c.ts <= g.ts AND c.ts >= $2
    ) m
), cand AS MATERIALIZED (
    SELECT b.*, up.ts AS up_ts, up.close AS up_close, dn.ts AS dn_ts, dn.close AS dn_close
    FROM base b
    JOIN win x ON x.asset_id = b.asset_id AND x."interval" = b."interval" AND x.from_ts = b.from_ts AND x.ts = b.ts
    LEFT JOIN LATERAL (
        SELECT c.ts, c.close FROM candles c
        WHERE b.high_armed AND x.max_close >= b.hi
          AND c.asset_id = b.asset_id AND c."interval" = b."interval"
          AND c.ts >= b.from_ts AND c.ts <= b.ts AND c.ts >= $2 AND c.close >= b.hi
        ORDER BY c.ts LIMIT 1
    ) up ON true
    LEFT JOIN LATERAL (
        SELECT c.ts, c.close FROM candles c
        WHERE b.low_armed AND x.min_close <= b.lo
          AND c.asset_id = b.asset_id AND c."interval" = b."interval"
          AND c.ts >= b.from_ts AND c.ts <= b.ts AND c.ts >= $2 AND c.close <= b.lo
        ORDER BY c.ts LIMIT 1
    ) dn ON true
), upd AS (
    UPDATE price_alert_states s
    SET high_armed = (c.hi IS NULL OR c.close < c.hi),
        low_armed = (c.lo IS NULL OR c.close > c.lo),
        last_price = c.close, last_ts = c.ts, updated_at = now()
    FROM cand c
    WHERE s.watchlist_item_id = c.item_id
), ins AS (
    INSERT INTO price_alerts (user_id, watchlist_id, watchlist_item_id, asset_id, direction, threshold, price, candle_ts, "interval")
    SELECT user_id, watchlist_id, item_id, asset_id, 'above', hi, up_close, up_ts, "interval" FROM cand WHERE up_ts IS NOT NULL
    UNION ALL
    SELECT user_id, watchlist_id, item_id, asset_id, 'below', lo, dn_close, dn_ts, "interval" FROM cand WHERE dn_ts IS NOT NULL
    RETURNING id, user_id, watchlist_id, watchlist_item_id, asset_id, direction, threshold, price, candle_ts, "interval", triggered_at
)
SELECT ins.id, ins.user_id, ins.watchlist_id, ins.watchlist_item_id, ins.asset_id, a.symbol, ins.direction,
       ins.threshold, ins.price, ins.candle_ts, ins."interval"::text AS "interval", ins.triggered_at
FROM ins JOIN assets a ON a.id = ins.asset_id
ORDER BY ins.candle_ts, a.symbol, ins.direction`;

/**
 * Evaluates the price alerts of every watchlist item on these assets against their newest candles
 * and returns the events this call fired. Call it after candles of these assets were written (the
 * importer does), or from `tm alerts check`. Safe to call repeatedly and concurrently.
 */
export async function evaluateAlerts(q: Queryable, assetIds: string[]): Promise<AlertEvent[]> {
  const ids = [...new Set(assetIds)];
  if (ids.length === 0) return [];
  await q.query(ENSURE_STATES, [ids]);
  return (await q.query<AlertEvent>(EVALUATE, [ids, await evaluationFloor(q, ids)])).rows;
}

/**
 * The oldest candle time an evaluation of these assets can need, as a constant for the planner (a
 * read of candles without one plans every chunk): the oldest "last seen" of their alert states, or the
 * newest candle of the asset that has the oldest newest candle. States only move forward, so a floor
 * read before the statement locks them is still low enough.
 */
async function evaluationFloor(q: Queryable, ids: string[]): Promise<Date | string> {
  const seen = await q.query<{ t: Date | null }>(
    `SELECT min(s.last_ts) AS t FROM price_alert_states s JOIN watchlist_items i ON i.id = s.watchlist_item_id
      WHERE i.asset_id = ANY($1::uuid[])`,
    [ids],
  );
  const newest = await oldestNewestCandle(q, ids);
  const floors = [seen.rows[0].t, newest].filter((t): t is Date => t instanceof Date);
  // No recorded series: candles written with plain SQL, if any; read them unbounded.
  if (!newest) return '-infinity';
  return new Date(Math.min(...floors.map((t) => t.getTime())));
}

/** Evaluates every asset that some item watches with a threshold. */
export async function evaluateAllAlerts(q: Queryable): Promise<{ assets: number; events: AlertEvent[] }> {
  const r = await q.query<{ asset_id: string }>(
    `SELECT DISTINCT asset_id FROM watchlist_items WHERE price_alert_high IS NOT NULL OR price_alert_low IS NOT NULL`,
  );
  const ids = r.rows.map((x) => x.asset_id);
  const events: AlertEvent[] = [];
  // Batches keep each statement's row locks and result modest on large installs.
  for (let i = 0; i < ids.length; i += 1000) events.push(...(await evaluateAlerts(q, ids.slice(i, i + 1000))));
  return { assets: ids.length, events };
}

/** Re-arms the sides whose threshold changed; the next evaluation looks at the newest candle only. */
export async function rearmAlerts(q: Queryable, itemId: string, sides: { high: boolean; low: boolean }): Promise<void> {
  if (!sides.high && !sides.low) return;
  await q.query(
    `UPDATE price_alert_states
     SET high_armed = high_armed OR $2, low_armed = low_armed OR $3, last_ts = NULL, updated_at = now()
     WHERE watchlist_item_id = $1`,
    [itemId, sides.high, sides.low],
  );
}

export interface AlertFilter {
  asset_id?: string;
  watchlist_id?: string;
}

/** A user's alert events, newest first. */
export async function listAlerts(
  q: Queryable,
  userId: string,
  page: PageQuery,
  filter: AlertFilter = {},
): Promise<Page<AlertEvent>> {
  const where = [
    'p.user_id = $1',
    '($2::uuid IS NULL OR p.asset_id = $2)',
    '($3::uuid IS NULL OR p.watchlist_id = $3)',
  ];
  const params = [userId, filter.asset_id ?? null, filter.watchlist_id ?? null];
  const items = await q.query<AlertEvent>(
    `SELECT p.id, p.user_id, p.watchlist_id, p.watchlist_item_id, p.asset_id, a.symbol, p.direction, p.threshold,
            p.price, p.candle_ts, p."interval"::text AS "interval", p.triggered_at
     FROM price_alerts p JOIN assets a ON a.id = p.asset_id
     WHERE ${where.join(' AND ')}
     ORDER BY p.triggered_at DESC, p.candle_ts DESC, p.id LIMIT $4 OFFSET $5`,
    [...params, page.limit, page.offset],
  );
  const total = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM price_alerts p WHERE ${where.join(' AND ')}`,
    params,
  );
  return { items: items.rows, limit: page.limit, offset: page.offset, total: total.rows[0].n };
}

/** One watchlist item with a threshold: the price alerts a user has set, with when each last fired. */
export type PriceAlertSetting = {
  watchlist_id: string;
  watchlist_name: string;
  item_id: string;
  asset_id: string;
  symbol: string;
  price_alert_high: number | null;
  price_alert_low: number | null;
  price_alert_enabled: boolean;
  last_fired_at: Date | null;
  fired_count: number;
};

/** Every item of the user's watchlists with a high or low threshold, by list then position. */
export async function listPriceAlertSettings(q: Queryable, userId: string): Promise<PriceAlertSetting[]> {
  const r = await q.query<PriceAlertSetting>(
    `SELECT w.id AS watchlist_id, w.name AS watchlist_name, i.id AS item_id, i.asset_id, a.symbol,
            i.price_alert_high, i.price_alert_low, i.price_alert_enabled, f.last_fired_at, coalesce(f.n, 0)::int AS fired_count
     FROM watchlists w
     JOIN watchlist_items i ON i.watchlist_id = w.id
     JOIN assets a ON a.id = i.asset_id
     LEFT JOIN LATERAL (
       SELECT max(p.triggered_at) AS last_fired_at, count(*) AS n FROM price_alerts p WHERE p.watchlist_item_id = i.id
     ) f ON true
     WHERE w.user_id = $1 AND (i.price_alert_high IS NOT NULL OR i.price_alert_low IS NOT NULL)
     ORDER BY w.created_at, w.id, i.position, i.id`,
    [userId],
  );
  return r.rows;
}
