/**
 * Continuous aggregates of candles: one view per target interval, rolled up from the candles of one
 * stored source interval, registered in candle_aggregates so queries can find "the aggregate that
 * serves interval X". Real-time aggregation is on (materialized_only = false): the newest bucket is
 * computed from the base candles at query time, so it is right without waiting for a refresh.
 *
 * vwap of a bucket = sum(coalesce(vwap, close) * volume) / sum(volume): a source candle without a
 * vwap counts at its close; a bucket without volume has no vwap.
 */
import type { Database, Queryable } from '../db/types.ts';
import { UserError, errorMessage } from '../errors.ts';
import { isLockNotAvailable } from '../db/pg-errors.ts';
import { retryWithBackoff, type BackoffRetry } from '../db/retry.ts';
import { INTERVAL_SLUG, PG_INTERVAL, divides, intervalMs, parseInterval, type Interval } from '../intervals.ts';
import { findPolicy } from './jobs.ts';
import { requireHypertable } from './hypertables.ts';
import { requireTimescale, versionAtLeast } from './require.ts';

export type AggregateInfo = {
  view_name: string;
  source_interval: Interval;
  target_interval: Interval;
  created_at: Date;
  /** False when the registry names a view that no longer exists. */
  exists: boolean;
  materialized_only: boolean | null;
  refresh_job_id: number | null;
  refresh_schedule: string | null;
};

export type CreateResult = {
  view_name: string;
  source_interval: Interval;
  target_interval: Interval;
  /** The aggregate this one reads (hierarchical), or null when it reads the base candles. */
  built_on: string | null;
  created: boolean;
  refresh_job_id: number | null;
  refreshed: boolean;
};

/**
 * A bucket's vwap, shared by the aggregates and the candles range query's rollup so a candle's vwap
 * does not change when an aggregate starts serving it.
 */
export const ROLLUP_VWAP_SQL = 'sum(coalesce(vwap, close) * volume) / nullif(sum(volume), 0)';

export function aggregateViewName(target: Interval): string {
  return `candles_${INTERVAL_SLUG[target]}`;
}

/**
 * The SELECT of a rollup, over the base candles of `source` or, hierarchically, over the aggregate
 * `parent` (whose buckets divide the target's). The same formulas work on both: a parent bucket's
 * vwap times its volume is the sum it was made of, and a parent bucket has a null vwap only when
 * its volume is 0.
 */
export function rollupSelect(source: Interval, target: Interval, parent?: string): string {
  const bucket = `time_bucket(INTERVAL '${PG_INTERVAL[target]}', ts)`;
  return `SELECT asset_id, ${bucket} AS ts,
       first(open, ts) AS open, max(high) AS high, min(low) AS low, last(close, ts) AS close,
       sum(volume) AS volume, sum(trades) AS trades,
       ${ROLLUP_VWAP_SQL} AS vwap
  FROM ${
    parent
      ? `public.${parent}`
      : `candles
 WHERE "interval" = '${source}'`
  }
 GROUP BY asset_id, ${bucket}`;
}

/** How often the refresh policy runs: once per target bucket, at least every 5 minutes, at most daily. */
function refreshSchedule(target: Interval): string {
  if (target === '1m') return '5 minutes';
  if (target === '1d' || target === '1w' || target === '1M') return '1 day';
  return PG_INTERVAL[target];
}

/**
 * The aggregate that serves `target` (for the candles range query), or null. Several may: the one
 * with the finest source wins (the enum sorts finest first), so the answer never depends on row order.
 */
export async function findAggregate(
  q: Queryable,
  target: Interval,
): Promise<{ view: string; source: Interval } | null> {
  const r = await q.query<{ view: string; source: Interval }>(
    `SELECT a.view_name AS view, a.source_interval::text AS source
       FROM candle_aggregates a
      WHERE a.target_interval = $1 AND to_regclass(format('public.%I', a.view_name)) IS NOT NULL
      ORDER BY a.source_interval, a.view_name LIMIT 1`,
    [target],
  );
  return r.rows[0] ?? null;
}

export function parseTargets(list: string | string[]): Interval[] {
  const items = (Array.isArray(list) ? list : list.split(',')).map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new UserError('--to needs at least one interval, e.g. 5m,15m,1h,4h,1d');
  return [...new Set(items.map((s) => parseInterval(s, '--to')))];
}

