/** Search box that adds an asset (by symbol or name) to the list. */
import { useMemo, useState } from 'preact/hooks';
import type { MarketRow } from '../markets/use-markets.ts';

export function AddBySymbol({
  assets,
  have,
  onAdd,
}: {
  assets: MarketRow[];
  have: Set<string>;
  onAdd: (assetId: string) => void;
}) {
  const [query, setQuery] = useState('');
  const matches = useMemo(() => {
    const q = query.trim().toLowerCase();
    if (!q) return [];
    return assets
      .filter((r) => !have.has(r.id) && (r.symbol.toLowerCase().includes(q) || r.name.toLowerCase().includes(q)))
      .slice(0, 8);
  }, [query, assets, have]);
  return (
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
                  onAdd(m.id);
                }}
              >
                {m.symbol} <span class="muted">{m.name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
