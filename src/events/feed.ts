/**
 * What changed since a cursor, read from tables every writer already fills (an outbox by another
 * name): candle_writes (one row per written batch and series), signals (bigserial ids) and
 * price_alerts. Any process's writes show up, `tm import` from a shell included, on both backends.
 */
import type { Queryable } from '../db/types.ts';
import type { Candle, OhlcvColumn } from '../ohlcv.ts';

/**
 * A window of writing transactions: rows whose xid is in [from, to), read in id order, `after` the last
 * id sent. Every transaction below `to` had ended when the window opened, so its rows are all there:
 * a transaction that took a lower id but committed later is read in the window it falls in, never
 * skipped (ids alone would pass it). When a window is read to its end it closes (from = to) and the
 * next poll opens one up to the oldest transaction still running.
 */
export interface Window {
  from: string;
  to: string;
  after: string;
}

export interface Cursor {
  /** Position in candle_writes. */
  candles: Window;
  /** Position in signals. */
  signals: Window;
  /** Last price_alerts.triggered_at seen, epoch ms. */
  alerts: number;
}

export interface CandleEvent {
  kind: 'candle';
  data: { asset_id: string; symbol: string; interval: string } & Pick<Candle, 'ts' | OhlcvColumn>;
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
/**
 * Candles of one series were written, corrected or deleted between from_ts and to_ts (inclusive), in
 * the writes of one poll: a view refetches that range instead of patching numbers from `candle` events.
 */
export interface CandlesChangedEvent {
  kind: 'candles';
  data: {
    asset_id: string;
    symbol: string;
    interval: string;
    from_ts: Date;
    to_ts: Date;
  };
}
export type FeedEvent = (CandlesChangedEvent | CandleEvent | SignalEvent | AlertEvent) & { cursor: Cursor };

/** Rows read per table and poll at most; the rest comes with the next poll. */
const BATCH = 1000;
/**
 * price_alerts.triggered_at is the writing transaction's start time, so a long import can commit an
 * alert older than one already seen: each poll looks this far back and skips alerts it has sent.
 */
export const ALERT_OVERLAP_MS = 120_000;

const encodeWindow = (w: Window) => `${w.from}_${w.to}_${w.after}`;
const WINDOW = String.raw`(\d{1,20})_(\d{1,20})_(\d{1,19})`;
const CURSOR_RE = new RegExp(`^${WINDOW}\\.${WINDOW}\\.(\\d{1,15})$`);

export function encodeCursor(c: Cursor): string {
  return `${encodeWindow(c.candles)}.${encodeWindow(c.signals)}.${c.alerts}`;
}

export function decodeCursor(s: string | null | undefined): Cursor | null {
  const m = CURSOR_RE.exec(s ?? '');
  if (!m) return null;
  const w = (i: number): Window | null =>
    BigInt(m[i]) <= BigInt(m[i + 1]) ? { from: m[i], to: m[i + 1], after: m[i + 2] } : null;
  const candles = w(1);
  const signals = w(4);
  return candles && signals ? { candles, signals, alerts: Number(m[7]) } : null;
}

/** Whether `a` is at or before `b` in the same table's order (windows follow each other). */
export function windowCovered(a: Window, b: Window): boolean {
  const af = BigInt(a.from);
  const bf = BigInt(b.from);
  if (af !== bf) return af < bf;
  if (a.to !== b.to) return BigInt(a.to) <= BigInt(b.to);
  return BigInt(a.after) <= BigInt(b.after);
}

/** The oldest transaction still running: every one below it has committed or rolled back. */
async function horizon(q: Queryable): Promise<string> {
  const r = await q.query<{ h: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS h');
  return r.rows[0].h;
}

/** An empty window at `h` (a new stream starts there). */
const closedAt = (h: string): Window => ({ from: h, to: h, after: '0' });

/** A closed window opens up to the horizon; an open one is kept (its rows are fixed). */
const opened = (w: Window, h: string): Window =>
  w.from === w.to && BigInt(h) > BigInt(w.to) ? { from: w.from, to: h, after: '0' } : w;

export async function currentCursor(q: Queryable): Promise<Cursor> {
  const r = await q.query<{ h: string; a: Date }>(
    `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS h,
            greatest((SELECT max(triggered_at) FROM price_alerts), now()) AS a`,
  );
  const h = r.rows[0].h;
  return { candles: closedAt(h), signals: closedAt(h), alerts: new Date(r.rows[0].a).getTime() };
}

/**
 * Events after `from`, oldest first, each with the cursor just past it. `seenAlerts` maps the ids of
 * alerts already delivered within the overlap window to their time; new ones are added to it.
 */
export async function readEvents(q: Queryable, from: Cursor, seenAlerts: Map<string, number>): Promise<FeedEvent[]> {
  return (await readEventsTo(q, from, seenAlerts)).events;
}

/**
 * readEvents, and the cursor after the whole read. Keep that one, not the last event's: the windows
 * read to their end close there (an event's cursor still holds them open, and a window left open
 * never sees later transactions), and a read without events still moves on.
 */
export async function readEventsTo(
  q: Queryable,
  from: Cursor,
  seenAlerts: Map<string, number>,
): Promise<{ events: FeedEvent[]; cursor: Cursor }> {
  for (const [id, at] of seenAlerts) if (at < from.alerts - ALERT_OVERLAP_MS) seenAlerts.delete(id);
  const out: FeedEvent[] = [];
  const h = await horizon(q);
  let cur: Cursor = { ...from, candles: opened(from.candles, h), signals: opened(from.signals, h) };
  for (const e of await candleEvents(q, cur.candles)) {
    cur = { ...cur, candles: e.window };
    if (e.event) out.push({ ...e.event, cursor: cur });
  }
  const sw = cur.signals;
  const signals = await q.query<SignalEvent['data']>(
    `SELECT s.id::text AS id, s.asset_id, a.symbol, s.timeframe::text AS timeframe, s.ts, s.signal_type::text AS signal_type,
            s.strategy, s.confidence, s.price
     FROM signals s JOIN assets a ON a.id = s.asset_id
     -- A user's strategy signals are theirs (docs/analysis.md): the public stream carries the built-in ones.
     WHERE s.xid >= $1::xid8 AND s.xid < $2::xid8 AND s.id > $3 AND s.user_id IS NULL ORDER BY s.id LIMIT ${BATCH}`,
    [sw.from, sw.to, sw.after],
  );
  for (const data of signals.rows) {
    cur = { ...cur, signals: { ...sw, after: data.id } };
    out.push({ kind: 'signal', data, cursor: cur });
  }
  // Read to its end: the window closes, and the next poll opens the next one.
  if (signals.rows.length < BATCH) cur = { ...cur, signals: closedAt(sw.to) };
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
  return { events: out, cursor: cur };
}

/**
 * For each series written in the window: one `candles` event with the range of times written (deletions
 * logged by migration 0012's delete trigger included), then its last written bar as a `candle` event (a
 * bulk import yields one per series), with the window position each event leaves the cursor at; a batch
 * whose bars are gone (deleted since) still moves the cursor.
 */
async function candleEvents(
  q: Queryable,
  w: Window,
): Promise<{ window: Window; event?: CandleEvent | CandlesChangedEvent }[]> {
  const last = await q.query<{
    max_id: string;
    n: number;
    asset_id: string;
    symbol: string;
    interval: string;
    to_ts: Date;
    min_ts: Date;
    max_ts: Date;
  }>(
    `WITH w AS (SELECT id, asset_id, "interval", from_ts, to_ts FROM candle_writes
                WHERE xid >= $1::xid8 AND xid < $2::xid8 AND id > $3 ORDER BY id LIMIT ${BATCH})
     SELECT DISTINCT ON (w.asset_id, w."interval") w.asset_id, a.symbol, w."interval"::text AS "interval", w.to_ts,
            min(w.from_ts) OVER s AS min_ts, max(w.to_ts) OVER s AS max_ts,
            max(w.id) OVER ()::text AS max_id, (count(*) OVER ())::int AS n
       FROM w JOIN assets a ON a.id = w.asset_id
     WINDOW s AS (PARTITION BY w.asset_id, w."interval")
     ORDER BY w.asset_id, w."interval", w.id DESC`,
    [w.from, w.to, w.after],
  );
  if (last.rows.length === 0) return [{ window: closedAt(w.to) }];
  const { max_id, n } = last.rows[0];
  const window = n < BATCH ? closedAt(w.to) : { ...w, after: max_id };
  const changed = last.rows.map((l) => ({
    window,
    event: {
      kind: 'candles' as const,
      data: { asset_id: l.asset_id, symbol: l.symbol, interval: l.interval, from_ts: l.min_ts, to_ts: l.max_ts },
    },
  }));
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
  return [
    ...changed,
    ...r.rows.map((data) => ({
      window,
      event: { kind: 'candle' as const, data: { ...data, volume: Number(data.volume) } },
    })),
  ];
}
