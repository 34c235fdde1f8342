/**
 * The assets table: every SQL statement that looks assets up or changes them lives here; other
 * repositories only JOIN assets to put a symbol beside their own rows. Symbols and exchanges are stored
 * upper case; a symbol is unique per exchange (assets_symbol_exchange_key on (symbol, coalesce(exchange, ''))).
 * References accepted everywhere: an id (uuid), `SYMBOL`, or `SYMBOL:EXCHANGE`.
 */
import { startsFormula } from '../csv-cell.ts';
import type { Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import type { Page } from '../db/page.ts';

export const ASSET_TYPES = ['stock', 'etf', 'crypto', 'forex', 'commodity'] as const;
export type AssetType = (typeof ASSET_TYPES)[number];

export interface Asset {
  id: string;
  symbol: string;
  name: string;
  asset_type: AssetType;
  exchange: string | null;
  sector: string | null;
  industry: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface AssetInput {
  symbol: string;
  name: string;
  asset_type: AssetType;
  exchange?: string | null;
  sector?: string | null;
  industry?: string | null;
}

export type AssetPatch = Partial<AssetInput>;

const COLUMNS = 'id, symbol, name, asset_type, exchange, sector, industry, created_at, updated_at';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isAssetType(v: unknown): v is AssetType {
  return typeof v === 'string' && (ASSET_TYPES as readonly string[]).includes(v);
}

export function parseAssetType(v: string): AssetType {
  if (!isAssetType(v)) throw new UserError(`asset type "${v}" is not one of ${ASSET_TYPES.join(', ')}`);
  return v;
}

/** A symbol or exchange that a spreadsheet would run as a formula when it shows up in an export. */
function refuseFormula(what: string, raw: string, v: string): void {
  if (startsFormula(v))
    throw new UserError(`${what} "${raw}" must not start with =, +, -, @, tab or CR (spreadsheets run such text)`);
}

export function normaliseSymbol(s: string): string {
  const v = s.trim().toUpperCase();
  if (v.length < 1 || v.length > 32) throw new UserError(`symbol "${s}" must be 1 to 32 characters`);
  if (v.includes(':')) throw new UserError(`symbol "${s}" must not contain ":" (that separates SYMBOL:EXCHANGE)`);
  refuseFormula('symbol', s, v);
  return v;
}

function normaliseExchange(e: string | null | undefined): string | null {
  const v = e?.trim().toUpperCase();
  if (v && e) refuseFormula('exchange', e, v);
  return v ? v : null;
}

export interface SymbolRef {
  symbol: string;
  /** undefined: any exchange (must be unambiguous). */
  exchange?: string;
}

/** `AAPL` or `AAPL:NASDAQ`. */
export function parseSymbolRef(ref: string): SymbolRef {
  const i = ref.indexOf(':');
  if (i < 0) return { symbol: normaliseSymbol(ref) };
  const exchange = normaliseExchange(ref.slice(i + 1));
  if (!exchange) throw new UserError(`"${ref}" has an empty exchange after ":"`);
  return { symbol: normaliseSymbol(ref.slice(0, i)), exchange };
}

export function formatRef(a: Pick<Asset, 'symbol' | 'exchange'>): string {
  return a.exchange ? `${a.symbol}:${a.exchange}` : a.symbol;
}

/** Maps the database's constraint errors to messages a user can act on. */
function translate(err: unknown, input: { symbol?: string; exchange?: string | null }): never {
  const e = err as { code?: string; constraint?: string; message?: string };
  if (e.code === '23505') {
    throw new UserError(
      `asset ${formatRef({ symbol: input.symbol ?? '?', exchange: input.exchange ?? null })} already exists`,
      409,
    );
  }
  if (e.code === '23503')
    throw new UserError(
      'the asset still has candles; delete them first (market data is never deleted implicitly)',
      409,
    );
  if (e.code === '23514') throw new UserError(`invalid asset: ${e.message}`);
  throw err;
}

export async function addAsset(q: Queryable, input: AssetInput): Promise<Asset> {
  const symbol = normaliseSymbol(input.symbol);
  const exchange = normaliseExchange(input.exchange);
  if (!input.name?.trim()) throw new UserError('asset name must not be empty');
  try {
    const r = await q.query<Asset>(
      `INSERT INTO assets (symbol, name, asset_type, exchange, sector, industry)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [
        symbol,
        input.name.trim(),
        parseAssetType(input.asset_type),
        exchange,
        input.sector ?? null,
        input.industry ?? null,
      ],
    );
    return r.rows[0];
  } catch (err) {
    translate(err, { symbol, exchange });
  }
}

export async function listAssets(
  q: Queryable,
  opts: { type?: AssetType; limit: number; offset: number },
): Promise<Page<Asset>> {
  const where = opts.type ? 'WHERE asset_type = $3' : '';
  const params: unknown[] = [opts.limit, opts.offset];
  if (opts.type) params.push(opts.type);
  const [items, total] = await Promise.all([
    q.query<Asset>(
      `SELECT ${COLUMNS} FROM assets ${where} ORDER BY symbol, exchange NULLS FIRST LIMIT $1 OFFSET $2`,
      params,
    ),
    q.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM assets ${opts.type ? 'WHERE asset_type = $1' : ''}`,
      opts.type ? [opts.type] : [],
    ),
  ]);
  return { items: items.rows, limit: opts.limit, offset: opts.offset, total: total.rows[0].n };
}

/** Every asset listed on one exchange, in symbol order (e.g. the demo's, on DEMO). */
export async function assetsOnExchange(q: Queryable, exchange: string): Promise<Asset[]> {
  const r = await q.query<Asset>(`SELECT ${COLUMNS} FROM assets WHERE exchange = $1 ORDER BY symbol`, [exchange]);
  return r.rows;
}

/**
 * Assets whose symbol, in upper case without separators, is `compact` (BTC-USD and btcusd are BTCUSD): how
 * an exchange-style symbol names them. Only on one exchange when given.
 */
export async function assetsByCompactSymbol(q: Queryable, compact: string, exchange?: string): Promise<Asset[]> {
  const r = await q.query<Asset>(
    `SELECT ${COLUMNS} FROM assets
      WHERE upper(regexp_replace(symbol, '[^A-Za-z0-9]', '', 'g')) = $1 AND ($2::text IS NULL OR exchange = $2)
      ORDER BY exchange NULLS FIRST`,
    [compact, exchange ?? null],
  );
  return r.rows;
}

/** All assets with this symbol (any exchange, or the one given). */
export async function findBySymbol(q: Queryable, ref: SymbolRef): Promise<Asset[]> {
  const r =
    ref.exchange === undefined
      ? await q.query<Asset>(`SELECT ${COLUMNS} FROM assets WHERE symbol = $1 ORDER BY exchange NULLS FIRST`, [
          ref.symbol,
        ])
      : await q.query<Asset>(`SELECT ${COLUMNS} FROM assets WHERE symbol = $1 AND exchange = $2`, [
          ref.symbol,
          ref.exchange,
        ]);
  return r.rows;
}

/** Resolves an id, `SYMBOL` or `SYMBOL:EXCHANGE` to one asset, or null; an ambiguous bare symbol is an error. */
export async function findAsset(q: Queryable, ref: string): Promise<Asset | null> {
  if (UUID_RE.test(ref)) return assetById(q, ref);
  const matches = await findBySymbol(q, parseSymbolRef(ref));
  if (matches.length > 1) {
    throw new UserError(
      `symbol "${ref}" is ambiguous: it is listed on ${matches.map(formatRef).join(', ')}; say which one as SYMBOL:EXCHANGE`,
    );
  }
  return matches[0] ?? null;
}

/** The asset with this id, or null. */
export async function assetById(q: Queryable, id: string): Promise<Asset | null> {
  const r = await q.query<Asset>(`SELECT ${COLUMNS} FROM assets WHERE id = $1`, [id]);
  return r.rows[0] ?? null;
}

/** Whether any asset exists (the starter demo seeds only an empty database). */
export async function hasAssets(q: Queryable): Promise<boolean> {
  const r = await q.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM assets) AS any');
  return r.rows[0].any;
}

