/** Watchlists: the user's lists, their items with price and change, reorder, add by symbol, alert thresholds, alerts. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, get } from '../api.ts';
import { changeClass, pct, price, time } from '../format.ts';
import { errorText, useLoad, useUser } from '../hooks.ts';
import { on } from '../live.ts';
import { ErrorBox, Loading } from '../ui.tsx';
import type { MarketRow } from './Markets.tsx';

interface Watchlist {
  id: string;
  name: string;
  color: string | null;
  icon: string | null;
  is_default: boolean;
  item_count: number;
}
interface Item {
  id: string;
  asset_id: string;
  symbol: string;
  position: number;
  price_alert_high: number | null;
  price_alert_low: number | null;
}
interface AlertRow {
  id: string;
  symbol: string;
  direction: string;
  threshold: number;
  price: number;
  triggered_at: string;
}

const ICONS = ['star', 'heart', 'bookmark', 'flag', 'eye', 'bell', 'chart-line', 'chart-bar'];

export function WatchlistsPage() {
  const user = useUser();
  const lists = useLoad(
    () => (user ? get<{ items: Watchlist[] }>('/api/watchlists?limit=1000') : Promise.resolve({ items: [] })),
    [user?.id],
  );
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  useEffect(() => {
    const items = lists.data?.items ?? [];
    if (!items.some((l) => l.id === selected)) setSelected((items.find((l) => l.is_default) ?? items[0])?.id ?? null);
  }, [lists.data]);
  if (!user) return <p>Log in to see your watchlists.</p>;

  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      lists.reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const current = lists.data?.items.find((l) => l.id === selected) ?? null;
  return (
    <section>
      <h1>Watchlists</h1>
      <ErrorBox error={lists.error ?? error} retry={lists.reload} />
      {lists.loading && !lists.data && <Loading what="Loading watchlists" />}
      <div class="watch-layout">
        <aside>
          <ul class="lists">
            {lists.data?.items.map((l) => (
              <li key={l.id}>
                <button
                  type="button"
                  aria-pressed={l.id === selected}
                  onClick={() => setSelected(l.id)}
                  style={l.color ? { borderLeftColor: l.color } : undefined}
                >
                  {l.name} <span class="muted">({l.item_count})</span>{' '}
                  {l.is_default && <span class="badge">default</span>}
                </button>
              </li>
            ))}
          </ul>
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              void act(async () => {
                const l = await api<Watchlist>('POST', '/api/watchlists', { name });
                setName('');
                setSelected(l.id);
              });
            }}
          >
            <input
              aria-label="New watchlist name"
              placeholder="New list name"
              required
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
            />
            <button type="submit">Create</button>
          </form>
        </aside>
        {current && <ListView key={current.id} list={current} onChanged={lists.reload} act={act} />}
      </div>
    </section>
  );
}

/** One alert threshold of an item, edited in place (high: "goes above", low: "goes below"). */
function ThresholdInput({
  item,
  side,
  onChange,
}: {
  item: Item;
  side: 'high' | 'low';
  onChange: (it: Item, key: 'price_alert_high' | 'price_alert_low', raw: string) => void;
}) {
  const key = side === 'high' ? 'price_alert_high' : 'price_alert_low';
  return (
    <input
      class="threshold"
      type="number"
      step="any"
      min="0"
      aria-label={`Alert when ${item.symbol} goes ${side === 'high' ? 'above' : 'below'}`}
      defaultValue={item[key]?.toString() ?? ''}
      onChange={(e) => onChange(item, key, e.currentTarget.value)}
    />
  );
}

