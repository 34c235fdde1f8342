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
}

/**
 * Claims up to `limit` due deliveries of enabled channels: each is hidden from other senders for
 * `leaseS` seconds (a sender killed mid-send leaves it to be retried after that) and counts one attempt.
 */
export async function claimDue(q: Queryable, limit: number, leaseS: number): Promise<ClaimedDelivery[]> {
  const r = await q.query<ClaimedDelivery>(
    `WITH due AS (
       SELECT d.id FROM notification_deliveries d JOIN notification_channels c ON c.id = d.channel_id
       WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND c.enabled
       ORDER BY d.next_attempt_at LIMIT $1
       FOR UPDATE OF d SKIP LOCKED
     )
     UPDATE notification_deliveries d
     SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
     FROM due, notification_channels c
     WHERE d.id = due.id AND c.id = d.channel_id
     RETURNING d.id, d.channel_id, d.user_id, d.event_type, d.payload, d.attempts, c.kind, c.target, c.secret`,
    [limit, leaseS],
  );
  return r.rows;
}

// Each settle only touches the row while it is still this claim's (status and attempt unchanged).
const MINE = `id = $1 AND status = 'pending' AND attempts = $2`;

/** Settles sent deliveries (one statement for a batch) and resets their channels' failure counts. */
export async function markDelivered(q: Queryable, sent: { d: ClaimedDelivery; at: Date }[]): Promise<void> {
  if (!sent.length) return;
  await q.query(
    `WITH done AS (
       UPDATE notification_deliveries n SET status = 'delivered', delivered_at = s.at, last_error = NULL
       FROM unnest($1::uuid[], $2::int[], $3::timestamptz[]) AS s(id, attempts, at)
       WHERE n.id = s.id AND n.status = 'pending' AND n.attempts = s.attempts
       RETURNING n.channel_id
     )
     UPDATE notification_channels SET consecutive_failures = 0
     WHERE id IN (SELECT channel_id FROM done) AND consecutive_failures <> 0`,
    [sent.map((x) => x.d.id), sent.map((x) => x.d.attempts), sent.map((x) => x.at.toISOString())],
  );
}

export async function scheduleRetry(q: Queryable, d: ClaimedDelivery, delayMs: number, error: string): Promise<void> {
  await q.query(
    `UPDATE notification_deliveries SET next_attempt_at = now() + make_interval(secs => $3), last_error = $4 WHERE ${MINE}`,
    [d.id, d.attempts, delayMs / 1000, error],
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
