/**
 * The notification_deliveries outbox (revision 0008). Rows are created by triggers on the event
 * tables (and here for tests and notices), claimed by senders with FOR UPDATE SKIP LOCKED and a lease,
 * and settled as delivered, retried later, or failed.
 */
import type { Queryable } from '../db/types.ts';
import type { Page, PageQuery } from '../db/page.ts';
import type { ChannelKind } from './channels.ts';
import { redactUrl } from './ssrf.ts';
import type { EventPayload } from './render.ts';

export interface ClaimedDelivery {
  id: string;
  channel_id: string;
  user_id: string;
  event_type: string;
  payload: EventPayload;
  attempts: number;
  kind: ChannelKind;
  target: string;
  secret: string | null;
  /** Where it goes, for per-destination limits: a webhook's scheme://host:port, an email's domain, a Telegram bot. */
  destination: string;
}

/** A channel's destination in SQL; the same text is returned to the worker with each claim. */
const DESTINATION = `CASE WHEN c.kind = 'webhook' THEN coalesce(substring(c.target from '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]+'), c.target)
       WHEN c.kind = 'telegram' THEN 'telegram:' || split_part(c.secret, ':', 1)
       ELSE 'email:' || lower(split_part(c.target, '@', 2)) END`;

/** How many of the oldest due deliveries one claim considers (bounds the work of a claim on a big backlog). */
const CLAIM_WINDOW = 2000;

export interface ClaimOptions {
  /**
   * The attempt time (the worker's clock): rows due by then are claimed, and the lease runs from it. The
   * clock counts milliseconds and the database microseconds, so "by then" means within that millisecond:
   * a row written with now() just before a claim in the same millisecond is due, not left for the next poll.
   */
  now: Date;
  /** At most this many deliveries in flight per destination. */
  perDestination: number;
  /** Deliveries this worker already has in flight, per destination. */
  busy?: ReadonlyMap<string, number>;
}

/**
 * Claims up to `limit` due deliveries of enabled channels: each is hidden from other senders for
 * `leaseS` seconds (a sender killed mid-send leaves it to be retried after that) and counts one attempt.
 * A destination gets no more than `perDestination` in flight (counting `busy`), so one slow receiver
 * cannot take every slot.
 */
export async function claimDue(
  q: Queryable,
  limit: number,
  leaseS: number,
  o: ClaimOptions,
): Promise<ClaimedDelivery[]> {
  const busy = [...(o.busy ?? new Map<string, number>())];
  const r = await q.query<ClaimedDelivery>(
    `WITH window_rows AS (
       SELECT d.id, d.next_attempt_at, ${DESTINATION} AS destination
       FROM notification_deliveries d JOIN notification_channels c ON c.id = d.channel_id
       WHERE d.status = 'pending' AND d.next_attempt_at < $3::timestamptz + interval '1 millisecond' AND c.enabled
       ORDER BY d.next_attempt_at LIMIT ${CLAIM_WINDOW}
     ), ranked AS (
       SELECT w.id, w.next_attempt_at,
              row_number() OVER (PARTITION BY w.destination ORDER BY w.next_attempt_at, w.id) AS rank,
              coalesce(b.n, 0) AS busy
       FROM window_rows w LEFT JOIN unnest($4::text[], $5::int[]) AS b(destination, n) USING (destination)
     ), wanted AS (
       SELECT id FROM ranked WHERE rank + busy <= $6 ORDER BY next_attempt_at, id LIMIT $1
     ), due AS (
       SELECT d.id FROM notification_deliveries d
       WHERE d.id IN (SELECT id FROM wanted) AND d.status = 'pending' AND d.next_attempt_at < $3::timestamptz + interval '1 millisecond'
       FOR UPDATE SKIP LOCKED
     )
     UPDATE notification_deliveries d
     SET attempts = d.attempts + 1, next_attempt_at = $3::timestamptz + make_interval(secs => $2)
     FROM due, notification_channels c
     WHERE d.id = due.id AND c.id = d.channel_id
     RETURNING d.id, d.channel_id, d.user_id, d.event_type, d.payload, d.attempts, c.kind, c.target, c.secret,
               ${DESTINATION} AS destination`,
    [limit, leaseS, o.now.toISOString(), busy.map(([k]) => k), busy.map(([, n]) => n), o.perDestination],
  );
  return r.rows;
}

// Each settle only touches the row while it is still this claim's (status and attempt unchanged).
const MINE = `id = $1 AND status = 'pending' AND attempts = $2`;

/** Settles one answered delivery at once (a crash later must not send it again) and resets its channel's failures. */
export async function markDelivered(q: Queryable, d: ClaimedDelivery, at: Date): Promise<void> {
  await q.query(
    `WITH done AS (
       UPDATE notification_deliveries SET status = 'delivered', delivered_at = $3, last_error = NULL
       WHERE ${MINE}
       RETURNING channel_id
     )
     UPDATE notification_channels SET consecutive_failures = 0
     WHERE id IN (SELECT channel_id FROM done) AND consecutive_failures <> 0`,
    [d.id, d.attempts, at.toISOString()],
  );
}

