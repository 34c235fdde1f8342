/** The sync_sources table: which asset follows which provider market, at which intervals. */
import type { Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import type { Interval } from '../intervals.ts';
import type { ProviderName } from './providers/provider.ts';

export interface Source {
  id: string;
  asset_id: string;
  /** SYMBOL:EXCHANGE of the asset (what the importer resolves). */
  asset: string;
  provider: ProviderName;
  market: string;
  intervals: Interval[];
  created_at: Date;
}

const SELECT = `SELECT s.id::text AS id, s.asset_id, a.symbol || coalesce(':' || a.exchange, '') AS asset, s.provider,
  s.market, s.intervals::text[] AS intervals, s.created_at
  FROM sync_sources s JOIN assets a ON a.id = s.asset_id`;

/** Adds the link, or replaces its market and intervals when it exists. */
export async function upsertSource(
  q: Queryable,
  s: { asset_id: string; provider: ProviderName; market: string; intervals: Interval[] },
): Promise<Source> {
  const r = await q.query<{ id: string }>(
    `INSERT INTO sync_sources (asset_id, provider, market, intervals) VALUES ($1, $2, $3, $4::text[]::candle_interval[])
     ON CONFLICT (asset_id, provider) DO UPDATE SET market = EXCLUDED.market, intervals = EXCLUDED.intervals
     RETURNING id::text AS id`,
    [s.asset_id, s.provider, s.market, s.intervals],
  );
  return getSource(q, r.rows[0].id);
}

export async function getSource(q: Queryable, id: string): Promise<Source> {
  const r = await q.query<Source>(`${SELECT} WHERE s.id = $1`, [id]);
  if (!r.rows[0]) throw new UserError(`no sync source ${id}`, 404);
  return r.rows[0];
}

export async function listSources(
  q: Queryable,
  opts: { assetId?: string; provider?: ProviderName } = {},
): Promise<Source[]> {
  const r = await q.query<Source>(
    `${SELECT} WHERE ($1::uuid IS NULL OR s.asset_id = $1) AND ($2::text IS NULL OR s.provider = $2)
     ORDER BY a.symbol, s.provider`,
    [opts.assetId ?? null, opts.provider ?? null],
  );
  return r.rows;
}

/** Deletes the links (their coverage, state and gaps go with them; candles stay). */
export async function deleteSources(q: Queryable, ids: string[]): Promise<number> {
  const r = await q.query('DELETE FROM sync_sources WHERE id = ANY($1::bigint[])', [ids]);
  return r.rowCount;
}