export async function getAsset(q: Queryable, ref: string): Promise<Asset> {
  const a = await findAsset(q, ref);
  if (!a) throw new UserError(`no asset "${ref}"`, 404);
  return a;
}

export async function updateAsset(q: Queryable, ref: string, patch: AssetPatch): Promise<Asset> {
  const current = await getAsset(q, ref);
  const next = {
    symbol: patch.symbol !== undefined ? normaliseSymbol(patch.symbol) : current.symbol,
    name: patch.name !== undefined ? patch.name.trim() : current.name,
    asset_type: patch.asset_type !== undefined ? parseAssetType(patch.asset_type) : current.asset_type,
    exchange: patch.exchange !== undefined ? normaliseExchange(patch.exchange) : current.exchange,
    sector: patch.sector !== undefined ? patch.sector : current.sector,
    industry: patch.industry !== undefined ? patch.industry : current.industry,
  };
  if (!next.name) throw new UserError('asset name must not be empty');
  try {
    const r = await q.query<Asset>(
      `UPDATE assets SET symbol = $2, name = $3, asset_type = $4, exchange = $5, sector = $6, industry = $7
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [current.id, next.symbol, next.name, next.asset_type, next.exchange, next.sector, next.industry],
    );
    return r.rows[0];
  } catch (err) {
    translate(err, next);
  }
}

/** Deletes an asset; refused (409) while it has candles. */
export async function removeAsset(q: Queryable, ref: string): Promise<Asset> {
  const current = await getAsset(q, ref);
  try {
    await q.query('DELETE FROM assets WHERE id = $1', [current.id]);
  } catch (err) {
    translate(err, current);
  }
  return current;
}

/**
 * Resolves many symbol references at once (for imports): returns the id per reference and the
 * references that match nothing; an ambiguous bare symbol is an error.
 */
export async function resolveSymbols(
  q: Queryable,
  refs: readonly string[],
): Promise<{ ids: Map<string, string>; unknown: string[] }> {
  const ids = new Map<string, string>();
  const unknown: string[] = [];
  if (refs.length === 0) return { ids, unknown };
  const parsed = refs.map((r) => ({ ref: r, ...parseSymbolRef(r) }));
  const r = await q.query<{ id: string; symbol: string; exchange: string | null }>(
    'SELECT id, symbol, exchange FROM assets WHERE symbol = ANY($1::text[])',
    [[...new Set(parsed.map((p) => p.symbol))]],
  );
  const bySymbol = new Map<string, { id: string; symbol: string; exchange: string | null }[]>();
  for (const row of r.rows) bySymbol.set(row.symbol, [...(bySymbol.get(row.symbol) ?? []), row]);
  for (const p of parsed) {
    const candidates = (bySymbol.get(p.symbol) ?? []).filter(
      (a) => p.exchange === undefined || a.exchange === p.exchange,
    );
    if (candidates.length === 0) unknown.push(p.ref);
    else if (candidates.length > 1) {
      throw new UserError(
        `symbol "${p.ref}" is ambiguous: it is listed on ${candidates.map(formatRef).join(', ')}; use SYMBOL:EXCHANGE`,
      );
    } else ids.set(p.ref, candidates[0].id);
  }
  return { ids, unknown };
}

/** Creates an asset for an unknown reference (name = symbol) unless it exists; a concurrent creator wins harmlessly. */
export async function ensureAsset(q: Queryable, ref: string, type: AssetType): Promise<string> {
  const { symbol, exchange } = parseSymbolRef(ref);
  await q.query(
    `INSERT INTO assets (symbol, name, asset_type, exchange) VALUES ($1, $1, $2, $3)
     ON CONFLICT (symbol, (coalesce(exchange, ''))) DO NOTHING`,
    [symbol, type, exchange ?? null],
  );
  const r = await q.query<{ id: string }>(
    "SELECT id FROM assets WHERE symbol = $1 AND coalesce(exchange, '') = coalesce($2, '')",
    [symbol, exchange ?? null],
  );
  return r.rows[0].id;
}
