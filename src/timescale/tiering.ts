/**
 * Tiering without the cloud: old chunks move to a tablespace on cheaper disks, as TimescaleDB documents
 * for self-hosted installations (a tablespace, then a job that calls move_chunk on chunks older than N).
 * move_chunk (TimescaleDB's community licence) copies a chunk with its indexes, and with its compressed
 * data when the chunk is in the columnstore, taking a short exclusive lock only at the end; where it is
 * missing (an Apache-only build) the job falls back to ALTER TABLE … SET TABLESPACE. The job commits after
 * each chunk, so a stopped run keeps what it moved. The embedded database has one data directory and no
 * tablespaces: it is refused with a message that says so.
 */
import type { Database, Queryable } from '../db/types.ts';
import { UserError, errorMessage } from '../errors.ts';
import { parseDuration } from './duration.ts';
import { requireHypertable } from './hypertables.ts';

export const TIER_PROC = 'tm_move_old_chunks';
const NAME_RE = /^[a-z_][a-z0-9_]{0,62}$/;

export type TablespaceInfo = {
  name: string;
  location: string | null;
  size_bytes: number;
  /** The same, for people (pg_size_pretty). */
  size: string;
  /** Chunks (of any hypertable, continuous aggregates included) stored there. */
  chunks: number;
};

export type TierPolicy = {
  job_id: number;
  hypertable: string;
  tablespace: string;
  older_than: string;
  schedule_interval: string;
};

function refuseEmbedded(db: Database, what: string): void {
  if (db.backend === 'embedded')
    throw new UserError(
      `${what} needs a PostgreSQL server: the embedded database keeps all its data in one directory and has no tablespaces (docs/timescaledb.md, "Tiering")`,
      409,
    );
}

function checkName(name: string): string {
  if (!NAME_RE.test(name))
    throw new UserError(
      `tablespace name "${name}" must be lower-case letters, digits and _ (not starting with a digit)`,
    );
  if (name.startsWith('pg_')) throw new UserError(`tablespace names starting with pg_ are reserved by PostgreSQL`);
  return name;
}

/** CREATE TABLESPACE NAME LOCATION PATH: PATH is a directory on the database server's machine. */
export async function addTablespace(db: Database, name: string, location: string): Promise<TablespaceInfo> {
  refuseEmbedded(db, 'tm tier add-tablespace');
  checkName(name);
  if (!location.startsWith('/')) throw new UserError(`tablespace path "${location}" must be absolute`);
  if (location.includes("'")) throw new UserError(`tablespace path "${location}" must not contain a quote`);
  try {
    // Utility statements take no parameters; name and path were checked above.
    await db.exec(`CREATE TABLESPACE "${name}" LOCATION '${location}'`);
  } catch (err) {
    const msg = errorMessage(err);
    if (/already exists/.test(msg)) throw new UserError(`tablespace "${name}" already exists`, 409);
    if (/permission denied to create tablespace|must be superuser/.test(msg))
      throw new UserError(
        `${msg}. Fix: run it as a superuser (tm tier add-tablespace with an administrator's DATABASE_URL)`,
        403,
      );
    throw new UserError(
      `could not create tablespace "${name}" at ${location}: ${msg}. The directory must exist on the database server, be empty, and belong to the user the server runs as (usually postgres)`,
    );
  }
  return (await listTablespaces(db)).find((t) => t.name === name) as TablespaceInfo;
}

/** Every tablespace but pg_global, with its size and how many chunks it holds. */
export async function listTablespaces(q: Queryable): Promise<TablespaceInfo[]> {
  const chunks = await hasChunksView(q);
  const r = await q.query<TablespaceInfo>(
    `SELECT t.spcname AS name, nullif(pg_tablespace_location(t.oid), '') AS location,
            pg_tablespace_size(t.oid)::float8 AS size_bytes, pg_size_pretty(pg_tablespace_size(t.oid)) AS size,
            ${
              chunks
                ? `(SELECT count(*)::int FROM timescaledb_information.chunks c
                     WHERE coalesce(c.chunk_tablespace, 'pg_default') = t.spcname)`
                : '0'
            } AS chunks
       FROM pg_tablespace t WHERE t.spcname <> 'pg_global' ORDER BY t.spcname = 'pg_default' DESC, t.spcname`,
  );
  return r.rows;
}

async function hasChunksView(q: Queryable): Promise<boolean> {
  const r = await q.query<{ ok: boolean }>("SELECT to_regclass('timescaledb_information.chunks') IS NOT NULL AS ok");
  return r.rows[0].ok;
}

async function requireTablespace(q: Queryable, name: string): Promise<void> {
  const r = await q.query('SELECT 1 FROM pg_tablespace WHERE spcname = $1', [name]);
  if (!r.rows.length)
    throw new UserError(`tablespace "${name}" does not exist. Fix: tm tier add-tablespace ${name} PATH`, 404);
}

