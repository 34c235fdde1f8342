/**
 * Columnstore (compression) of the continuous aggregates' old chunks. An aggregate's rows are as
 * regular as the candles' (one per asset and bucket), so they compress as well; the coarse ones are
 * what charts and Markets read for long ranges. segmentby asset_id keeps one asset's buckets together
 * and orderby ts DESC matches the reads (newest first, by asset). The refresh policy rewrites buckets
 * that late or corrected candles touch; TimescaleDB decompresses what it must for that.
 */
import type { Database, Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { listAggregates } from './aggregates.ts';
import { addStoragePolicy, enableOptions, removeStoragePolicy, statsFunction, storageApi } from './columnstore-api.ts';
import { parseDuration } from './duration.ts';
import { findPolicy } from './jobs.ts';
import { requireTimescale } from './require.ts';

export const DEFAULT_AGGREGATE_COMPRESS_AFTER = '90d';

export type AggregateStorage = {
  view_name: string;
  enabled: boolean;
  policy_job_id: number | null;
  compress_after: string | null;
  total_chunks: number;
  compressed_chunks: number;
  before_compression_bytes: number | null;
  after_compression_bytes: number | null;
  compression_ratio: number | null;
};

/** The registered aggregates `names` refers to (all when empty); an unknown name is an error. */
async function targets(q: Queryable, names: string[]): Promise<string[]> {
  const all = (await listAggregates(q)).filter((a) => a.exists).map((a) => a.view_name);
  if (names.length === 0) {
    if (all.length === 0) throw new UserError('there are no continuous aggregates yet. Fix: tm aggregates create', 404);
    return all;
  }
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length)
    throw new UserError(
      `not an aggregate made by tm aggregates create: ${unknown.join(', ')} (see tm aggregates list)`,
      404,
    );
  return names;
}

async function isEnabled(q: Queryable, view: string): Promise<boolean> {
  const r = await q.query<{ on: boolean }>(
    `SELECT compression_enabled AS on FROM timescaledb_information.continuous_aggregates
      WHERE view_schema = 'public' AND view_name = $1`,
    [view],
  );
  return r.rows[0]?.on ?? false;
}

/**
 * Turns the columnstore on for each aggregate (if it is not yet) and adds its policy: chunks older than
 * `after` are converted. An aggregate that has a policy with another age is refused, like candles'.
 */
export async function addAggregateCompression(
  db: Database,
  names: string[] = [],
  after = DEFAULT_AGGREGATE_COMPRESS_AFTER,
): Promise<AggregateStorage[]> {
  await requireTimescale(db, 'continuous aggregate compression');
  const interval = parseDuration(after, '--after');
  const views = await targets(db, names);
  const api = await storageApi(db);
  for (const view of views) {
    await db.transaction(async (tx) => {
      if (!(await isEnabled(tx, view)))
        await tx.exec(`ALTER MATERIALIZED VIEW public."${view}" SET (${enableOptions(api, 'asset_id', 'ts DESC')})`);
      const existing = await findPolicy(tx, 'policy_compression', view);
      if (existing) {
        const same = await tx.query<{ ok: boolean }>('SELECT $1::interval = $2::interval AS ok', [
          String(existing.config.compress_after ?? ''),
          interval,
        ]);
        if (same.rows[0].ok) return;
        throw new UserError(
          `${view} already has a compression policy (job ${existing.job_id}, after ${String(existing.config.compress_after)}). Fix: tm aggregates compression remove ${view}, then add it again`,
          409,
        );
      }
      await addStoragePolicy(tx, api, `public.${view}`, interval);
    });
  }
  return aggregateStorage(db, views);
}

/** Removes the policies (compressed chunks stay compressed; the columnstore setting stays on). */
export async function removeAggregateCompression(db: Database, names: string[] = []): Promise<AggregateStorage[]> {
  await requireTimescale(db, 'continuous aggregate compression');
  const views = await targets(db, names);
  const api = await storageApi(db);
  for (const view of views) {
    if (await findPolicy(db, 'policy_compression', view)) await removeStoragePolicy(db, api, `public.${view}`);
  }
  return aggregateStorage(db, views);
}

/** Per aggregate: whether the columnstore is on, its policy, and how many chunks are compressed, with sizes. */
export async function aggregateStorage(q: Queryable, names: string[] = []): Promise<AggregateStorage[]> {
  await requireTimescale(q, 'continuous aggregate compression');
  const views = await targets(q, names);
  const stats = statsFunction(await storageApi(q), 'hypertable');
  const out: AggregateStorage[] = [];
  for (const view of views) {
    const r = await q.query<{ total: number; compressed: number; before: number | null; after: number | null }>(
      `WITH m AS (
         SELECT materialization_hypertable_schema AS s, materialization_hypertable_name AS n
           FROM timescaledb_information.continuous_aggregates WHERE view_schema = 'public' AND view_name = $1)
       SELECT (SELECT count(*)::int FROM timescaledb_information.chunks c, m WHERE c.hypertable_schema = m.s AND c.hypertable_name = m.n) AS total,
              (SELECT count(*)::int FROM timescaledb_information.chunks c, m WHERE c.hypertable_schema = m.s AND c.hypertable_name = m.n AND c.is_compressed) AS compressed,
              st.before_compression_total_bytes::float8 AS before, st.after_compression_total_bytes::float8 AS after
         FROM m LEFT JOIN LATERAL ${stats}(format('%I.%I', m.s, m.n)::regclass) st ON true`,
      [view],
    );
    const s = r.rows[0] ?? { total: 0, compressed: 0, before: null, after: null };
    const policy = await findPolicy(q, 'policy_compression', view);
    out.push({
      view_name: view,
      enabled: await isEnabled(q, view),
      policy_job_id: policy?.job_id ?? null,
      compress_after: policy ? String(policy.config.compress_after ?? '') || null : null,
      total_chunks: s.total,
      compressed_chunks: s.compressed,
      before_compression_bytes: s.before,
      after_compression_bytes: s.after,
      compression_ratio: s.before && s.after ? Number((s.before / s.after).toFixed(2)) : null,
    });
  }
  return out;
}
