/** The markets table: sortable columns, one row per asset with its sparkline; a row opens the chart. */
import { AsOf } from '../as-of.tsx';
import { changeClass, pct, price, volume } from '../format.ts';
import { navigate } from '../router.ts';
import { Sparkline } from '../ui.tsx';
import type { MarketRow } from './use-markets.ts';

export type Key = 'symbol' | 'name' | 'asset_type' | 'exchange' | 'last_price' | 'change_pct' | 'volume';
const COLUMNS: { key: Key; label: string; numeric?: boolean }[] = [
  { key: 'symbol', label: 'Symbol' },
  { key: 'name', label: 'Name' },
  { key: 'asset_type', label: 'Type' },
  { key: 'exchange', label: 'Exchange' },
  { key: 'last_price', label: 'Last', numeric: true },
  { key: 'change_pct', label: 'Change', numeric: true },
  { key: 'volume', label: 'Volume', numeric: true },
];

function compare(a: MarketRow, b: MarketRow, key: Key): number {
  const x = a[key];
  const y = b[key];
  if (x === null) return y === null ? 0 : 1;
  if (y === null) return -1;
  return typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
}

export interface Sort {
  key: Key;
  dir: 1 | -1;
}

export function MarketsTable({
  rows,
  interval,
  sort,
  onSort: setSort,
}: {
  rows: MarketRow[];
  interval: string;
  sort: Sort;
  onSort: (s: Sort) => void;
}) {
  const shown = [...rows].sort((a, b) => compare(a, b, sort.key) * sort.dir);
  const header = (c: (typeof COLUMNS)[number]) => {
    const active = sort.key === c.key;
    return (
      <th
        key={c.key}
        class={c.numeric ? 'num' : ''}
        aria-sort={active ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}
      >
        <button
          type="button"
          class="sort"
          onClick={() => setSort({ key: c.key, dir: active ? (sort.dir === 1 ? -1 : 1) : c.numeric ? -1 : 1 })}
        >
          {c.label} {active ? (sort.dir === 1 ? '▲' : '▼') : ''}
        </button>
      </th>
    );
  };
  return (
    <div class="table-wrap">
      <table class="markets" data-testid="markets" data-interval={interval}>
        <thead>
          <tr>
            {COLUMNS.map(header)}
            <th>Trend</th>
            <th>As of</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr
              key={r.id}
              class="clickable"
              data-symbol={r.symbol}
              data-closes={r.closes.join(' ')}
              onClick={() => navigate(`/chart/${encodeURIComponent(r.symbol)}`)}
            >
              <td>
                <a href={`/chart/${encodeURIComponent(r.symbol)}`}>{r.symbol}</a>
              </td>
              <td>{r.name}</td>
              <td>{r.asset_type}</td>
              <td>{r.exchange ?? ''}</td>
              <td class="num">{price(r.last_price)}</td>
              <td class={`num ${changeClass(r.change_pct)}`}>{pct(r.change_pct)}</td>
              <td class="num">{volume(r.volume)}</td>
              <td>
                <Sparkline values={r.closes} />
              </td>
              <td>
                <AsOf ts={r.last_ts} interval={interval} simulated={r.simulated} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length === 0 && <p>No asset matches the filter.</p>}
    </div>
  );
}