/** The next attempt is `delayMs` after this attempt started (not after its answer, which a slow receiver delays). */
export async function scheduleRetry(
  q: Queryable,
  d: ClaimedDelivery,
  attemptAt: Date,
  delayMs: number,
  error: string,
): Promise<void> {
  await q.query(
    `UPDATE notification_deliveries SET next_attempt_at = $5::timestamptz + make_interval(secs => $3), last_error = $4
     WHERE ${MINE}`,
    [d.id, d.attempts, delayMs / 1000, error, attemptAt.toISOString()],
  );
}

/**
 * Marks a delivery failed for good. After `disableAfter` such failures in a row its channel is
 * disabled, its pending deliveries fail, and the owner's other channels get a channel_disabled notice.
 * Returns whether the channel was disabled now.
 */
export async function markFailed(
  q: Queryable,
  d: ClaimedDelivery,
  error: string,
  disableAfter: number,
): Promise<boolean> {
  const r = await q.query(`UPDATE notification_deliveries SET status = 'failed', last_error = $3 WHERE ${MINE}`, [
    d.id,
    d.attempts,
    error,
  ]);
  if (!r.rowCount) return false;
  const c = await q.query<{ disabled: boolean; target: string; kind: string }>(
    `UPDATE notification_channels
     SET consecutive_failures = consecutive_failures + 1,
         enabled = enabled AND consecutive_failures + 1 < $2,
         disabled_reason = CASE WHEN enabled AND consecutive_failures + 1 >= $2
                                THEN (consecutive_failures + 1) || ' deliveries in a row failed; last error: ' || $3
                                ELSE disabled_reason END
     WHERE id = $1
     RETURNING (disabled_reason IS NOT NULL AND NOT enabled AND consecutive_failures = $2) AS disabled, target, kind`,
    [d.channel_id, disableAfter, error],
  );
  const row = c.rows[0];
  if (!row?.disabled) return false;
  await q.query(
    `UPDATE notification_deliveries SET status = 'failed', last_error = 'channel disabled'
     WHERE channel_id = $1 AND status = 'pending'`,
    [d.channel_id],
  );
  const target = row.kind === 'webhook' ? redactUrl(row.target) : row.target;
  await q.query(
    `INSERT INTO notification_deliveries (channel_id, user_id, event_type, event_id, payload)
     SELECT c.id, c.user_id, 'channel_disabled', $2::text || ':' || extract(epoch FROM now())::bigint,
            jsonb_build_object('type', 'channel_disabled', 'timestamp', now(),
              'data', jsonb_build_object('channel_id', $2::uuid, 'kind', $3::text, 'target', $4::text,
                                         'reason', $5::text))
     FROM notification_channels c WHERE c.user_id = $1 AND c.id <> $2::uuid AND c.enabled
     ON CONFLICT ON CONSTRAINT notification_deliveries_once DO NOTHING`,
    [d.user_id, d.channel_id, row.kind, target, `${disableAfter} deliveries in a row failed; last error: ${error}`],
  );
  return true;
}

/** A one-off delivery row (channel tests): created claimed, settled by the caller. */
export async function insertClaimed(
  q: Queryable,
  channelId: string,
  userId: string,
  payload: EventPayload,
): Promise<string> {
  const r = await q.query<{ id: string }>(
    `INSERT INTO notification_deliveries (channel_id, user_id, event_type, event_id, payload, attempts, next_attempt_at)
     VALUES ($1, $2, $3, gen_random_uuid()::text, $4::jsonb, 1, 'infinity') RETURNING id`,
    [channelId, userId, payload.type, JSON.stringify(payload)],
  );
  return r.rows[0].id;
}

export async function settleOneOff(q: Queryable, id: string, error: string | undefined): Promise<void> {
  await q.query(
    `UPDATE notification_deliveries
     SET status = CASE WHEN $2::text IS NULL THEN 'delivered' ELSE 'failed' END,
         delivered_at = CASE WHEN $2::text IS NULL THEN now() END, last_error = $2
     WHERE id = $1`,
    [id, error ?? null],
  );
}

export type DeliveryRow = {
  id: string;
  user_id: string;
  username: string;
  channel_id: string;
  kind: ChannelKind;
  target: string;
  event_type: string;
  event_id: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
};

export interface DeliveryFilter {
  userId?: string;
  status?: 'pending' | 'delivered' | 'failed';
}

export async function listDeliveries(q: Queryable, f: DeliveryFilter, page: PageQuery): Promise<Page<DeliveryRow>> {
  const where = `($1::uuid IS NULL OR d.user_id = $1) AND ($2::text IS NULL OR d.status = $2)`;
  const params = [f.userId ?? null, f.status ?? null];
  const r = await q.query<DeliveryRow>(
    `SELECT d.id, d.user_id, u.username, d.channel_id, c.kind, c.target, d.event_type, d.event_id, d.status,
            d.attempts, CASE WHEN d.status = 'pending' THEN d.next_attempt_at END AS next_attempt_at,
            d.last_error, d.created_at, d.delivered_at
     FROM notification_deliveries d
     JOIN notification_channels c ON c.id = d.channel_id JOIN users u ON u.id = d.user_id
     WHERE ${where} ORDER BY d.created_at DESC, d.id LIMIT $3 OFFSET $4`,
    [...params, page.limit, page.offset],
  );
  const n = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM notification_deliveries d WHERE ${where}`,
    params,
  );
  const items = r.rows.map((x) => (x.kind === 'webhook' ? { ...x, target: redactUrl(x.target) } : x));
  return { items, limit: page.limit, offset: page.offset, total: n.rows[0].n };
}
