/**
 * TimescaleDB jobs (policies): list, run now, run the due ones, and the run history.
 * Background workers do not run in the embedded database and its job_stats is never updated, so
 * every run tm starts is recorded in job_runs (on both backends); a server's background runs are
 * read from timescaledb_information.job_stats / job_history where the installed version has them.
 */
import type { Database, Queryable } from '../db/types.ts';
import { UserError, errorMessage } from '../errors.ts';
import type { Page } from '../api/pagination.ts';
import { relationExists, requireTimescale } from './require.ts';

export type Trigger = 'schedule' | 'manual';

/** Runs older than this are deleted from job_runs when due jobs are run. */
export const HISTORY_DAYS = 90;

export interface PolicyJob {
  job_id: number;
  proc_name: string;
  hypertable: string | null;
  schedule_interval: string;
  scheduled: boolean;
  config: Record<string, unknown>;
}

export interface JobInfo extends PolicyJob {
  proc_schema: string;
  /** When tm (embedded) or the server's scheduler will run it next; null when not scheduled. */
  next_start: Date | null;
  last_run_started_at: Date | null;
  last_run_finished_at: Date | null;
  last_run_succeeded: boolean | null;
  last_run_error: string | null;
  /** 'tm' when the last run is from job_runs, 'server' when from TimescaleDB's job_stats. */
  last_run_source: 'tm' | 'server' | null;
}

export type JobRun = {
  id: number | null;
  job_id: number;
  proc_name: string;
  hypertable: string | null;
  started_at: Date;
  finished_at: Date | null;
  succeeded: boolean | null;
  error: string | null;
  trigger: Trigger | 'background';
};

const JOB_COLUMNS = `j.job_id, j.proc_schema::text AS proc_schema, j.proc_name::text AS proc_name, j.hypertable_name::text AS hypertable,
  j.schedule_interval::text AS schedule_interval, j.scheduled, coalesce(j.config, '{}'::jsonb) AS config`;

/**
 * The policy job of a kind on a hypertable or continuous aggregate. In the jobs view a refresh
 * policy names its view (recent versions) or its materialization hypertable (older ones): both match.
 */
export async function findPolicy(q: Queryable, procName: string, relation: string): Promise<PolicyJob | null> {
  const r = await q.query<PolicyJob>(
    `SELECT ${JOB_COLUMNS}
       FROM timescaledb_information.jobs j
      WHERE j.proc_name = $1
        AND (j.hypertable_name = $2 OR j.hypertable_name IN (
              SELECT materialization_hypertable_name FROM timescaledb_information.continuous_aggregates WHERE view_name = $2))
      ORDER BY j.job_id LIMIT 1`,
    [procName, relation],
  );
  return r.rows[0] ?? null;
}

/**
 * Every job with its next start and last run. The due time for tm's own scheduler (embedded):
 * never run → now (or initial_start); last run succeeded → its start + schedule_interval; failed →
 * its finish + min(retry_period, schedule_interval).
 */