function ListView({
  list,
  onChanged,
  act,
}: {
  list: Watchlist;
  onChanged: () => void;
  act: (fn: () => Promise<unknown>) => Promise<void>;
}) {
  const items = useLoad(
    () => get<{ items: Item[] }>(`/api/watchlists/${list.id}/items?limit=1000`),
    [list.id, list.item_count],
  );
  const markets = useLoad(() => get<{ items: MarketRow[] }>('/api/markets?interval=1d&points=2'), []);
  const alerts = useLoad(() => get<{ items: AlertRow[] }>(`/api/alerts?watchlist_id=${list.id}&limit=20`), [list.id]);
  const [prices, setPrices] = useState<Map<string, { last: number | null; change: number | null }>>(new Map());
  const [order, setOrder] = useState<Item[]>([]);
  const [query, setQuery] = useState('');
  const [dragged, setDragged] = useState<string | null>(null);
  useEffect(() => setOrder(items.data?.items ?? []), [items.data]);
  useEffect(() => {
    const m = new Map<string, { last: number | null; change: number | null }>();
    for (const r of markets.data?.items ?? []) m.set(r.id, { last: r.last_price, change: r.change_pct });
    setPrices(m);
  }, [markets.data]);
  useEffect(() => {
    const off1 = on('candle', (c) =>
      setPrices((m) => {
        if (!m.has(c.asset_id)) return m;
        const next = new Map(m);
        next.set(c.asset_id, { ...(m.get(c.asset_id) ?? { change: null }), last: c.close });
        return next;
      }),
    );
    const off2 = on('alert', () => alerts.reload());
    return () => {
      off1();
      off2();
    };
  }, []);

  const matches = useMemo(() => {
    const q = query.trim().toLowerCase();
    if (!q) return [];
    const have = new Set(order.map((i) => i.asset_id));
    return (markets.data?.items ?? [])
      .filter((r) => !have.has(r.id) && (r.symbol.toLowerCase().includes(q) || r.name.toLowerCase().includes(q)))
      .slice(0, 8);
  }, [query, markets.data, order]);

  const base = `/api/watchlists/${list.id}`;
  const saveOrder = (next: Item[]) => {
    setOrder(next);
    void act(() => api('PUT', `${base}/items/order`, { item_ids: next.map((i) => i.id) }));
  };
  const move = (from: number, to: number) => {
    if (to < 0 || to >= order.length) return;
    const next = [...order];
    const [it] = next.splice(from, 1);
    next.splice(to, 0, it);
    saveOrder(next);
  };
  const setThreshold = (it: Item, key: 'price_alert_high' | 'price_alert_low', raw: string) => {
    const v = raw.trim() === '' ? null : Number(raw);
    if (v !== null && !(v > 0)) return;
    if (v === it[key]) return;
    void act(async () => {
      await api('PATCH', `${base}/items/${it.id}`, { [key]: v });
      items.reload();
    }).then(() => items.reload());
  };

  return (
    <div class="list-view">
      <div class="row wrap">
        <input
          aria-label="List name"
          defaultValue={list.name}
          onChange={(e) => void act(() => api('PATCH', base, { name: e.currentTarget.value }))}
        />
        <input
          type="color"
          aria-label="Colour"
          value={list.color ?? '#2563eb'}
          onChange={(e) => void act(() => api('PATCH', base, { color: e.currentTarget.value }))}
        />
        <select
          aria-label="Icon"
          value={list.icon ?? ''}
          onChange={(e) => void act(() => api('PATCH', base, { icon: e.currentTarget.value || null }))}
        >
          <option value="">no icon</option>
          {ICONS.map((i) => (
            <option key={i}>{i}</option>
          ))}
        </select>
        {!list.is_default && (
          <button type="button" onClick={() => void act(() => api('PATCH', base, { is_default: true }))}>
            Make default
          </button>
        )}
        <button
          type="button"
          class="danger"
          onClick={() => {
            if (confirm(`Delete the watchlist "${list.name}" and its items?`))
              void act(() => api('DELETE', base)).then(onChanged);
          }}
        >
          Delete list
        </button>
      </div>
      <div class="add">
        <input
          type="search"
          aria-label="Add by symbol"
          placeholder="Add by symbol or name"
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
        {matches.length > 0 && (
          <ul class="suggest">
            {matches.map((m) => (
              <li key={m.id}>
                <button
                  type="button"
                  onClick={() => {
                    setQuery('');
                    void act(() => api('POST', `${base}/items`, { asset_id: m.id })).then(() => items.reload());
                  }}
                >
                  {m.symbol} <span class="muted">{m.name}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <ErrorBox error={items.error} retry={items.reload} />
      {items.loading && !items.data && <Loading what="Loading items" />}
      <div class="table-wrap">
        <table data-testid="watch-items">
          <thead>
            <tr>
              <th>Symbol</th>
              <th class="num">Last</th>
              <th class="num">Change</th>
              <th>Alert above</th>
              <th>Alert below</th>
              <th>Order</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {order.map((it, idx) => {
              const p = prices.get(it.asset_id);
              return (
                <tr
                  key={it.id}
                  draggable
                  class={dragged === it.id ? 'dragging' : ''}
                  onDragStart={() => setDragged(it.id)}
                  onDragEnd={() => setDragged(null)}
                  onDragOver={(e) => e.preventDefault()}
                  onDrop={(e) => {
                    e.preventDefault();
                    const from = order.findIndex((o) => o.id === dragged);
                    if (from >= 0 && from !== idx) move(from, idx);
                  }}
                >
                  <td>
                    <a href={`/chart/${encodeURIComponent(it.symbol)}`}>{it.symbol}</a>
                  </td>
                  <td class="num" data-testid="item-price">
                    {price(p?.last)}
                  </td>
                  <td class={`num ${changeClass(p?.change)}`}>{pct(p?.change)}</td>
                  <td>
                    <ThresholdInput item={it} side="high" onChange={setThreshold} />
                  </td>
                  <td>
                    <ThresholdInput item={it} side="low" onChange={setThreshold} />
                  </td>
                  <td class="actions">
                    <button
                      type="button"
                      aria-label={`Move ${it.symbol} up`}
                      disabled={idx === 0}
                      onClick={() => move(idx, idx - 1)}
                    >
                      ↑
                    </button>
                    <button
                      type="button"
                      aria-label={`Move ${it.symbol} down`}
                      disabled={idx === order.length - 1}
                      onClick={() => move(idx, idx + 1)}
                    >
                      ↓
                    </button>
                  </td>
                  <td>
                    <button
                      type="button"
                      class="link"
                      onClick={() => void act(() => api('DELETE', `${base}/items/${it.id}`)).then(() => items.reload())}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
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