/** The job's procedure (created or replaced with each policy, so an upgrade of tm updates it). */
const PROCEDURE = `CREATE OR REPLACE PROCEDURE public.${TIER_PROC}(job_id int, config jsonb) LANGUAGE plpgsql AS $$
DECLARE
  rel regclass := (config->>'hypertable')::regclass;
  dest name := config->>'tablespace';
  dest_oid oid := (SELECT oid FROM pg_tablespace WHERE spcname = config->>'tablespace');
  db_default oid := (SELECT dattablespace FROM pg_database WHERE datname = current_database());
  older interval := (config->>'older_than')::interval;
  ch regclass;
  idx regclass;
  has_move boolean := to_regproc('public.move_chunk') IS NOT NULL;
BEGIN
  IF dest_oid IS NULL THEN
    RAISE EXCEPTION 'tablespace "%" does not exist (tm tier add-tablespace)', dest;
  END IF;
  FOR ch IN SELECT s.c FROM show_chunks(rel, older_than => older) AS s(c) LOOP
    -- One chunk per transaction, locked for it: a run at the same time (tm jobs run while the scheduler
    -- runs the job) skips it, and a chunk moved or dropped since the list was read is left alone.
    CONTINUE WHEN NOT pg_try_advisory_xact_lock(hashtext('${TIER_PROC}'), (ch::oid::bigint % 2147483647)::int);
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_class k WHERE k.oid = ch AND coalesce(nullif(k.reltablespace, 0), db_default) <> dest_oid);
    IF has_move THEN
      -- move_chunk reorders a row-store chunk by an index: its clustered one, else a unique one.
      SELECT i.indexrelid INTO idx FROM pg_index i WHERE i.indrelid = ch
       ORDER BY i.indisclustered DESC, i.indisunique DESC, i.indexrelid LIMIT 1;
      PERFORM move_chunk(chunk => ch, destination_tablespace => dest, index_destination_tablespace => dest,
                         reorder_index => idx);
    ELSE
      EXECUTE format('ALTER TABLE %s SET TABLESPACE %I', ch, dest);
    END IF;
    COMMIT;
  END LOOP;
END $$`;

/** A job that moves chunks of `hypertable` older than `olderThan` to `tablespace`, run every `schedule`. */
export async function addTierPolicy(
  db: Database,
  o: { tablespace: string; olderThan: string; hypertable?: string; schedule?: string },
): Promise<TierPolicy & { created: boolean }> {
  refuseEmbedded(db, 'a tiering policy');
  const hypertable = o.hypertable ?? 'candles';
  await requireHypertable(db, hypertable);
  await requireTablespace(db, o.tablespace);
  const older = parseDuration(o.olderThan, '--older-than');
  const schedule = parseDuration(o.schedule ?? '1d', '--schedule');
  const existing = await tierPolicies(db, hypertable);
  const same = existing.find((p) => p.tablespace === o.tablespace);
  if (same) return { ...same, created: false };
  if (existing.length)
    throw new UserError(
      `${hypertable} already moves old chunks to ${existing[0].tablespace} (job ${existing[0].job_id}). Fix: tm tier policy remove --hypertable ${hypertable}`,
      409,
    );
  await db.exec(PROCEDURE);
  const r = await db.query<{ id: number }>(
    `SELECT add_job('public.${TIER_PROC}', $1::interval,
                    config => jsonb_build_object('hypertable', format('public.%I', $2::text), 'tablespace', $3::text,
                                                 'older_than', $4::interval::text)) AS id`,
    [schedule, hypertable, o.tablespace, older],
  );
  const made = (await tierPolicies(db, hypertable)).find((p) => p.job_id === r.rows[0].id);
  if (!made) throw new Error(`the tiering job ${r.rows[0].id} was added but is not in the catalog`);
  return { ...made, created: true };
}

/** The tiering jobs (of one hypertable, or all); none without TimescaleDB. */
export async function tierPolicies(q: Queryable, hypertable?: string): Promise<TierPolicy[]> {
  if (!(await hasChunksView(q))) return [];
  const r = await q.query<TierPolicy>(
    `SELECT job_id, replace(config->>'hypertable', 'public.', '') AS hypertable, config->>'tablespace' AS tablespace,
            config->>'older_than' AS older_than, schedule_interval::text AS schedule_interval
       FROM timescaledb_information.jobs WHERE proc_name = $1 ORDER BY job_id`,
    [TIER_PROC],
  );
  return r.rows.filter((p) => !hypertable || p.hypertable === hypertable || p.hypertable === `"${hypertable}"`);
}

export async function removeTierPolicy(db: Database, hypertable = 'candles'): Promise<{ removed: number[] }> {
  const jobs = await tierPolicies(db, hypertable);
  for (const j of jobs) await db.query('SELECT delete_job($1)', [j.job_id]);
  return { removed: jobs.map((j) => j.job_id) };
}