export async function listJobs(
  db: Database | Queryable,
  opts: { backend?: Database['backend'] } = {},
): Promise<JobInfo[]> {
  await requireTimescale(db, 'jobs');
  const backend = opts.backend ?? ('backend' in db ? db.backend : 'embedded');
  // initial_start exists in the jobs view since TimescaleDB 2.9: the catalog says whether to use it.
  const hasInitialStart =
    (
      await db.query(
        "SELECT 1 FROM information_schema.columns WHERE table_schema = 'timescaledb_information' AND table_name = 'jobs' AND column_name = 'initial_start'",
      )
    ).rows.length > 0;
  const r = await db.query<
    JobInfo & {
      server_next_start: Date | null;
      stats_started: Date | null;
      stats_finished: Date | null;
      stats_status: string | null;
    }
  >(
    `SELECT ${JOB_COLUMNS},
            CASE WHEN NOT j.scheduled OR j.hypertable_name IS NULL THEN NULL -- tm schedules policies only
                 WHEN r.job_id IS NULL THEN coalesce(${hasInitialStart ? 'j.initial_start' : 'NULL::timestamptz'}, now())
                 WHEN r.succeeded THEN r.started_at + j.schedule_interval
                 ELSE coalesce(r.finished_at, r.started_at) + least(j.retry_period, j.schedule_interval) END AS next_start,
            j.next_start AS server_next_start,
            r.started_at AS last_run_started_at, r.finished_at AS last_run_finished_at,
            r.succeeded AS last_run_succeeded, r.error AS last_run_error,
            s.last_run_started_at AS stats_started, s.last_successful_finish AS stats_finished, s.last_run_status::text AS stats_status
       FROM timescaledb_information.jobs j
       LEFT JOIN LATERAL (SELECT * FROM job_runs jr WHERE jr.job_id = j.job_id ORDER BY jr.started_at DESC LIMIT 1) r ON true
       LEFT JOIN timescaledb_information.job_stats s ON s.job_id = j.job_id
      ORDER BY j.job_id`,
  );
  const failures = backend === 'server' ? await lastFailures(db) : new Map<number, Failure>();
  return r.rows.map(({ server_next_start, stats_started, stats_finished, stats_status, ...j }) => {
    let source: JobInfo['last_run_source'] = j.last_run_started_at ? 'tm' : null;
    // On a server the background scheduler runs the jobs: its stats win when they are newer.
    if (backend === 'server') {
      j.next_start = j.scheduled ? server_next_start : null;
      if (stats_started && (!j.last_run_started_at || stats_started > j.last_run_started_at)) {
        const failure = stats_status === 'Failed' ? failures.get(j.job_id) : undefined;
        source = 'server';
        j.last_run_started_at = stats_started;
        j.last_run_finished_at = stats_status === 'Success' ? stats_finished : (failure?.finished_at ?? null);
        j.last_run_succeeded = stats_status === null ? null : stats_status === 'Success';
        j.last_run_error =
          stats_status === 'Failed' ? (failure?.message ?? 'failed (the server keeps no error message for it)') : null;
      }
    }
    return { ...j, last_run_source: source };
  });
}

interface Failure {
  message: string;
  finished_at: Date | null;
}

/**
 * The newest error of each job the server's background workers ran: job_history (2.15+) or
 * job_errors (2.9 to 2.14), whichever this version has; none before that.
 */
async function lastFailures(q: Queryable): Promise<Map<number, Failure>> {
  const source = (await relationExists(q, 'timescaledb_information.job_history'))
    ? 'timescaledb_information.job_history WHERE NOT succeeded'
    : (await relationExists(q, 'timescaledb_information.job_errors'))
      ? 'timescaledb_information.job_errors WHERE true'
      : null;
  if (!source) return new Map();
  const r = await q.query<{ job_id: number } & Failure>(
    `SELECT DISTINCT ON (job_id) job_id, coalesce(err_message, 'failed (no message)') AS message, finish_time AS finished_at
       FROM ${source} ORDER BY job_id, start_time DESC`,
  );
  return new Map(r.rows.map((x) => [x.job_id, { message: x.message, finished_at: x.finished_at }]));
}

/** Runs one job now with CALL run_job(id) and records the run in job_runs. Throws when the job fails. */
export async function runJob(db: Database, jobId: number, trigger: Trigger = 'manual'): Promise<JobRun> {
  await requireTimescale(db, 'jobs');
  if (!Number.isInteger(jobId) || jobId <= 0) throw new UserError(`job id "${jobId}" is not a positive integer`);
  const job = (
    await db.query<PolicyJob>(`SELECT ${JOB_COLUMNS} FROM timescaledb_information.jobs j WHERE j.job_id = $1`, [jobId])
  ).rows[0];
  if (!job) throw new UserError(`job ${jobId} does not exist (see tm jobs list)`, 404);
  const started = await db.query<{ id: number; started_at: Date }>(
    `INSERT INTO job_runs (job_id, proc_name, hypertable, started_at, "trigger") VALUES ($1, $2, $3, clock_timestamp(), $4)
     RETURNING id, started_at`,
    [job.job_id, job.proc_name, job.hypertable, trigger],
  );
  const runId = started.rows[0].id;
  let error: string | null = null;
  try {
    // Simple protocol and no surrounding transaction: policies commit between chunks, and a
    // continuous aggregate refresh refuses to run inside a transaction block.
    await db.exec(`CALL run_job(${job.job_id})`);
  } catch (err) {
    error = errorMessage(err);
  }
  const done = await db.query<JobRun>(
    `UPDATE job_runs SET finished_at = clock_timestamp(), succeeded = $2, error = $3 WHERE id = $1
     RETURNING id, job_id, proc_name, hypertable, started_at, finished_at, succeeded, error, "trigger" AS trigger`,
    [runId, error === null, error],
  );
  if (error === null && db.backend === 'embedded') await db.exec('CHECKPOINT'); // PGlite never checkpoints by itself
  if (error !== null)
    throw new UserError(
      `job ${job.job_id} (${job.proc_name}${job.hypertable ? ` on ${job.hypertable}` : ''}) failed: ${error}`,
      500,
    );
  return done.rows[0];
}

