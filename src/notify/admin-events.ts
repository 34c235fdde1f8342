/**
 * Events for administrators: failing TimescaleDB jobs. The worker looks every minute; each failure
 * (job and the start of its failed run) becomes one delivery per administrator channel that chose
 * job_failed. The unique (channel, event) key makes the check idempotent across runs and servers.
 */
import type { Database } from '../db/types.ts';
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
