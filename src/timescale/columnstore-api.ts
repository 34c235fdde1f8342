/**
 * TimescaleDB 2.18 renamed compression to the columnstore: `timescaledb.enable_columnstore`,
 * `add_columnstore_policy`, `convert_to_columnstore`, … (procedures), and deprecated the old calls. tm
 * uses the current API where the server has it and the old one where it does not. Which one a server
 * has is read from its catalog (pg_proc), not guessed from a version string: builds and forks differ.
 * Both APIs store the same settings and run the same job (`policy_compression`), so everything that
 * reads the catalog works on either. TM_STORAGE_API=compression forces the old API (for servers whose
 * new API misbehaves, and for tests of both paths).
 */
import type { Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';

export type StorageApi = 'columnstore' | 'compression';

/** The API to use on this database: the columnstore's when its procedures exist. */
export async function storageApi(q: Queryable, env: NodeJS.ProcessEnv = process.env): Promise<StorageApi> {
  const forced = env.TM_STORAGE_API?.trim();
  if (forced === 'compression') return 'compression';
  if (forced && forced !== 'columnstore')
    throw new UserError(`TM_STORAGE_API must be columnstore or compression, got "${forced}"`);
  const r = await q.query<{ yes: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_extension e ON e.extnamespace = p.pronamespace
                     WHERE e.extname = 'timescaledb' AND p.proname = 'add_columnstore_policy' AND p.prokind = 'p') AS yes`,
  );
  if (r.rows[0].yes) return 'columnstore';
  if (forced === 'columnstore')
    throw new UserError('TM_STORAGE_API=columnstore, but this TimescaleDB has no columnstore API (2.18 or later)');
  return 'compression';
}

/** The SET (…) options that turn the columnstore on with these settings (both already quoted lists). */
export function enableOptions(api: StorageApi, segmentby: string | null, orderby: string | null): string {
  const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const [on, seg, ord] =
    api === 'columnstore'
      ? ['timescaledb.enable_columnstore = true', 'timescaledb.segmentby', 'timescaledb.orderby']
      : ['timescaledb.compress', 'timescaledb.compress_segmentby', 'timescaledb.compress_orderby'];
  return [
    on,
    segmentby !== null ? `${seg} = ${lit(segmentby)}` : '',
    orderby !== null ? `${ord} = ${lit(orderby)}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/** Adds the job that converts chunks older than `after` (relation: a regclass text such as public.candles). */
export async function addStoragePolicy(q: Queryable, api: StorageApi, relation: string, after: string): Promise<void> {
  if (api === 'columnstore')
    await q.query('CALL add_columnstore_policy($1::regclass, after => $2::interval)', [relation, after]);
  else await q.query('SELECT add_compression_policy($1::regclass, $2::interval)', [relation, after]);
}

export async function removeStoragePolicy(q: Queryable, api: StorageApi, relation: string): Promise<void> {
  if (api === 'columnstore')
    await q.query('CALL remove_columnstore_policy($1::regclass, if_exists => true)', [relation]);
  else await q.query('SELECT remove_compression_policy($1::regclass, if_exists => true)', [relation]);
}

/** Moves one chunk to the columnstore (compresses it); a chunk already there is left as it is. */
export async function convertChunk(q: Queryable, api: StorageApi, chunk: string): Promise<void> {
  if (api === 'columnstore')
    await q.query('CALL convert_to_columnstore($1::regclass, if_not_columnstore => true)', [chunk]);
  else await q.query('SELECT compress_chunk($1::regclass, if_not_compressed => true)', [chunk]);
}

/** Moves one chunk back to the rowstore (decompresses it). */
export async function revertChunk(q: Queryable, api: StorageApi, chunk: string): Promise<void> {
  if (api === 'columnstore') await q.query('CALL convert_to_rowstore($1::regclass, if_columnstore => true)', [chunk]);
  else await q.query('SELECT decompress_chunk($1::regclass, if_compressed => true)', [chunk]);
}

/** The size function of a hypertable or of its chunks under this API (same columns under both names). */
export function statsFunction(api: StorageApi, of: 'hypertable' | 'chunk'): string {
  return `${of}_${api === 'columnstore' ? 'columnstore' : 'compression'}_stats`;
}