/** Policy jobs whose next start has come (those attached to a hypertable or continuous aggregate). */
export async function dueJobs(db: Database, at?: Date): Promise<JobInfo[]> {
  const jobs = await listJobs(db, { backend: 'embedded' });
  const now = at ?? new Date(); // taken after the query: a never-run job is due at the query's now()
  return jobs.filter((j) => j.scheduled && j.hypertable !== null && j.next_start !== null && j.next_start <= now);
}

export interface RunDueResult {
  ran: JobRun[];
  failed: { job_id: number; proc_name: string; error: string }[];
  note?: string;
}

/**
 * Runs every due job once, in job id order; one failure does not stop the others. On a server
 * TimescaleDB's background scheduler owns the schedule, so nothing is run there.
 */
export async function runDueJobs(db: Database, trigger: Trigger = 'manual', at?: Date): Promise<RunDueResult> {
  await requireTimescale(db, 'jobs');
  if (db.backend === 'server') {
    return {
      ran: [],
      failed: [],
      note: "nothing run: on a server TimescaleDB's background workers run the jobs on schedule (use tm jobs run ID to run one now)",
    };
  }
  // tm's history is kept 90 days (TimescaleDB keeps its own a month): enough for doctor and people.
  await db.query(`DELETE FROM job_runs WHERE started_at < now() - interval '${HISTORY_DAYS} days'`);
  const due = await dueJobs(db, at);
  const result: RunDueResult = { ran: [], failed: [] };
  for (const j of due) {
    try {
      result.ran.push(await runJob(db, j.job_id, trigger));
    } catch (err) {
      result.failed.push({ job_id: j.job_id, proc_name: j.proc_name, error: errorMessage(err) });
    }
  }
  return result;
}

/** Run history, newest first: tm's job_runs, plus the server's job_history where it exists (2.15+). */
export async function jobHistory(
  q: Queryable,
  opts: { jobId?: number; limit: number; offset: number },
): Promise<Page<JobRun>> {
  await requireTimescale(q, 'jobs');
  const parts = [
    `SELECT id, job_id, proc_name, hypertable, started_at, finished_at, succeeded, error, "trigger" AS trigger FROM job_runs`,
  ];
  if (await relationExists(q, 'timescaledb_information.job_history')) {
    parts.push(
      `SELECT NULL::bigint, h.job_id, h.proc_name::text, j.hypertable_name::text, h.start_time, h.finish_time, h.succeeded, h.err_message, 'background'
         FROM timescaledb_information.job_history h LEFT JOIN timescaledb_information.jobs j ON j.job_id = h.job_id`,
    );
  }
  const body = `FROM (${parts.join(' UNION ALL ')}) h WHERE ($1::int IS NULL OR h.job_id = $1)`;
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n ${body}`, [opts.jobId ?? null]);
  const rows = await q.query<JobRun>(
    `SELECT * ${body} ORDER BY started_at DESC, id DESC NULLS LAST LIMIT $2 OFFSET $3`,
    [opts.jobId ?? null, opts.limit, opts.offset],
  );
  return { items: rows.rows, limit: opts.limit, offset: opts.offset, total: total.rows[0].n };
}
