/**
 * A horizontal line becomes a price alert: the high (line above the last close) or low threshold of
 * the asset's item in the default watchlist, the item (and "My watchlist") created when missing.
 */
import { api, get } from '../api.ts';
import { price } from '../format.ts';
import type { Item, Watchlist } from '../watchlists/types.ts';

export async function setPriceAlert(
  symbol: string,
  assetId: string,
  level: number,
  side: 'above' | 'below',
): Promise<string> {
  const lists = (await get<{ items: Watchlist[] }>('/api/watchlists?limit=100')).items;
  const list =
    lists.find((l) => l.is_default) ??
    lists[0] ??
    (await api<Watchlist>('POST', '/api/watchlists', { name: 'My watchlist' }));
  const field = side === 'above' ? 'price_alert_high' : 'price_alert_low';
  const items = (await get<{ items: Item[] }>(`/api/watchlists/${list.id}/items?limit=1000`)).items;
  const item = items.find((i) => i.asset_id === assetId);
  if (item) await api('PATCH', `/api/watchlists/${list.id}/items/${item.id}`, { [field]: level });
  else await api('POST', `/api/watchlists/${list.id}/items`, { asset_id: assetId, [field]: level });
  return `Alert set: ${symbol} ${side} ${price(level)} (watchlist “${list.name}”).`;
}