export async function createAggregates(
  db: Database,
  fromText: string,
  targets: Interval[],
  opts: { refresh?: boolean; hierarchical?: boolean } = {},
): Promise<CreateResult[]> {
  const version = await requireTimescale(db, 'continuous aggregates');
  await requireHypertable(db);
  const source = parseInterval(fromText, '--from');
  for (const t of targets) {
    if (!divides(source, t))
      throw new UserError(
        `cannot roll ${source} candles up into ${t}: ${t} buckets are not whole numbers of ${source} buckets`,
      );
    if (t === '1M' && !versionAtLeast(version, 2, 8))
      throw new UserError(`monthly continuous aggregates need TimescaleDB 2.8 or later (installed: ${version})`);
  }
  if (opts.hierarchical && !versionAtLeast(version, 2, 9)) {
    throw new UserError(
      `hierarchical continuous aggregates need TimescaleDB 2.9 or later (installed: ${version}); create them without --hierarchical`,
    );
  }
  // Finer targets first, so that a hierarchical one can read an aggregate made in the same call.
  const ordered = opts.hierarchical ? [...targets].sort((a, b) => intervalMs(a) - intervalMs(b)) : targets;
  const results: CreateResult[] = [];
  for (const target of ordered) {
    const view = aggregateViewName(target);
    const existing = await db.query<{ source: Interval }>(
      'SELECT source_interval::text AS source FROM candle_aggregates WHERE target_interval = $1',
      [target],
    );
    if (existing.rows[0]) {
      if (existing.rows[0].source !== source) {
        throw new UserError(
          `${view} already rolls up ${existing.rows[0].source} candles. Fix: tm aggregates drop ${view}, then create it from ${source}`,
          409,
        );
      }
      const job = await findPolicy(db, 'policy_refresh_continuous_aggregate', view);
      results.push({
        view_name: view,
        source_interval: source,
        target_interval: target,
        built_on: null,
        created: false,
        refresh_job_id: job?.job_id ?? null,
        refreshed: false,
      });
      continue;
    }
    const taken = await db.query<{ ok: boolean }>(
      "SELECT to_regclass(format('public.%I', $1::text)) IS NOT NULL AS ok",
      [view],
    );
    if (taken.rows[0].ok)
      throw new UserError(
        `a relation named ${view} exists and is not a registered aggregate: drop or rename it first`,
        409,
      );
    const parent = opts.hierarchical ? await coarsestParent(db, source, target) : null;
    const jobId = await db.transaction(async (tx) => {
      await tx.exec(
        `CREATE MATERIALIZED VIEW public.${view} WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
${rollupSelect(source, target, parent ?? undefined)}
WITH NO DATA`,
      );
      const job = await tx.query<{ id: number }>(
        `SELECT add_continuous_aggregate_policy($1::regclass, start_offset => NULL, end_offset => $2::interval, schedule_interval => $3::interval) AS id`,
        [`public.${view}`, PG_INTERVAL[target], refreshSchedule(target)],
      );
      await tx.query(
        'INSERT INTO candle_aggregates (view_name, source_interval, target_interval) VALUES ($1, $2, $3)',
        [view, source, target],
      );
      return job.rows[0].id;
    });
    let refreshed = false;
    if (opts.refresh !== false) {
      // Only whole buckets: the current one stays with real-time aggregation, so candles that
      // arrive for it show at once (a materialized bucket would wait for the next policy run).
      const end = await db.query<{ b: Date }>('SELECT time_bucket($1::interval, now()) AS b', [PG_INTERVAL[target]]);
      await refreshAggregate(db, view, undefined, end.rows[0].b.toISOString());
      refreshed = true;
    }
    results.push({
      view_name: view,
      source_interval: source,
      target_interval: target,
      built_on: parent,
      created: true,
      refresh_job_id: jobId,
      refreshed,
    });
  }
  return results;
}

/** The registered aggregate of the same source with the coarsest buckets that divide `target`'s. */
async function coarsestParent(q: Queryable, source: Interval, target: Interval): Promise<string | null> {
  const r = await q.query<{ view: string; target: Interval }>(
    `SELECT view_name AS view, target_interval::text AS target FROM candle_aggregates
      WHERE source_interval = $1 AND to_regclass(format('public.%I', view_name)) IS NOT NULL`,
    [source],
  );
  const fits = r.rows
    .filter((a) => divides(a.target, target))
    .sort((a, b) => intervalMs(b.target) - intervalMs(a.target));
  return fits[0]?.view ?? null;
}

export async function listAggregates(q: Queryable): Promise<AggregateInfo[]> {
  await requireTimescale(q, 'continuous aggregates');
  const r = await q.query<Omit<AggregateInfo, 'refresh_job_id' | 'refresh_schedule'>>(
    `SELECT a.view_name, a.source_interval::text AS source_interval, a.target_interval::text AS target_interval, a.created_at,
            ca.view_name IS NOT NULL AS exists, ca.materialized_only
       FROM candle_aggregates a
       LEFT JOIN timescaledb_information.continuous_aggregates ca ON ca.view_schema = 'public' AND ca.view_name = a.view_name
      ORDER BY a.created_at, a.view_name`,
  );
  const out: AggregateInfo[] = [];
  for (const row of r.rows) {
    const job = row.exists ? await findPolicy(q, 'policy_refresh_continuous_aggregate', row.view_name) : null;
    out.push({ ...row, refresh_job_id: job?.job_id ?? null, refresh_schedule: job?.schedule_interval ?? null });
  }
  return out;
}

/** Every continuous aggregate in the catalog: tm's (`made_by: tm aggregates`) and the others (migrations' such as candle_price_stats, or hand-made). */
export type CatalogAggregate = Omit<AggregateInfo, 'source_interval' | 'target_interval' | 'created_at'> & {
  created_at: Date | null;
  source_interval: Interval | null;
  target_interval: Interval | null;
  made_by: 'tm aggregates' | 'other';
};

