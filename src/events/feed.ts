/**
 * What changed since a cursor, read from tables every writer already fills (an outbox by another
 * name): candle_writes (one row per written batch and series), signals (bigserial ids) and
 * price_alerts. Any process's writes show up, `tm import` from a shell included, on both backends.
 */
import type { Queryable } from '../db/types.ts';

export interface Cursor {
  /** Last candle_writes id seen. */
  candles: string;
  /** Last signals id seen. */
  signals: string;
  /** Last price_alerts.triggered_at seen, epoch ms. */
  alerts: number;
}

export interface CandleEvent {
  kind: 'candle';
  data: {
    asset_id: string;
    symbol: string;
    interval: string;
    ts: Date;
    open: number;
    high: number;
    low: number;
    close: number;
    volume: number;
  };
}
export interface SignalEvent {
  kind: 'signal';
  data: {
    id: string;
    asset_id: string;
    symbol: string;
    timeframe: string;
    ts: Date;
    signal_type: string;
    strategy: string;
    confidence: number;
    price: number;
  };
}
export interface AlertEvent {
  kind: 'alert';
  /** Only this user may see it. */
  userId: string;
  data: {
    id: string;
    asset_id: string;
    symbol: string;
    direction: string;
    threshold: number;
    price: number;
    candle_ts: Date;
    triggered_at: Date;
  };
}
export type FeedEvent = (CandleEvent | SignalEvent | AlertEvent) & { cursor: Cursor };

/** Rows read per table and poll at most; the rest comes with the next poll. */
const BATCH = 1000;
/**
 * price_alerts.triggered_at is the writing transaction's start time, so a long import can commit an
 * alert older than one already seen: each poll looks this far back and skips alerts it has sent.
 */
export const ALERT_OVERLAP_MS = 120_000;

export function encodeCursor(c: Cursor): string {
  return `${c.candles}.${c.signals}.${c.alerts}`;
}

export function decodeCursor(s: string | null | undefined): Cursor | null {
  const m = /^(\d{1,19})\.(\d{1,19})\.(\d{1,15})$/.exec(s ?? '');
  return m ? { candles: m[1], signals: m[2], alerts: Number(m[3]) } : null;
}

export async function currentCursor(q: Queryable): Promise<Cursor> {
  const r = await q.query<{ c: string; s: string; a: Date }>(
    `SELECT (SELECT coalesce(max(id), 0) FROM candle_writes)::text AS c,
            (SELECT coalesce(max(id), 0) FROM signals)::text AS s,
            greatest((SELECT max(triggered_at) FROM price_alerts), now()) AS a`,
  );
  return { candles: r.rows[0].c, signals: r.rows[0].s, alerts: new Date(r.rows[0].a).getTime() };
}

/**
 * Events after `from`, oldest first, each with the cursor just past it. `seenAlerts` maps the ids of
 * alerts already delivered within the overlap window to their time; new ones are added to it.
 */
export async function readEvents(q: Queryable, from: Cursor, seenAlerts: Map<string, number>): Promise<FeedEvent[]> {
  for (const [id, at] of seenAlerts) if (at < from.alerts - ALERT_OVERLAP_MS) seenAlerts.delete(id);
  const out: FeedEvent[] = [];
  let cur = { ...from };
  // The last written bar of each series in the batch (a bulk import yields one event per series).
  const last = await q.query<{ max_id: string; asset_id: string; interval: string; to_ts: Date }>(
    `WITH w AS (SELECT id, asset_id, "interval", to_ts FROM candle_writes WHERE id > $1 ORDER BY id LIMIT ${BATCH})
     SELECT DISTINCT ON (asset_id, "interval") asset_id, "interval"::text AS "interval", to_ts, max(id) OVER ()::text AS max_id
       FROM w ORDER BY asset_id, "interval", id DESC`,
    [from.candles],
  );
  const writes = { rows: [] as ({ max_id: string } & CandleEvent['data'])[] };
  if (last.rows.length > 0) {
    // Those bars by key, between the batch's first and last times as constants, so the planner reads
    // only the chunks holding them (a join on the write log's times would plan every chunk, every poll).
    const times = last.rows.map((l) => l.to_ts.getTime());
    const r = await q.query<CandleEvent['data']>(
      `SELECT k.asset_id, a.symbol, k."interval", c.ts, c.open, c.high, c.low, c.close, c.volume
       FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS k(asset_id, "interval", ts)
       JOIN assets a ON a.id = k.asset_id
       JOIN candles c ON c.asset_id = k.asset_id AND c."interval" = k."interval"::candle_interval AND c.ts = k.ts
       WHERE c.ts >= $4 AND c.ts <= $5
       ORDER BY c.ts`,
      [
        last.rows.map((l) => l.asset_id),
        last.rows.map((l) => l.interval),
        last.rows.map((l) => l.to_ts.toISOString()),
        new Date(Math.min(...times)),
        new Date(Math.max(...times)),
      ],
    );
    const maxId = last.rows[0].max_id;
    writes.rows = r.rows.map((row) => ({ ...row, max_id: maxId }));
    // The cursor moves past the whole batch even when no bar is left to show (deleted since).
    if (writes.rows.length === 0) cur = { ...cur, candles: maxId };
  }
  for (const row of writes.rows) {
    const { max_id, ...data } = row;
    cur = { ...cur, candles: max_id };
    if (data.ts !== null) out.push({ kind: 'candle', data: { ...data, volume: Number(data.volume) }, cursor: cur });
  }
  const signals = await q.query<SignalEvent['data']>(
    `SELECT s.id::text AS id, s.asset_id, a.symbol, s.timeframe::text AS timeframe, s.ts, s.signal_type::text AS signal_type,
            s.strategy, s.confidence, s.price
     FROM signals s JOIN assets a ON a.id = s.asset_id
     WHERE s.id > $1 ORDER BY s.id LIMIT ${BATCH}`,
    [from.signals],
  );
  for (const data of signals.rows) {
    cur = { ...cur, signals: data.id };
    out.push({ kind: 'signal', data, cursor: cur });
  }
  const alerts = await q.query<AlertEvent['data'] & { user_id: string }>(
    `SELECT p.id, p.user_id, p.asset_id, a.symbol, p.direction, p.threshold, p.price, p.candle_ts, p.triggered_at
     FROM price_alerts p JOIN assets a ON a.id = p.asset_id
     WHERE p.triggered_at > $1 ORDER BY p.triggered_at, p.id LIMIT ${BATCH}`,
    [new Date(from.alerts - ALERT_OVERLAP_MS)],
  );
  for (const { user_id, ...data } of alerts.rows) {
    const at = new Date(data.triggered_at).getTime();
    if (seenAlerts.has(data.id)) continue;
    seenAlerts.set(data.id, at);
    cur = { ...cur, alerts: Math.max(cur.alerts, at) };
    out.push({ kind: 'alert', userId: user_id, data, cursor: cur });
  }
  return out;
}
