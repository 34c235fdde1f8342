/**
 * TimescaleDB's background workers: one launcher, one scheduler per database, and one worker per job
 * while it runs, all taken from PostgreSQL's max_worker_processes. A server whose databases outnumber
 * the slots logs "no available background worker slots" and runs no jobs at all, silently.
 */
import type { Queryable } from '../db/types.ts';
import { versionAtLeast } from './require.ts';

export interface WorkerSlots {
  max_worker_processes: number;
  max_background_workers: number;
  max_parallel_workers: number;
  /** Databases the launcher starts a scheduler in (every one that allows connections). */
  databases: number;
  /** Whether this database's scheduler is running now. */
  scheduler_running: boolean;
}

// The launcher starts a scheduler in every database that allows connections.
const CONNECTABLE_DATABASES = 'SELECT count(*)::int FROM pg_database WHERE datallowconn AND NOT datistemplate';

export async function countDatabases(q: Queryable): Promise<number> {
  return (await q.query<{ n: number }>(`SELECT (${CONNECTABLE_DATABASES}) AS n`)).rows[0].n;
}

export async function workerSlots(q: Queryable): Promise<WorkerSlots> {
  const r = await q.query<WorkerSlots>(
    `SELECT current_setting('max_worker_processes')::int AS max_worker_processes,
            current_setting('timescaledb.max_background_workers')::int AS max_background_workers,
            current_setting('max_parallel_workers')::int AS max_parallel_workers,
            (${CONNECTABLE_DATABASES}) AS databases,
            EXISTS (SELECT 1 FROM pg_stat_activity
                     WHERE datname = current_database() AND backend_type LIKE 'TimescaleDB Background Worker Scheduler%')
              AS scheduler_running`,
  );
  return r.rows[0];
}

/** timescaledb.max_background_workers for this many databases: a scheduler each, the launcher, jobs at once. */
export function backgroundWorkersFor(databases: number, concurrentJobs = 4): number {
  return Math.max(8, 1 + databases + concurrentJobs);
}

export interface SlotAdvice {
  status: 'ok' | 'warning' | 'problem';
  detail: string;
  fix?: string;
}

/** The call that (re)starts this database's scheduler; its schema moved in TimescaleDB 2.12. */
export function startWorkersSql(timescaleVersion: string): string {
  const schema = versionAtLeast(timescaleVersion, 2, 12) ? '_timescaledb_functions' : '_timescaledb_internal';
  return `SELECT ${schema}.start_background_workers();`;
}

export function adviseSlots(s: WorkerSlots, timescaleVersion: string): SlotAdvice {
  const settings = `max_worker_processes = ${s.max_worker_processes}, timescaledb.max_background_workers = ${s.max_background_workers}, max_parallel_workers = ${s.max_parallel_workers}, ${s.databases} database(s)`;
  const fix = `tm tune --databases ${s.databases} --apply (as a superuser), then restart PostgreSQL`;
  // The launcher and one scheduler per database must fit, or some databases run no jobs at all.
  if (s.max_background_workers < 1 + s.databases || s.max_worker_processes < 1 + s.databases) {
    return { status: 'problem', detail: `too few worker slots for a scheduler in every database: ${settings}`, fix };
  }
  const wanted = backgroundWorkersFor(s.databases);
  if (s.max_background_workers < 1 + s.databases + 2 || s.max_worker_processes < s.max_background_workers + 1) {
    return {
      status: 'warning',
      detail: `few worker slots left for jobs (advice: timescaledb.max_background_workers = ${wanted}, max_worker_processes >= it + max_parallel_workers + 1): ${settings}`,
      fix,
    };
  }
  if (!s.scheduler_running) {
    return {
      status: 'warning',
      detail: `no TimescaleDB scheduler is running for this database right now (${settings}); its jobs run only while one does`,
      fix: `${startWorkersSql(timescaleVersion)} then look at the server log for "background worker" errors`,
    };
  }
  return { status: 'ok', detail: `scheduler running; ${settings}` };
}
