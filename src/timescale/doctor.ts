/**
 * tm doctor: the seed's troubleshooting as one report. Each check is ok, a warning, or a problem
 * with its fix; the CLI exits 1 when any problem is found (warnings alone do not fail).
 */
import { listTablespaces, tierPolicies } from './tiering.ts';
import type { Database } from '../db/types.ts';
import { type DatabaseInfo, databaseInfo } from '../db/info.ts';
import { PRELOAD_FIX, preloadState } from '../db/preload.ts';
import { TimescaleMissingError, errorMessage } from '../errors.ts';
import { CANDLES, CHUNK_INTERVAL, chunkShape, isHypertable, type ChunkShape } from './hypertables.ts';
import { listJobs } from './jobs.ts';
import { machineDefaults, recommend, sizeBytes, type TuneInput } from './tune.ts';
import { adviseSlots, startWorkersSql, workerSlots } from './workers.ts';

export type CheckStatus = 'ok' | 'warning' | 'problem';

export interface Check {
  check: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export interface DoctorReport {
  ok: boolean;
  problems: number;
  warnings: number;
  checks: Check[];
}

/** Adds checks made elsewhere (market data sync, read replicas) to a report, keeping its counts and verdict. */
export function addChecks<R extends DoctorReport>(report: R, checks: Check[]): R {
  for (const c of checks) {
    report.checks.push(c);
    if (c.status === 'warning') report.warnings++;
    if (c.status === 'problem') report.problems++;
  }
  report.ok = report.problems === 0;
  return report;
}

// Settings compared with tm tune's advice: "far" is less than half or more than twice the advice.
const COMPARED = [
  'shared_buffers',
  'effective_cache_size',
  'maintenance_work_mem',
  'work_mem',
  'max_worker_processes',
  'timescaledb.max_background_workers',
];

export async function runDoctor(db: Database, opts: { tune?: TuneInput } = {}): Promise<DoctorReport> {
  const checks: Check[] = [];
  const add = (c: Check) => checks.push(c);

  let info: DatabaseInfo;
  try {
    info = await databaseInfo(db);
  } catch (err) {
    add({
      check: 'connection',
      status: 'problem',
      detail: `${db.backend} ${db.target}: ${errorMessage(err)}`,
      fix: 'check DATABASE_URL (or TM_DATA_DIR) and that the server is running',
    });
    return summarize(checks);
  }
  add({ check: 'connection', status: 'ok', detail: `${db.backend} database at ${db.target}` });
  const major = Number(info.postgres_version.split('.')[0]);
  add(
    major >= 15
      ? { check: 'server version', status: 'ok', detail: `PostgreSQL ${info.postgres_version}` }
      : major >= 14
        ? {
            check: 'server version',
            status: 'warning',
            detail: `PostgreSQL ${info.postgres_version}; Trading Manager is tested on 15 to 17`,
            fix: 'upgrade PostgreSQL to 15 or later',
          }
        : {
            check: 'server version',
            status: 'problem',
            detail: `PostgreSQL ${info.postgres_version}: candle rollups need date_bin (PostgreSQL 14+)`,
            fix: 'upgrade PostgreSQL to 15 or later',
          },
  );

  const preload = db.backend === 'server' ? await preloadState(db) : null;
  // Touching TimescaleDB on a server that did not preload it closes the connection: check nothing more of it.
  const notPreloaded = !!preload?.available && !preload.preloaded;
  const ts = notPreloaded ? null : info.timescaledb_version;
  if (notPreloaded) {
    add({
      check: 'timescaledb extension',
      status: 'problem',
      detail: `TimescaleDB ${preload.available} is installed on this server but not in shared_preload_libraries${info.timescaledb_version ? ` (this database has the extension, ${info.timescaledb_version}, and cannot use it)` : ''}`,
      fix: PRELOAD_FIX,
    });
  } else if (ts) {
    add({ check: 'timescaledb extension', status: 'ok', detail: `TimescaleDB ${ts}` });
  } else {
    const missing = new TimescaleMissingError();
    add({
      check: 'timescaledb extension',
      status: 'problem',
      detail: info.timescaledb_available
        ? `not installed in this database (the server offers ${info.timescaledb_available})`
        : 'TimescaleDB is not installed on this server',
      fix: info.timescaledb_available
        ? 'make sure shared_preload_libraries includes timescaledb, then run CREATE EXTENSION timescaledb; and tm hypertable ensure'
        : missing.message.replace(/^.*?Fix: /, ''),
    });
  }

  add(
    info.migrations_pending
      ? {
          check: 'migrations',
          status: 'problem',
          detail: `pending: ${info.pending_revisions.join(', ')} (at ${info.schema_revision ?? 'base'})`,
          fix: 'tm migrate upgrade head',
        }
      : { check: 'migrations', status: 'ok', detail: `at head ${info.schema_head}` },
  );

  const candlesExist = (await db.query<{ ok: boolean }>("SELECT to_regclass('public.candles') IS NOT NULL AS ok"))
    .rows[0].ok;
  if (ts && candlesExist) {
    if (await isHypertable(db, CANDLES)) {
      const dim = await db.query<{ i: string; same: boolean }>(
        `SELECT time_interval::text AS i, time_interval = $1::interval AS same FROM timescaledb_information.dimensions
          WHERE hypertable_schema = 'public' AND hypertable_name = 'candles' AND dimension_number = 1`,
        [CHUNK_INTERVAL],
      );
      const d = dim.rows[0];
      add(
        !d || d.same
          ? { check: 'candles hypertable', status: 'ok', detail: `hypertable with ${d?.i ?? CHUNK_INTERVAL} chunks` }
          : {
              check: 'candles hypertable',
              status: 'warning',
              detail: `hypertable with ${d.i} chunks (the seed says ${CHUNK_INTERVAL})`,
              fix: "SELECT set_chunk_time_interval('candles', INTERVAL '7 days'); (applies to new chunks)",
            },
      );
      add(chunkCountCheck(await chunkShape(db)));
    } else {
      const n = (
        await db.query<{ n: number }>('SELECT count(*)::int AS n FROM (SELECT 1 FROM candles LIMIT 1000001) x')
      ).rows[0].n;
      add({
        check: 'candles hypertable',
        status: 'problem',
        detail: `candles is a plain table (${n > 1_000_000 ? 'over 1000000' : n} rows): no chunks, compression or retention`,
        fix: 'tm hypertable ensure',
      });
    }
  } else if (!candlesExist) {
    add({
      check: 'candles hypertable',
      status: 'problem',
      detail: 'the candles table does not exist',
      fix: 'tm migrate upgrade head',
    });
  }

  if (ts && !info.migrations_pending) await checkJobs(db, ts, add);
  if (db.backend === 'server' && ts) add(await checkWorkers(db, ts));
  if (db.backend === 'server') add(await tablespaceCheck(db));
  if (db.backend === 'server') await checkSettings(db, opts.tune ?? machineDefaults(), add);
  else
    add({
      check: 'settings',
      status: 'ok',
      detail: 'embedded database: settings are fixed by PGlite, nothing to tune',
    });
  return summarize(checks);
}

// Past this many chunks a query without a time bound spends more time planning than executing.
const MANY_CHUNKS = 500;
const SMALL_CHUNK_ROWS = 50_000;

/** Many small chunks (decades of daily bars in 7-day chunks): planning costs grow with the chunk count. */
function chunkCountCheck(shape: ChunkShape): Check {
  // Row counts are the planner's estimates: none until the chunks have been analyzed (autovacuum, or ANALYZE).
  const rows =
    shape.avg_rows === null
      ? ' (rows per chunk not estimated yet: ANALYZE candles)'
      : `, about ${Math.round(shape.avg_rows).toLocaleString('en-US')} rows each`;
  if (shape.chunks < MANY_CHUNKS || (shape.avg_rows !== null && shape.avg_rows >= SMALL_CHUNK_ROWS)) {
    return { check: 'candles chunks', status: 'ok', detail: `${shape.chunks} chunks${rows}` };
  }
  return {
    check: 'candles chunks',
    status: 'warning',
    detail: `${shape.chunks} chunks of ${shape.chunk_interval}${rows}: a query on candles without a time bound plans every chunk (tm bounds its own reads by candle_series; other SQL pays)`,
    fix: 'for mostly daily or coarser data: tm hypertable chunk-interval 1y before loading more history (new chunks only); compress old chunks (tm compression policy add --after 30d); see docs/timescaledb.md',
  };
}

async function checkWorkers(db: Database, timescale: string): Promise<Check> {
  return { check: 'background workers', ...adviseSlots(await workerSlots(db), timescale) };
}

async function checkJobs(db: Database, timescale: string, add: (c: Check) => void): Promise<void> {
  const jobs = await listJobs(db);
  const policies = jobs.filter((j) => j.hypertable !== null);
  const compression = policies.find((j) => j.proc_name === 'policy_compression' && j.hypertable === CANDLES);
  add(
    compression
      ? {
          check: 'compression policy',
          status: 'ok',
          detail: `job ${compression.job_id}, compress after ${String(compression.config.compress_after ?? '?')}`,
        }
      : {
          check: 'compression policy',
          status: 'warning',
          detail: 'candles has no compression policy: old candles take 10-20x the space',
          fix: 'tm compression policy add --after 30d',
        },
  );
  const retention = policies.find((j) => j.proc_name === 'policy_retention' && j.hypertable === CANDLES);
  add({
    check: 'retention policy',
    status: 'ok',
    detail: retention
      ? `job ${retention.job_id}, drop after ${String(retention.config.drop_after ?? '?')}`
      : 'none (candles are kept forever)',
  });
  const now = Date.now();
  // Every job, TimescaleDB's own included: on a broken server (PostgreSQL 15.20 with 2.28.3) they all fail.
  for (const j of jobs) {
    const name = `job ${j.job_id} (${j.proc_name}${j.hypertable ? ` on ${j.hypertable}` : ''})`;
    if (j.last_run_succeeded === false) {
      add({
        check: name,
        status: 'problem',
        detail: `last run ${j.last_run_started_at?.toISOString() ?? '?'} failed: ${j.last_run_error ?? 'unknown error'}`,
        fix: `look at the error, then retry: tm jobs run ${j.job_id}`,
      });
    } else if (j.last_run_started_at && j.last_run_succeeded === null && j.last_run_source === 'tm') {
      add({
        check: name,
        status: 'warning',
        detail: `the run started ${j.last_run_started_at.toISOString()} never finished (interrupted, or still running)`,
        fix: `if nothing is running it, run it again: tm jobs run ${j.job_id}`,
      });
    } else if (!j.scheduled) {
      add({
        check: name,
        status: 'warning',
        detail: 'paused (scheduled = false)',
        fix: `SELECT alter_job(${j.job_id}, scheduled => true);`,
      });
    } else if (db.backend === 'server' && j.next_start && now - j.next_start.getTime() > 10 * 60_000) {
      add({
        check: name,
        status: 'warning',
        detail: `overdue since ${j.next_start.toISOString()}: no background worker has run it`,
        fix: `see the 'background workers' check; ${startWorkersSql(timescale)} restarts this database's scheduler`,
      });
    } else if (
      db.backend === 'embedded' &&
      j.hypertable !== null &&
      j.next_start &&
      now - j.next_start.getTime() > 60 * 60_000
    ) {
      add({
        check: name,
        status: 'warning',
        detail: `overdue since ${j.next_start.toISOString()} (last run: ${j.last_run_started_at?.toISOString() ?? 'never'}); the embedded database has no background workers`,
        fix: 'keep tm serve running, or run tm jobs run-due from cron',
      });
    } else {
      add({
        check: name,
        status: 'ok',
        detail: j.last_run_started_at ? `last run ${j.last_run_started_at.toISOString()} succeeded` : 'not run yet',
      });
    }
  }
}

async function checkSettings(db: Database, tune: TuneInput, add: (c: Check) => void): Promise<void> {
  const advice = recommend(tune).filter((s) => COMPARED.includes(s.name));
  const r = await db.query<{ name: string; setting: string; unit: string | null }>(
    'SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1::text[])',
    [advice.map((a) => a.name)],
  );
  const actual = new Map(r.rows.map((x) => [x.name, x]));
  const far: string[] = [];
  for (const a of advice) {
    const cur = actual.get(a.name);
    if (!cur) continue;
    const want = /^\d+$/.test(a.value) ? Number(a.value) : sizeBytes(a.value);
    const have = Number(cur.setting) * unitBytes(cur.unit);
    if (!Number.isFinite(want) || !Number.isFinite(have) || want === 0) continue;
    if (have < want / 2 || have > want * 2) far.push(`${a.name} = ${cur.setting}${cur.unit ?? ''} (advice ${a.value})`);
  }
  add(
    far.length === 0
      ? {
          check: 'settings',
          status: 'ok',
          detail: `within 2x of tm tune's advice for ${Math.round(tune.memoryBytes / 2 ** 30)}GB / ${tune.cpus} CPUs`,
        }
      : {
          check: 'settings',
          status: 'warning',
          detail: `far from tm tune's advice for ${Math.round(tune.memoryBytes / 2 ** 30)}GB / ${tune.cpus} CPUs (this machine's; pass the server's with tm tune): ${far.join('; ')}`,
          fix: 'tm tune --apply (as a superuser), then restart PostgreSQL',
        },
  );
}

/** pg_settings units: "8kB" pages, "kB", "MB", or none (plain numbers). */
function unitBytes(unit: string | null): number {
  if (!unit) return 1;
  const m = /^(\d*)(B|kB|MB|GB)$/.exec(unit);
  if (!m) return 1;
  return (m[1] ? Number(m[1]) : 1) * { B: 1, kB: 1024, MB: 2 ** 20, GB: 2 ** 30 }[m[2] as 'B' | 'kB' | 'MB' | 'GB'];
}

function summarize(checks: Check[]): DoctorReport {
  const problems = checks.filter((c) => c.status === 'problem').length;
  return { ok: problems === 0, problems, warnings: checks.filter((c) => c.status === 'warning').length, checks };
}

/** Sizes per tablespace (tiering moves old chunks off pg_default: tm tier). */
async function tablespaceCheck(db: Database): Promise<Check> {
  const spaces = await listTablespaces(db);
  const policies = await tierPolicies(db);
  const parts = spaces.map((t) => `${t.name} ${t.size} (${t.chunks} chunks)`);
  const moving = policies.map((p) => `${p.hypertable} older than ${p.older_than} → ${p.tablespace} (job ${p.job_id})`);
  return {
    check: 'tablespaces',
    status: 'ok',
    detail: `${parts.join('; ')}${moving.length ? `; tiering: ${moving.join(', ')}` : ''}`,
  };
}
