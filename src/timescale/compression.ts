/**
 * Compression of candles: settings (segmentby / orderby), the policy, status, and manual
 * compress/decompress. The default segmentby is "asset_id, interval": measured on synthetic data
 * (docs/timescaledb.md) it compresses better than the seed's "asset_id" because the rows of one
 * candle interval sit together and their timestamps are evenly spaced.
 */
import type { Database, Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { CANDLES, requireHypertable } from './hypertables.ts';
import { parseDuration } from './duration.ts';
import { findPolicy, type PolicyJob } from './jobs.ts';
import { versionAtLeast } from './require.ts';
import { timescaleVersion } from '../db/info.ts';
import {
  addStoragePolicy,
  convertChunk,
  enableOptions,
  removeStoragePolicy,
  revertChunk,
  statsFunction,
  storageApi,
} from './columnstore-api.ts';
import { checkMergeUpTo, mergeUpTo, storageFeatures, storageOptions } from './storage-options.ts';

export const DEFAULT_SEGMENTBY = 'asset_id, interval';
export const DEFAULT_ORDERBY = 'ts DESC';
/**
 * candles' primary key is (id, ts). Older TimescaleDB releases refuse compression settings that
 * leave a key column out of segmentby and orderby (`column "id" must be used for segmenting or
 * ordering`); newer ones only warn. Below this release tm appends id to the default orderby.
 */
export const ID_IN_ORDERBY_BELOW: readonly [number, number] = [2, 14];
export const DEFAULT_COMPRESS_AFTER = '30d';

/** The default orderby for candles on the installed TimescaleDB version (read from pg_extension). */
export function defaultOrderby(timescaleVersion: string | null): string {
  if (timescaleVersion && !versionAtLeast(timescaleVersion, ID_IN_ORDERBY_BELOW[0], ID_IN_ORDERBY_BELOW[1]))
    return `${DEFAULT_ORDERBY}, id`;
  return DEFAULT_ORDERBY;
}

export interface CompressionSettings {
  segmentby: string[];
  orderby: string[];
}

export interface CompressionStatus {
  hypertable: string;
  enabled: boolean;
  segmentby: string[];
  orderby: string[];
  /** Neighbouring chunks are merged as they compress, up to this span (null: never, or not on this server). */
  merge_up_to: string | null;
  policy: PolicyJob | null;
  total_chunks: number;
  compressed_chunks: number;
  before_compression_bytes: number | null;
  after_compression_bytes: number | null;
  compression_ratio: number | null;
}

async function columnsOf(q: Queryable, table: string): Promise<Set<string>> {
  const r = await q.query<{ c: string }>(
    "SELECT attname AS c FROM pg_attribute WHERE attrelid = format('public.%I', $1::text)::regclass AND attnum > 0 AND NOT attisdropped",
    [table],
  );
  return new Set(r.rows.map((x) => x.c));
}

/** Checks "asset_id, interval" against the table's columns; returns the quoted list for SQL. */
export async function checkSegmentby(q: Queryable, text: string, table = CANDLES): Promise<string[]> {
  const cols = await columnsOf(q, table);
  const names = text
    .split(',')
    .map((s) => s.trim().replace(/^"(.*)"$/, '$1'))
    .filter(Boolean);
  if (names.length === 0) return [];
  for (const n of names)
    if (!cols.has(n))
      throw new UserError(`--segmentby: "${n}" is not a column of ${table} (columns: ${[...cols].join(', ')})`);
  return names;
}

/** Checks "ts DESC, id" (column [ASC|DESC] [NULLS FIRST|LAST]) against the table's columns; returns the items normalized. */
export async function checkOrderby(q: Queryable, text: string, table = CANDLES): Promise<string[]> {
  const cols = await columnsOf(q, table);
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UserError('--orderby is empty: give e.g. "ts DESC"');
  return items.map((item) => {
    const m = /^"?([A-Za-z_][A-Za-z0-9_]*)"?(?:\s+(ASC|DESC))?(?:\s+NULLS\s+(FIRST|LAST))?$/i.exec(item);
    if (!m) throw new UserError(`--orderby: "${item}" is not "column [ASC|DESC] [NULLS FIRST|LAST]"`);
    if (!cols.has(m[1])) throw new UserError(`--orderby: "${m[1]}" is not a column of ${table}`);
    return [m[1], m[2]?.toUpperCase(), m[3] ? `NULLS ${m[3].toUpperCase()}` : undefined].filter(Boolean).join(' ');
  });
}

/** The seed's ALTER TABLE ... SET (timescaledb.compress, ...). Changing settings needs no compressed chunks. */
export async function enableCompression(
  q: Queryable,
  opts: { segmentby?: string; orderby?: string; mergeUpTo?: string } = {},
  table = CANDLES,
): Promise<CompressionSettings & { merge_up_to: string | null }> {
  await requireHypertable(q, table);
  const segmentby = await checkSegmentby(q, opts.segmentby ?? DEFAULT_SEGMENTBY, table);
  const orderby = await checkOrderby(
    q,
    opts.orderby ?? (table === CANDLES ? defaultOrderby(await timescaleVersion(q)) : DEFAULT_ORDERBY),
    table,
  );
  const seg = segmentby.map((n) => `"${n}"`).join(', ');
  const ord = orderby.map((o) => o.replace(/^(\S+)/, '"$1"')).join(', ');
  // Names were checked against the catalog above; the option values are string literals.
  const api = await storageApi(q);
  const features = await storageFeatures(q);
  const merge = await checkMergeUpTo(q, opts.mergeUpTo, table, features);
  const options = [enableOptions(api, seg, ord), ...storageOptions(features, orderby, merge)].join(', ');
  try {
    await q.exec(`ALTER TABLE public."${table}" SET (${options})`);
  } catch (err) {
    const msg = (err as Error).message;
    if (/compressed chunks|compression.*already/i.test(msg)) {
      throw new UserError(
        `cannot change compression settings of ${table}: ${msg}. Fix: decompress its chunks first (tm compression decompress --chunk NAME)`,
        409,
      );
    }
    throw err;
  }
  return { segmentby, orderby, merge_up_to: merge };
}

export async function compressionSettings(
  q: Queryable,
  table = CANDLES,
): Promise<CompressionSettings & { enabled: boolean }> {
  const en = await q.query<{ e: boolean }>(
    "SELECT compression_enabled AS e FROM timescaledb_information.hypertables WHERE hypertable_schema = 'public' AND hypertable_name = $1",
    [table],
  );
  const r = await q.query<{
    attname: string;
    segmentby_column_index: number | null;
    orderby_column_index: number | null;
    orderby_asc: boolean | null;
    orderby_nullsfirst: boolean | null;
  }>(
    `SELECT attname, segmentby_column_index, orderby_column_index, orderby_asc, orderby_nullsfirst
       FROM timescaledb_information.compression_settings
      WHERE hypertable_schema = 'public' AND hypertable_name = $1`,
    [table],
  );
  const seg = r.rows
    .filter((x) => x.segmentby_column_index !== null)
    .sort((a, b) => (a.segmentby_column_index ?? 0) - (b.segmentby_column_index ?? 0));
  const ord = r.rows
    .filter((x) => x.orderby_column_index !== null)
    .sort((a, b) => (a.orderby_column_index ?? 0) - (b.orderby_column_index ?? 0));
  return {
    enabled: en.rows[0]?.e ?? false,
    segmentby: seg.map((x) => x.attname),
    orderby: ord.map(
      (x) =>
        `${x.attname} ${x.orderby_asc ? 'ASC' : 'DESC'}${x.orderby_nullsfirst === x.orderby_asc ? (x.orderby_nullsfirst ? ' NULLS FIRST' : ' NULLS LAST') : ''}`,
    ),
  };
}

export interface PolicyResult {
  job_id: number;
  created: boolean;
  /** Set when compression had to be enabled (with the defaults) first. */
  compression_enabled_with?: CompressionSettings;
}

/** add_compression_policy: compress chunks older than `after`. Enables compression with the defaults if needed. */
export async function addCompressionPolicy(
  db: Database,
  after = DEFAULT_COMPRESS_AFTER,
  table = CANDLES,
): Promise<PolicyResult> {
  const interval = parseDuration(after, '--after');
  await requireHypertable(db, table);
  return db.transaction(async (tx) => {
    let enabledWith: CompressionSettings | undefined;
    if (!(await compressionSettings(tx, table)).enabled) enabledWith = await enableCompression(tx, {}, table);
    const existing = await findPolicy(tx, 'policy_compression', table);
    if (existing) {
      if (
        existing.config.compress_after === undefined ||
        (await sameInterval(tx, String(existing.config.compress_after), interval))
      ) {
        return {
          job_id: existing.job_id,
          created: false,
          ...(enabledWith ? { compression_enabled_with: enabledWith } : {}),
        };
      }
      throw new UserError(
        `${table} already has a compression policy (job ${existing.job_id}, after ${String(existing.config.compress_after)}). Fix: tm compression policy remove, then add it again`,
        409,
      );
    }
    await addStoragePolicy(tx, await storageApi(tx), `public.${table}`, interval);
    const job = await findPolicy(tx, 'policy_compression', table);
    if (!job) throw new Error(`the compression policy of ${table} was added but its job is not in the catalog`);
    return { job_id: job.job_id, created: true, ...(enabledWith ? { compression_enabled_with: enabledWith } : {}) };
  });
}

export async function removeCompressionPolicy(
  q: Queryable,
  table = CANDLES,
): Promise<{ removed: boolean; job_id: number | null }> {
  await requireHypertable(q, table);
  const existing = await findPolicy(q, 'policy_compression', table);
  if (!existing) return { removed: false, job_id: null };
  await removeStoragePolicy(q, await storageApi(q), `public.${table}`);
  return { removed: true, job_id: existing.job_id };
}

export async function compressionStatus(q: Queryable, table = CANDLES): Promise<CompressionStatus> {
  await requireHypertable(q, table);
  const settings = await compressionSettings(q, table);
  const stats = await q.query<{
    total_chunks: number;
    compressed_chunks: number;
    before: number | null;
    after: number | null;
  }>(
    `SELECT (SELECT count(*)::int FROM timescaledb_information.chunks WHERE hypertable_schema = 'public' AND hypertable_name = $1) AS total_chunks,
            (SELECT count(*)::int FROM timescaledb_information.chunks WHERE hypertable_schema = 'public' AND hypertable_name = $1 AND is_compressed) AS compressed_chunks,
            s.before_compression_total_bytes AS before, s.after_compression_total_bytes AS after
       FROM (SELECT 1) one LEFT JOIN ${statsFunction(await storageApi(q), 'hypertable')}(format('public.%I', $1::text)::regclass) s ON true`,
    [table],
  );
  const s = stats.rows[0];
  return {
    hypertable: table,
    enabled: settings.enabled,
    segmentby: settings.segmentby,
    orderby: settings.orderby,
    merge_up_to: settings.enabled ? await mergeUpTo(q, table) : null,
    policy: await findPolicy(q, 'policy_compression', table),
    total_chunks: s.total_chunks,
    compressed_chunks: s.compressed_chunks,
    before_compression_bytes: s.before,
    after_compression_bytes: s.after,
    compression_ratio: s.before && s.after ? Number((s.before / s.after).toFixed(2)) : null,
  };
}

export interface CompressResult {
  compressed: string[];
  already_compressed: number;
}

/** Compresses every uncompressed chunk entirely older than `olderThan`, one statement per chunk. */
export async function compressChunks(
  db: Database,
  olderThan = DEFAULT_COMPRESS_AFTER,
  table = CANDLES,
): Promise<CompressResult> {
  const interval = parseDuration(olderThan, '--older-than');
  await requireHypertable(db, table);
  if (!(await compressionSettings(db, table)).enabled) {
    throw new UserError(`compression is not enabled on ${table}. Fix: tm compression enable`, 409);
  }
  const chunks = await db.query<{ chunk: string; compressed: boolean }>(
    `SELECT format('%I.%I', c.chunk_schema, c.chunk_name) AS chunk, c.is_compressed AS compressed
       FROM show_chunks(format('public.%I', $1::text)::regclass, older_than => $2::interval) s(oid)
       JOIN timescaledb_information.chunks c ON format('%I.%I', c.chunk_schema, c.chunk_name)::regclass = s.oid
      ORDER BY c.range_start`,
    [table, interval],
  );
  const compressed: string[] = [];
  const api = await storageApi(db);
  for (const c of chunks.rows.filter((x) => !x.compressed)) {
    try {
      await convertChunk(db, api, c.chunk);
      compressed.push(c.chunk);
    } catch (err) {
      // A policy job (or another tm) may have compressed or dropped this chunk since the list was read:
      // what someone else did counts as done. Anything else is a real failure.
      if ((await chunkState(db, c.chunk)) === 'uncompressed') throw err;
    }
  }
  return { compressed, already_compressed: chunks.rows.length - compressed.length };
}

/** A chunk's state now: compressed, uncompressed, or gone (dropped by retention). */
async function chunkState(q: Queryable, chunk: string): Promise<'compressed' | 'uncompressed' | 'gone'> {
  const r = await q.query<{ is_compressed: boolean }>(
    `SELECT c.is_compressed FROM timescaledb_information.chunks c
      WHERE to_regclass($1) IS NOT NULL AND format('%I.%I', c.chunk_schema, c.chunk_name)::regclass = to_regclass($1)`,
    [chunk],
  );
  if (r.rows.length === 0) return 'gone';
  return r.rows[0].is_compressed ? 'compressed' : 'uncompressed';
}

export async function decompressChunk(
  q: Queryable,
  chunk: string,
  table = CANDLES,
): Promise<{ chunk: string; decompressed: boolean }> {
  await requireHypertable(q, table);
  const name = chunk.includes('.') ? chunk.slice(chunk.lastIndexOf('.') + 1).replace(/"/g, '') : chunk;
  const r = await q.query<{ chunk: string; is_compressed: boolean }>(
    `SELECT format('%I.%I', chunk_schema, chunk_name) AS chunk, is_compressed
       FROM timescaledb_information.chunks WHERE hypertable_schema = 'public' AND hypertable_name = $1 AND chunk_name = $2`,
    [table, name],
  );
  const found = r.rows[0];
  if (!found) throw new UserError(`"${chunk}" is not a chunk of ${table} (see tm hypertable chunks)`, 404);
  if (!found.is_compressed) return { chunk: found.chunk, decompressed: false };
  try {
    await revertChunk(q, await storageApi(q), found.chunk);
  } catch (err) {
    // Decompressed (or dropped) by someone else meanwhile: nothing left to do.
    if ((await chunkState(q, found.chunk)) === 'compressed') throw err;
    return { chunk: found.chunk, decompressed: false };
  }
  return { chunk: found.chunk, decompressed: true };
}

async function sameInterval(q: Queryable, a: string, b: string): Promise<boolean> {
  const r = await q.query<{ same: boolean }>('SELECT $1::interval = $2::interval AS same', [a, b]);
  return r.rows[0].same;
}
