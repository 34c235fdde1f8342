/**
 * Events for administrators. Failing TimescaleDB jobs: the worker looks every minute; each failure
 * (job and the start of its failed run) becomes one delivery per administrator channel that chose
 * job_failed. The unique (channel, event) key makes the check idempotent across runs and servers.
 * Failing data sync: the sync engine calls enqueueSyncFailure in the transaction that records the
 * failure which makes a market interval "failing", so each transition is told once.
 */
import type { Database, Queryable } from '../db/types.ts';
import { TimescaleMissingError } from '../errors.ts';
import { listJobs } from '../timescale/jobs.ts';

/** Enqueues job_failed deliveries for failures not sent yet; returns how many rows were added. */
export async function enqueueJobFailures(db: Database): Promise<number> {
  let jobs: Awaited<ReturnType<typeof listJobs>>;
  try {
    jobs = await listJobs(db);
  } catch (err) {
    if (err instanceof TimescaleMissingError) return 0; // no jobs without TimescaleDB
    throw err;
  }
  const failed = jobs.filter((j) => j.last_run_succeeded === false && j.last_run_started_at);
  if (!failed.length) return 0;
  const r = await db.query(
    `INSERT INTO notification_deliveries (channel_id, user_id, event_type, event_id, payload)
     SELECT c.id, c.user_id, 'job_failed', f.job_id || ':' || f.started_at,
            jsonb_build_object('type', 'job_failed', 'timestamp', now(),
              'data', jsonb_build_object('job_id', f.job_id, 'proc_name', f.proc_name, 'hypertable', f.hypertable,
                                         'started_at', f.started_at, 'error', f.error))
     FROM unnest($1::int[], $2::text[], $3::text[], $4::timestamptz[], $5::text[]) AS f(job_id, proc_name, hypertable, started_at, error)
     CROSS JOIN notification_channels c JOIN users u ON u.id = c.user_id
     WHERE c.enabled AND 'job_failed' = ANY (c.events) AND u.is_admin AND u.is_active
     ON CONFLICT ON CONSTRAINT notification_deliveries_once DO NOTHING`,
    [
      failed.map((j) => j.job_id),
      failed.map((j) => j.proc_name),
      failed.map((j) => j.hypertable),
      failed.map((j) => (j.last_run_started_at as Date).toISOString()),
      failed.map((j) => j.last_run_error),
    ],
  );
  return r.rowCount;
}

/** What a sync_failed event says (docs/notifications.md). */
export interface SyncFailure {
  source_id: string;
  asset: string;
  provider: string;
  market: string;
  interval: string;
  failures: number;
  error: string;
  failed_at: Date;
  last_success_at: Date | null;
  last_candle: Date | null;
}

/** One sync_failed delivery per enabled administrator channel that chose it; returns how many. */
export async function enqueueSyncFailure(q: Queryable, f: SyncFailure): Promise<number> {
  const r = await q.query(
    `INSERT INTO notification_deliveries (channel_id, user_id, event_type, event_id, payload)
     SELECT c.id, c.user_id, 'sync_failed', $1::text || ':' || $5::text || ':' || $8::text,
            jsonb_build_object('type', 'sync_failed', 'timestamp', now(),
              'data', jsonb_build_object('source_id', $1::text, 'asset', $2::text, 'provider', $3::text,
                                         'market', $4::text, 'interval', $5::text, 'failures', $6::int,
                                         'error', $7::text, 'failed_at', $8::timestamptz,
                                         'last_success_at', $9::timestamptz, 'last_candle', $10::timestamptz))
     FROM notification_channels c JOIN users u ON u.id = c.user_id
     WHERE c.enabled AND 'sync_failed' = ANY (c.events) AND u.is_admin AND u.is_active
     ON CONFLICT ON CONSTRAINT notification_deliveries_once DO NOTHING`,
    [
      f.source_id,
      f.asset,
      f.provider,
      f.market,
      f.interval,
      f.failures,
      f.error,
      f.failed_at.toISOString(),
      f.last_success_at?.toISOString() ?? null,
      f.last_candle?.toISOString() ?? null,
    ],
  );
  return r.rowCount;
}
