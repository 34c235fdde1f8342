/**
 * The seed's "Monitor Performance" and "Analyze Tables": slow queries from pg_stat_statements, sizes
 * of tables, hypertables (all chunks counted) and indexes, and ANALYZE. These work without TimescaleDB.
 */
import type { Database, Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { timescaleVersion } from '../db/info.ts';

export interface QueryStat {
  query: string;
  calls: number;
  total_ms: number;
  mean_ms: number;
  max_ms: number;
  rows: number;
}

export const PGSS_FIX =
  "Fix: add pg_stat_statements to shared_preload_libraries in postgresql.conf (ALTER SYSTEM SET shared_preload_libraries = 'timescaledb,pg_stat_statements'), restart PostgreSQL, then run CREATE EXTENSION pg_stat_statements; in this database";

/** The slowest statements by mean time. PostgreSQL 13 renamed *_time to *_exec_time: the view's columns say which. */
export async function slowQueries(db: Database, limit = 10): Promise<QueryStat[]> {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new UserError(`--limit must be an integer from 1 to 1000, got ${limit}`);
  if (db.backend === 'embedded') {
    throw new UserError(
      'pg_stat_statements is not available in the embedded database. Fix: point DATABASE_URL at a PostgreSQL server with pg_stat_statements loaded',
      409,
    );
  }
  const ext = await db.query("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'");
  if (ext.rows.length === 0)
    throw new UserError(`the pg_stat_statements extension is not installed in this database. ${PGSS_FIX}`, 409);
  const cols = await db.query<{ c: string }>(
    "SELECT attname AS c FROM pg_attribute WHERE attrelid = 'pg_stat_statements'::regclass AND attnum > 0 AND NOT attisdropped",
  );
  const names = new Set(cols.rows.map((r) => r.c));
  const suffix = names.has('mean_exec_time') ? '_exec_time' : '_time';
  try {
    const r = await db.query<QueryStat>(
      `SELECT query, calls, total${suffix} AS total_ms, mean${suffix} AS mean_ms, max${suffix} AS max_ms, rows
         FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY mean${suffix} DESC
        LIMIT $1`,
      [limit],
    );
    return r.rows;
  } catch (err) {
    const msg = (err as Error).message;
    if (/shared_preload_libraries/.test(msg))
      throw new UserError(`pg_stat_statements is installed but not loaded (${msg}). ${PGSS_FIX}`, 409);
    throw err;
  }
}

export interface RelationSize {
  name: string;
  kind: 'table' | 'hypertable' | 'continuous_aggregate' | 'index';
  /** The table of an index. */
  table: string | null;
  total_bytes: number;
  table_bytes: number;
  index_bytes: number;
  toast_bytes: number;
  chunks: number | null;
}

/** Tables, hypertables (with all their chunks), continuous aggregates and indexes of the public schema, largest first. */
export async function relationSizes(q: Queryable): Promise<RelationSize[]> {
  const ts = await timescaleVersion(q);
  const plain = await q.query<RelationSize>(
    `SELECT c.relname::text AS name, 'table' AS kind, NULL::text AS table,
            pg_total_relation_size(c.oid) AS total_bytes, pg_relation_size(c.oid) AS table_bytes,
            pg_indexes_size(c.oid) AS index_bytes,
            coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0) AS toast_bytes, NULL::int AS chunks
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')`,
  );
  const indexes = await q.query<RelationSize & { oid: number }>(
    `SELECT i.relname::text AS name, 'index' AS kind, t.relname::text AS table, i.oid::int AS oid,
            pg_relation_size(i.oid) AS total_bytes, 0 AS table_bytes, pg_relation_size(i.oid) AS index_bytes, 0 AS toast_bytes, NULL::int AS chunks
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public'`,
  );
  let rows: RelationSize[] = [...plain.rows, ...indexes.rows.map(({ oid: _oid, ...r }) => r)];
  if (ts) {
    // A hypertable's parent is empty: its size is the sum over chunks, from TimescaleDB's size functions.
    const hyper = await q.query<RelationSize>(
      `SELECT h.hypertable_name::text AS name, 'hypertable' AS kind, NULL::text AS table,
              s.total_bytes, s.table_bytes, s.index_bytes, s.toast_bytes, h.num_chunks::int AS chunks
         FROM timescaledb_information.hypertables h,
              LATERAL hypertable_detailed_size(format('%I.%I', h.hypertable_schema, h.hypertable_name)::regclass) s
        WHERE h.hypertable_schema = 'public'`,
    );
    const caggs = await q.query<RelationSize>(
      `SELECT ca.view_name::text AS name, 'continuous_aggregate' AS kind, NULL::text AS table,
              s.total_bytes, s.table_bytes, s.index_bytes, s.toast_bytes,
              (SELECT count(*)::int FROM timescaledb_information.chunks ch
                WHERE ch.hypertable_schema = ca.materialization_hypertable_schema AND ch.hypertable_name = ca.materialization_hypertable_name) AS chunks
         FROM timescaledb_information.continuous_aggregates ca,
              LATERAL hypertable_detailed_size(format('%I.%I', ca.materialization_hypertable_schema, ca.materialization_hypertable_name)::regclass) s
        WHERE ca.view_schema = 'public'`,
    );
    const hyperNames = new Set(hyper.rows.map((h) => h.name));
    const hyperIndexes = await q.query<{ name: string; bytes: number }>(
      `SELECT i.relname::text AS name, hypertable_index_size(format('public.%I', i.relname)::regclass) AS bytes
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = 'public' AND t.relname = ANY($1::text[])`,
      [[...hyperNames]],
    );
    const idxSize = new Map(hyperIndexes.rows.map((r) => [r.name, r.bytes]));
    rows = rows
      .filter((r) => !(r.kind === 'table' && hyperNames.has(r.name)))
      .map((r) => {
        const bytes = r.kind === 'index' ? idxSize.get(r.name) : undefined;
        return bytes === undefined ? r : { ...r, total_bytes: bytes, index_bytes: bytes };
      });
    rows.push(...hyper.rows, ...caggs.rows);
  }
  return rows
    .map((r) => ({ ...r, total_bytes: Number(r.total_bytes ?? 0) }))
    .sort((a, b) => b.total_bytes - a.total_bytes || a.name.localeCompare(b.name));
}

/** ANALYZE one table of the public schema, or the whole database. */
export async function analyze(q: Queryable, table?: string): Promise<{ analyzed: string; ms: number }> {
  const t0 = Date.now();
  if (!table) {
    await q.exec('ANALYZE');
    return { analyzed: 'all tables', ms: Date.now() - t0 };
  }
  const r = await q.query<{ name: string | null }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relname = $1 AND c.relkind IN ('r', 'p', 'm')`,
    [table],
  );
  const name = r.rows[0]?.name;
  if (!name) throw new UserError(`"${table}" is not a table of the public schema`, 404);
  await q.exec(`ANALYZE ${name}`);
  return { analyzed: table, ms: Date.now() - t0 };
}
