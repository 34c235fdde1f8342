/**
 * Hypertables: list, chunks, sizes, and "ensure" (the seed's "Hypertable Not Working" fix).
 * The seed's timescaledb_information.hypertable_stats view was removed in TimescaleDB 2.0; sizes come
 * from hypertable_detailed_size(), chunks_detailed_size() and the compression stats functions.
 */
import type { Database, Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import type { Page } from '../db/page.ts';
import { requireTimescale, versionAtLeast } from './require.ts';
import { statsFunction, storageApi } from './columnstore-api.ts';

/** The product's hypertable and its chunk interval (the seed: 7 days). */
export const CANDLES = 'candles';
export const CHUNK_INTERVAL = '7 days';

export interface HypertableInfo {
  hypertable_schema: string;
  hypertable_name: string;
  time_column: string | null;
  chunk_interval: string | null;
  num_chunks: number;
  compression_enabled: boolean;
  total_bytes: number;
}

export interface ChunkInfo {
  chunk_schema: string;
  chunk_name: string;
  range_start: Date;
  range_end: Date;
  is_compressed: boolean;
  /** On-disk size now (compressed size when compressed). */
  total_bytes: number;
  /** Size before compression, when compressed. */
  before_compression_bytes: number | null;
}

export interface HypertableStats {
  hypertable_name: string;
  table_bytes: number;
  index_bytes: number;
  toast_bytes: number;
  total_bytes: number;
  num_chunks: number;
  compressed_chunks: number;
  before_compression_bytes: number | null;
  after_compression_bytes: number | null;
  /** before / after, when some chunks are compressed. */
  compression_ratio: number | null;
}

export async function isHypertable(q: Queryable, table = CANDLES): Promise<boolean> {
  const r = await q.query(
    "SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_schema = 'public' AND hypertable_name = $1",
    [table],
  );
  return r.rows.length > 0;
}

/** Throws a clear error unless `table` is a hypertable in the public schema. */
export async function requireHypertable(q: Queryable, table = CANDLES): Promise<void> {
  await requireTimescale(q, 'hypertables');
  if (!(await isHypertable(q, table))) {
    const exists = (
      await q.query<{ ok: boolean }>("SELECT to_regclass(format('public.%I', $1::text)) IS NOT NULL AS ok", [table])
    ).rows[0].ok;
    if (!exists) throw new UserError(`table "${table}" does not exist`, 404);
    throw new UserError(`${table} is not a hypertable. Fix: tm hypertable ensure`, 409);
  }
}

export async function listHypertables(q: Queryable): Promise<HypertableInfo[]> {
  await requireTimescale(q, 'hypertables');
  // Materialization hypertables of continuous aggregates live in _timescaledb_internal: only ours are listed.
  const r = await q.query<HypertableInfo>(
    `SELECT h.hypertable_schema, h.hypertable_name, d.column_name AS time_column, d.time_interval::text AS chunk_interval,
            h.num_chunks::int AS num_chunks, h.compression_enabled,
            coalesce((SELECT s.total_bytes FROM hypertable_detailed_size(format('%I.%I', h.hypertable_schema, h.hypertable_name)::regclass) s), 0) AS total_bytes
       FROM timescaledb_information.hypertables h
       LEFT JOIN timescaledb_information.dimensions d
         ON d.hypertable_schema = h.hypertable_schema AND d.hypertable_name = h.hypertable_name AND d.dimension_number = 1
      WHERE h.hypertable_schema NOT IN ('_timescaledb_internal', '_timescaledb_functions')
      ORDER BY h.hypertable_schema, h.hypertable_name`,
  );
  return r.rows;
}

export async function listChunks(
  q: Queryable,
  table = CANDLES,
  page = { limit: 1000, offset: 0 },
): Promise<Page<ChunkInfo>> {
  await requireHypertable(q, table);
  const total = await q.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_schema = 'public' AND hypertable_name = $1",
    [table],
  );
  const r = await q.query<ChunkInfo>(
    `WITH sizes AS (SELECT * FROM chunks_detailed_size(format('public.%I', $1::text)::regclass)),
          comp AS (SELECT * FROM ${statsFunction(await storageApi(q), 'chunk')}(format('public.%I', $1::text)::regclass))
     SELECT c.chunk_schema, c.chunk_name, c.range_start, c.range_end, c.is_compressed,
            coalesce(CASE WHEN c.is_compressed THEN comp.after_compression_total_bytes END, s.total_bytes, 0) AS total_bytes,
            CASE WHEN c.is_compressed THEN comp.before_compression_total_bytes END AS before_compression_bytes
       FROM timescaledb_information.chunks c
       LEFT JOIN sizes s ON s.chunk_schema = c.chunk_schema AND s.chunk_name = c.chunk_name
       LEFT JOIN comp ON comp.chunk_schema = c.chunk_schema AND comp.chunk_name = c.chunk_name
      WHERE c.hypertable_schema = 'public' AND c.hypertable_name = $1
      ORDER BY c.range_start, c.chunk_name
      LIMIT $2 OFFSET $3`,
    [table, page.limit, page.offset],
  );
  return { items: r.rows, limit: page.limit, offset: page.offset, total: total.rows[0].n };
}