export async function listCatalogAggregates(q: Queryable): Promise<CatalogAggregate[]> {
  const ours: CatalogAggregate[] = (await listAggregates(q)).map((a) => ({ ...a, made_by: 'tm aggregates' }));
  const known = new Set(ours.map((a) => a.view_name));
  const r = await q.query<{ view_name: string; materialized_only: boolean }>(
    `SELECT ca.view_name, ca.materialized_only FROM timescaledb_information.continuous_aggregates ca
      WHERE ca.view_schema = 'public' ORDER BY ca.view_name`,
  );
  const others: CatalogAggregate[] = [];
  for (const row of r.rows) {
    if (known.has(row.view_name)) continue;
    const job = await findPolicy(q, 'policy_refresh_continuous_aggregate', row.view_name);
    others.push({
      view_name: row.view_name,
      source_interval: null,
      target_interval: null,
      created_at: null,
      exists: true,
      materialized_only: row.materialized_only,
      refresh_job_id: job?.job_id ?? null,
      refresh_schedule: job?.schedule_interval ?? null,
      made_by: 'other',
    });
  }
  return [...ours, ...others];
}

async function registered(q: Queryable, name: string): Promise<string> {
  const r = await q.query<{ v: string }>('SELECT view_name AS v FROM candle_aggregates WHERE view_name = $1', [name]);
  if (!r.rows[0])
    throw new UserError(`"${name}" is not an aggregate made by tm aggregates create (see tm aggregates list)`, 404);
  return r.rows[0].v;
}

function parseTime(text: string | undefined, what: string): Date | null {
  if (text === undefined || text === '') return null;
  const d = new Date(text);
  if (Number.isNaN(d.getTime()))
    throw new UserError(`${what} "${text}" is not a date or timestamp (e.g. 2026-01-01 or 2026-01-01T00:00:00Z)`);
  return d;
}

/**
 * refresh_continuous_aggregate over [from, to) (open ends: everything). Never inside a transaction.
 * TimescaleDB refuses a refresh while another one of an overlapping window runs (a refresh policy's job,
 * another command: 55P03): this one then waits for it, retrying with a growing pause for up to a minute
 * (`wait.budgetMs`).
 */
export async function refreshAggregate(
  db: Database,
  name: string,
  from?: string,
  to?: string,
  wait: BackoffRetry = {},
): Promise<{ view_name: string; from: Date | null; to: Date | null }> {
  await requireTimescale(db, 'continuous aggregates');
  const view = await registered(db, name);
  const start = parseTime(from, '--from');
  const end = parseTime(to, '--to');
  if (start && end && start >= end) throw new UserError('--from must be before --to');
  const began = Date.now();
  try {
    await retryWithBackoff(
      () =>
        db.query('CALL refresh_continuous_aggregate($1::regclass, $2::timestamptz, $3::timestamptz)', [
          `public.${view}`,
          start,
          end,
        ]),
      isLockNotAvailable,
      { budgetMs: 60_000, ...wait },
    );
  } catch (err) {
    const msg = errorMessage(err);
    const hint = isLockNotAvailable(err)
      ? ` (still so after ${Math.round((Date.now() - began) / 1000)} s: another refresh of an overlapping window, a refresh policy's job or another command, is running; try again when it has finished)`
      : /too small/.test(msg)
        ? ' (the window must span at least one whole bucket of the aggregate)'
        : '';
    throw new UserError(`refreshing ${view} failed: ${msg}${hint}`);
  }
  return { view_name: view, from: start, to: end };
}

/** Drops the view (its refresh policy goes with it) and its registry row. */
export async function dropAggregate(db: Database, name: string): Promise<{ view_name: string; dropped: boolean }> {
  await requireTimescale(db, 'continuous aggregates');
  const view = await registered(db, name);
  // Aggregates built on this one (hierarchical) must go first: say which.
  const defs = await db.query<{ v: string; def: string }>(
    `SELECT a.view_name AS v, ca.view_definition AS def
       FROM candle_aggregates a
       JOIN timescaledb_information.continuous_aggregates ca ON ca.view_schema = 'public' AND ca.view_name = a.view_name
      WHERE a.view_name <> $1`,
    [view],
  );
  const readers = defs.rows
    .filter((d) => new RegExp(`\\bFROM\\s+(public\\.)?"?${view}"?(\\s|$|\\))`, 'i').test(d.def))
    .map((d) => d.v);
  if (readers.length > 0)
    throw new UserError(
      `${view} is read by ${readers.join(', ')}: drop ${readers.length > 1 ? 'them' : 'it'} first`,
      409,
    );
  await db.transaction(async (tx) => {
    await tx.exec(`DROP MATERIALIZED VIEW IF EXISTS public."${view.replace(/"/g, '""')}"`);
    await tx.query('DELETE FROM candle_aggregates WHERE view_name = $1', [view]);
  });
  return { view_name: view, dropped: true };
}
