/**
 * Linking assets to provider markets (tm sources, the admin API). A missing asset is created:
 * the symbol, the exchange named after the provider, the provider's asset type unless told.
 */
import type { Database } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { addAsset, findAsset, parseAssetType, parseSymbolRef, type AssetType } from '../market/assets-repository.ts';
import { parseInterval, type Interval } from '../intervals.ts';
import { checkInterval, parseProviderName, providerFor } from './providers/index.ts';
import type { ProviderName } from './providers/provider.ts';
import { deleteSources, listSources, upsertSource, type Source } from './sources-repository.ts';

export interface SourceInput {
  /** The asset: SYMBOL, SYMBOL:EXCHANGE or an id. */
  asset: string;
  provider: string;
  /** The provider's market symbol (default: the asset's symbol). */
  market?: string;
  intervals: string[];
  assetType?: string;
}

export function parseIntervals(list: string[]): Interval[] {
  const out = [
    ...new Set(
      list
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (out.length === 0) throw new UserError('give at least one interval, e.g. --intervals 1m,1h,1d');
  return out.map((s) => parseInterval(s));
}

export async function addSource(db: Database, input: SourceInput): Promise<Source & { created_asset: boolean }> {
  const provider = parseProviderName(input.provider);
  const p = providerFor(provider, {});
  await p.ready?.(); // a ccxt exchange: its class says which timeframes it serves
  const intervals = parseIntervals(input.intervals);
  for (const i of intervals) checkInterval(p, i);
  const type: AssetType = input.assetType ? parseAssetType(input.assetType) : p.assetType;
  const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(input.asset);
  const ref = isId ? undefined : parseSymbolRef(input.asset);
  return db.transaction(async (tx) => {
    let asset = await findAsset(tx, input.asset);
    let created = false;
    if (!asset) {
      if (!ref) throw new UserError(`no asset with id ${input.asset}`, 404);
      asset = await addAsset(tx, {
        symbol: ref.symbol,
        name: ref.symbol,
        asset_type: type,
        exchange: ref.exchange ?? provider.toUpperCase(),
      });
      created = true;
    }
    const market = (input.market ?? asset.symbol).trim();
    if (!market || market.length > 64) throw new UserError('the market symbol must be 1 to 64 characters');
    const s = await upsertSource(tx, { asset_id: asset.id, provider, market, intervals });
    return { ...s, created_asset: created };
  });
}

export async function removeSources(db: Database, asset: string, provider?: string): Promise<Source[]> {
  const a = await findAsset(db, asset);
  if (!a) throw new UserError(`no asset "${asset}"`, 404);
  const found = await listSources(db, { assetId: a.id, provider: provider ? parseProviderName(provider) : undefined });
  if (found.length === 0)
    throw new UserError(`asset "${asset}" has no sync source${provider ? ` from ${provider}` : ''}`, 404);
  await deleteSources(
    db,
    found.map((s) => s.id),
  );
  return found;
}

/** The one source of an asset for a sync command (the provider says which when there are several). */
export async function sourceFor(db: Database, asset: string, provider?: string): Promise<Source> {
  const a = await findAsset(db, asset);
  if (!a) throw new UserError(`no asset "${asset}": link it first with "tm sources add"`, 404);
  const p: ProviderName | undefined = provider ? parseProviderName(provider) : undefined;
  const found = await listSources(db, { assetId: a.id, provider: p });
  if (found.length === 0)
    throw new UserError(
      `asset "${asset}" has no sync source${p ? ` from ${p}` : ''}: add one with "tm sources add"`,
      404,
    );
  if (found.length > 1)
    throw new UserError(
      `asset "${asset}" syncs from ${found.map((s) => s.provider).join(' and ')}: say which with --provider`,
    );
  return found[0];
}
