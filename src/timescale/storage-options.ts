/**
 * Two compression settings beyond segmentby and orderby, set where the server has them (read from its
 * catalog, not its version string):
 * - the sparse index: only min/max of the orderby columns. Left to itself, TimescaleDB (2.2x) adds bloom
 *   filters for the primary key's `id` to every compressed batch: no read of candles filters by id,
 *   and with them it would not merge compressed chunks (measured on 2.28.3; docs/timescaledb.md).
 * - merging: neighbouring chunks are merged as they are compressed, up to a span
 *   (`compress_chunk_time_interval`). A 7-day chunk suits writes; an old, compressed one is read whole
 *   far more than written, and each compressed chunk carries its own heap, TOAST and index pages.
 */
import type { Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { parseDuration } from './duration.ts';

/** Compressed chunks are merged up to this span unless told otherwise (four 7-day chunks). */
export const DEFAULT_MERGE_UP_TO = '28d';

export interface StorageFeatures {
  /** `timescaledb.compress_index` (the sparse index setting) is there. */
  sparseIndex: boolean;
  /** `timescaledb.compress_chunk_time_interval` (merging on compression) is there. */
  merge: boolean;
}

/** Which of the two settings this TimescaleDB stores: the catalog columns that hold them. */
export async function storageFeatures(q: Queryable): Promise<StorageFeatures> {
  const r = await q.query<{ rel: string; att: string }>(
    `SELECT c.relname AS rel, a.attname AS att
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = '_timescaledb_catalog' AND NOT a.attisdropped
        AND ((c.relname = 'compression_settings' AND a.attname = 'index')
          OR (c.relname = 'dimension' AND a.attname = 'compress_interval_length'))`,
  );
  const has = (rel: string) => r.rows.some((x) => x.rel === rel);
  return { sparseIndex: has('compression_settings'), merge: has('dimension') };
}

/**
 * The merge span as an interval literal, or null for "never" ("0", "off", "never") and, when no span is
 * asked, on a server that cannot merge. It must be a multiple of the table's chunk interval, or chunks
 * could only partly merge.
 */
export async function checkMergeUpTo(
  q: Queryable,
  text: string | undefined,
  table: string,
  features: StorageFeatures,
): Promise<string | null> {
  if (text !== undefined && /^\s*(0|off|never|none)\s*$/i.test(text)) return null;
  if (!features.merge) {
    if (text === undefined) return null;
    throw new UserError('--merge-up-to: this TimescaleDB cannot merge chunks as it compresses them (2.9 or later can)');
  }
  const asked = text ?? DEFAULT_MERGE_UP_TO;
  const span = parseDuration(asked, '--merge-up-to');
  const r = await q.query<{ chunk: string | null; ratio: number | null }>(
    `SELECT time_interval::text AS chunk, extract(epoch FROM $2::interval) / extract(epoch FROM time_interval) AS ratio
       FROM timescaledb_information.dimensions
      WHERE hypertable_schema = 'public' AND hypertable_name = $1 AND dimension_number = 1`,
    [table, span],
  );
  const { chunk, ratio } = r.rows[0] ?? { chunk: null, ratio: null };
  if (chunk !== null && ratio !== null && (ratio < 1 || Math.abs(ratio - Math.round(ratio)) > 1e-9)) {
    throw new UserError(
      `--merge-up-to "${asked}" is not a whole number of chunk intervals of ${table} (${chunk}): use e.g. 28d for 7-day chunks, or 0 to never merge`,
    );
  }
  return span;
}

/** The extra SET (…) options for these settings on a server with `features`. */
export function storageOptions(features: StorageFeatures, orderby: string[], mergeUpTo: string | null): string[] {
  const out: string[] = [];
  if (features.sparseIndex) {
    const cols = orderby.map((o) => o.split(' ')[0]);
    out.push(`timescaledb.compress_index = '${cols.map((c) => `minmax(${c})`).join(', ')}'`);
  }
  if (features.merge) out.push(`timescaledb.compress_chunk_time_interval = '${mergeUpTo ?? '0'}'`);
  return out;
}

/** The merge span set on a hypertable (null: none), as PostgreSQL prints it. */
export async function mergeUpTo(q: Queryable, table: string): Promise<string | null> {
  if (!(await storageFeatures(q)).merge) return null;
  const r = await q.query<{ span: string | null }>(
    `SELECT justify_hours(d.compress_interval_length * interval '1 microsecond')::text AS span
       FROM _timescaledb_catalog.dimension d JOIN _timescaledb_catalog.hypertable h ON h.id = d.hypertable_id
      WHERE h.schema_name = 'public' AND h.table_name = $1 AND d.column_name = (
        SELECT column_name FROM timescaledb_information.dimensions
         WHERE hypertable_schema = 'public' AND hypertable_name = $1 AND dimension_number = 1)`,
    [table],
  );
  return r.rows[0]?.span ?? null;
}