export async function hypertableStats(q: Queryable, table = CANDLES): Promise<HypertableStats> {
  await requireHypertable(q, table);
  const r = await q.query<HypertableStats>(
    `WITH rel AS (SELECT format('public.%I', $1::text)::regclass AS oid),
          size AS (SELECT s.* FROM rel, hypertable_detailed_size(rel.oid) s),
          comp AS (SELECT c.* FROM rel, ${statsFunction(await storageApi(q), 'hypertable')}(rel.oid) c)
     SELECT $1::text AS hypertable_name,
            coalesce(size.table_bytes, 0) AS table_bytes, coalesce(size.index_bytes, 0) AS index_bytes,
            coalesce(size.toast_bytes, 0) AS toast_bytes, coalesce(size.total_bytes, 0) AS total_bytes,
            (SELECT count(*)::int FROM timescaledb_information.chunks ch WHERE ch.hypertable_schema = 'public' AND ch.hypertable_name = $1) AS num_chunks,
            coalesce(comp.number_compressed_chunks, 0)::int AS compressed_chunks,
            comp.before_compression_total_bytes AS before_compression_bytes,
            comp.after_compression_total_bytes AS after_compression_bytes
       FROM size LEFT JOIN comp ON true`,
    [table],
  );
  const s = r.rows[0];
  s.compression_ratio =
    s.before_compression_bytes && s.after_compression_bytes
      ? Number((s.before_compression_bytes / s.after_compression_bytes).toFixed(2))
      : null;
  return s;
}

export interface EnsureResult {
  hypertable: string;
  /** True when the table was converted now; false when it already was a hypertable. */
  converted: boolean;
  migrated_rows: number;
  chunk_interval: string;
}

/**
 * Makes candles a hypertable with 7-day chunks, moving existing rows into chunks (migrate_data).
 * A no-op when it already is one. Runs in one transaction: a failure leaves the plain table as it was.
 */
export async function ensureHypertable(db: Database, table = CANDLES): Promise<EnsureResult> {
  const version = await requireTimescale(db, 'hypertable ensure');
  if (await isHypertable(db, table)) {
    const r = await db.query<{ i: string }>(
      "SELECT time_interval::text AS i FROM timescaledb_information.dimensions WHERE hypertable_schema = 'public' AND hypertable_name = $1 AND dimension_number = 1",
      [table],
    );
    return { hypertable: table, converted: false, migrated_rows: 0, chunk_interval: r.rows[0]?.i ?? CHUNK_INTERVAL };
  }
  const exists = (
    await db.query<{ ok: boolean }>("SELECT to_regclass(format('public.%I', $1::text)) IS NOT NULL AS ok", [table])
  ).rows[0].ok;
  if (!exists) throw new UserError(`table "${table}" does not exist: run "tm migrate upgrade head" first`, 404);
  return db.transaction(async (tx) => {
    const n = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM public.${quoteIdent(table)}`);
    // by_range() exists since 2.13; older 2.x releases take the column and chunk_time_interval.
    const call = versionAtLeast(version, 2, 13)
      ? `SELECT create_hypertable(format('public.%I', $1::text)::regclass, by_range('ts', $2::interval), migrate_data => true, create_default_indexes => false)`
      : `SELECT create_hypertable(format('public.%I', $1::text)::regclass, 'ts', chunk_time_interval => $2::interval, migrate_data => true, create_default_indexes => false)`;
    await tx.query(call, [table, CHUNK_INTERVAL]);
    return { hypertable: table, converted: true, migrated_rows: n.rows[0].n, chunk_interval: CHUNK_INTERVAL };
  });
}

/** Double-quotes an identifier (names come from the catalog or a checked list, this is belt and braces). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export interface ChunkShape {
  chunk_interval: string;
  chunks: number;
  /** Estimated rows per chunk (planner statistics, no scan); null before the first ANALYZE. */
  avg_rows: number | null;
}

/** Chunk interval, chunk count and rows per chunk of a hypertable, from the catalog only. */
export async function chunkShape(q: Queryable, table = CANDLES): Promise<ChunkShape> {
  await requireHypertable(q, table);
  const r = await q.query<ChunkShape>(
    `SELECT (SELECT time_interval::text FROM timescaledb_information.dimensions
              WHERE hypertable_schema = 'public' AND hypertable_name = $1 AND dimension_number = 1) AS chunk_interval,
            count(*)::int AS chunks,
            (avg(nullif(greatest(c.reltuples, 0), 0)))::float8 AS avg_rows
       FROM timescaledb_information.chunks k
       JOIN pg_class c ON c.oid = format('%I.%I', k.chunk_schema, k.chunk_name)::regclass
      WHERE k.hypertable_schema = 'public' AND k.hypertable_name = $1 AND NOT k.is_compressed`,
    [table],
  );
  const total = await q.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_schema = 'public' AND hypertable_name = $1",
    [table],
  );
  return { ...r.rows[0], chunks: total.rows[0].n };
}

/**
 * Sets the interval of the chunks created from now on (existing chunks keep theirs). For data that is
 * mostly daily or coarser, a longer interval (e.g. 1 year) before loading history gives few chunks.
 */
export async function setChunkInterval(db: Database, interval: string, table = CANDLES): Promise<ChunkShape> {
  await requireHypertable(db, table);
  await db.query(`SELECT set_chunk_time_interval(format('public.%I', $1::text)::regclass, $2::interval)`, [
    table,
    interval,
  ]);
  return chunkShape(db, table);
}
