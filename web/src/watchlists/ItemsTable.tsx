/** A watchlist's items: price and change of the day, as of when, alert thresholds, reorder, remove. */
import { useEffect, useState } from 'preact/hooks';
import { AsOf } from '../as-of.tsx';
import { changeClass, pct, price } from '../format.ts';
import type { MarketRow } from '../markets/use-markets.ts';
import type { Item } from './types.ts';

type ThresholdKey = 'price_alert_high' | 'price_alert_low';

/**
 * One alert threshold of an item, edited in place (high: "goes above", low: "goes below"). A value the API
 * (or the form) refuses is said in words under the field, and the field goes back to the stored threshold.
 */
function ThresholdInput({
  item,
  side,
  onChange,
}: {
  item: Item;
  side: 'high' | 'low';
  onChange: ItemActions['setThreshold'];
}) {
  const key = side === 'high' ? 'price_alert_high' : 'price_alert_low';
  const stored = item[key]?.toString() ?? '';
  const [value, setValue] = useState(stored);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => setValue(stored), [stored]);
  const id = `threshold-${item.id}-${side}`;
  return (
    <>
      <input
        class="threshold"
        type="number"
        step="any"
        aria-label={`Alert when ${item.symbol} goes ${side === 'high' ? 'above' : 'below'}`}
        aria-invalid={problem ? 'true' : undefined}
        aria-describedby={problem ? id : undefined}
        value={value}
        onInput={(e) => setValue(e.currentTarget.value)}
        onChange={(e) => {
          const raw = e.currentTarget.value;
          void onChange(item, key, raw).then((refused) => {
            setProblem(refused);
            if (refused) setValue(stored);
          });
        }}
      />
      {problem && (
        <span class="field-problem" id={id} role="alert" data-testid="threshold-problem">
          {problem} {stored ? `It stays at ${stored}.` : 'No alert is set.'}
        </span>
      )}
    </>
  );
}

export interface ItemActions {
  move: (from: number, to: number) => void;
  remove: (it: Item) => void;
  /** Saves a threshold; resolves to why it was refused, in words, or null when saved. */
  setThreshold: (it: Item, key: ThresholdKey, raw: string) => Promise<string | null>;
}

export function ItemsTable({
  order,
  prices,
  actions,
  settled,
}: {
  order: Item[];
  prices: Map<string, MarketRow>;
  actions: ItemActions;
  /** Items and prices are both loaded. */
  settled: boolean;
}) {
  const [dragged, setDragged] = useState<string | null>(null);
  const { move, remove, setThreshold } = actions;
  return (
    <table data-testid="watch-items" data-settled={settled}>
      <thead>
        <tr>
          <th>Symbol</th>
          <th class="num">Last</th>
          <th class="num">Change</th>
          <th>As of</th>
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
              data-symbol={it.symbol}
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
              <td class="wrap">
                <a href={`/chart/${encodeURIComponent(it.symbol)}`}>{it.symbol}</a>
              </td>
              <td class="num" data-testid="item-price">
                {price(p?.last_price)}
              </td>
              <td class={`num ${changeClass(p?.change_pct)}`} data-testid="item-change">
                {pct(p?.change_pct)}
              </td>
              <td>
                <AsOf ts={p?.last_ts} interval="1d" simulated={p?.simulated} />
              </td>
              <td class="threshold-cell">
                <ThresholdInput item={it} side="high" onChange={setThreshold} />
              </td>
              <td class="threshold-cell">
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
                <button type="button" class="link" onClick={() => remove(it)}>
                  Remove
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
