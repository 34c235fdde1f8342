/**
 * One watchlist: its settings, adding by symbol, the items with their daily price and change (the
 * markets overview of 1d, loaded again when candles of the list's assets change live), and its alerts.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, api, get } from '../api.ts';
import { price, time } from '../format.ts';
import { errorText, useLoad } from '../hooks.ts';
import { refetchOn } from '../live.ts';
import { useMarkets } from '../markets/use-markets.ts';
import { ErrorBox, Loading } from '../ui.tsx';
import { AddBySymbol } from './AddBySymbol.tsx';
import { type ItemActions, ItemsTable } from './ItemsTable.tsx';
import { ListSettings } from './ListSettings.tsx';
import type { Act, AlertRow, Item, Watchlist } from './types.ts';

export function ListView({ list, onChanged, act }: { list: Watchlist; onChanged: () => void; act: Act }) {
  const base = `/api/watchlists/${list.id}`;
  const items = useLoad(() => get<{ items: Item[] }>(`${base}/items?limit=1000`), [list.id, list.item_count]);
  const alerts = useLoad(() => get<{ items: AlertRow[] }>(`/api/alerts?watchlist_id=${list.id}&limit=20`), [list.id]);
  const [order, setOrder] = useState<Item[]>([]);
  useEffect(() => setOrder(items.data?.items ?? []), [items.data]);
  const have = useMemo(() => new Set(order.map((i) => i.asset_id)), [order]);
  const markets = useMarkets('1d', 2, (assetId) => have.has(assetId));
  const prices = useMemo(() => new Map((markets.data?.items ?? []).map((r) => [r.id, r])), [markets.data]);
  useEffect(() => refetchOn('alert', () => alerts.reload()), []);

  const saveOrder = (next: Item[]) => {
    setOrder(next);
    void act(() => api('PUT', `${base}/items/order`, { item_ids: next.map((i) => i.id) }));
  };
  const actions: ItemActions = {
    move: (from, to) => {
      if (to < 0 || to >= order.length) return;
      const next = [...order];
      const [it] = next.splice(from, 1);
      next.splice(to, 0, it);
      saveOrder(next);
    },
    remove: (it) => void act(() => api('DELETE', `${base}/items/${it.id}`)).then(() => items.reload()),
    setThreshold: async (it, key, raw) => {
      const v = raw.trim() === '' ? null : Number(raw);
      if (v !== null && !(v > 0 && Number.isFinite(v))) return 'Not saved: a threshold must be a price above 0.';
      if (v === it[key]) return null;
      try {
        await api('PATCH', `${base}/items/${it.id}`, { [key]: v });
      } catch (err) {
        const fields = err instanceof ApiError ? err.fields : {};
        // The API names the columns ("price_alert_high: must be greater than price_alert_low"): say them in words.
        const why = (fields[key] ?? Object.values(fields)[0] ?? errorText(err))
          .replace(/^(price_alert_\w+): /, '$1 ')
          .replace(/price_alert_(low|high)/g, 'the $1 threshold');
        return `Not saved: ${why.charAt(0).toLowerCase()}${why.slice(1)}.`;
      }
      items.reload();
      return null;
    },
  };

  return (
    <div class="list-view">
      <ListSettings list={list} act={act} onDeleted={onChanged} />
      <AddBySymbol
        assets={markets.data?.items ?? []}
        have={have}
        onAdd={(assetId) =>
          void act(() => api('POST', `${base}/items`, { asset_id: assetId })).then(() => items.reload())
        }
      />
      <ErrorBox error={items.error ?? markets.error} retry={items.reload} />
      {items.loading && !items.data && <Loading what="Loading items" />}
      <div class="table-wrap">
        <ItemsTable order={order} prices={prices} actions={actions} settled={!!items.data && !!markets.data} />
        {order.length === 0 && items.data && <p class="muted">This list is empty: add an asset by its symbol above.</p>}
      </div>
      <h2>Alerts</h2>
      <ErrorBox error={alerts.error} retry={alerts.reload} />
      <ul class="alerts" data-testid="alerts">
        {alerts.data?.items.map((a) => (
          <li key={a.id}>
            <strong>{a.symbol}</strong> went {a.direction} {price(a.threshold)} at {price(a.price)} ·{' '}
            {time(a.triggered_at)}
          </li>
        ))}
        {alerts.data?.items.length === 0 && <li class="muted">No alert has fired for this list.</li>}
      </ul>
    </div>
  );
}
