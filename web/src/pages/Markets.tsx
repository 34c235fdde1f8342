/** Markets: every asset with last price, change, volume and a sparkline; filter, sort, open a chart. */
import { useEffect, useMemo } from 'preact/hooks';
import { type Key, MarketsTable, type Sort } from '../markets/MarketsTable.tsx';
import { type MarketRow, useMarkets } from '../markets/use-markets.ts';
import { navigate, useSearch } from '../router.ts';
import { ErrorBox, Loading } from '../ui.tsx';

export type { MarketRow } from '../markets/use-markets.ts';

interface Filter {
  text: string;
  type: string;
  exchange: string;
}

function matches(r: MarketRow, f: Filter): boolean {
  const t = f.text.trim().toLowerCase();
  return (
    (!f.type || r.asset_type === f.type) &&
    (!f.exchange || r.exchange === f.exchange) &&
    (!t || r.symbol.toLowerCase().includes(t) || r.name.toLowerCase().includes(t))
  );
}

function Toolbar({
  rows,
  filter,
  onFilter,
  interval,
  onInterval,
}: {
  rows: MarketRow[];
  filter: Filter;
  onFilter: (f: Filter) => void;
  interval: string;
  onInterval: (i: string) => void;
}) {
  const types = useMemo(() => [...new Set(rows.map((r) => r.asset_type))].sort(), [rows]);
  const exchanges = useMemo(() => [...new Set(rows.map((r) => r.exchange ?? ''))].filter(Boolean).sort(), [rows]);
  return (
    <div class="toolbar">
      <input
        type="search"
        placeholder="Filter by symbol or name"
        aria-label="Filter by symbol or name"
        value={filter.text}
        onInput={(e) => onFilter({ ...filter, text: e.currentTarget.value })}
      />
      <select
        aria-label="Asset type"
        value={filter.type}
        onChange={(e) => onFilter({ ...filter, type: e.currentTarget.value })}
      >
        <option value="">All types</option>
        {types.map((t) => (
          <option key={t}>{t}</option>
        ))}
      </select>
      <select
        aria-label="Exchange"
        value={filter.exchange}
        onChange={(e) => onFilter({ ...filter, exchange: e.currentTarget.value })}
      >
        <option value="">All exchanges</option>
        {exchanges.map((x) => (
          <option key={x}>{x}</option>
        ))}
      </select>
      <select aria-label="Interval of the change" value={interval} onChange={(e) => onInterval(e.currentTarget.value)}>
        {['1h', '1d', '1w'].map((i) => (
          <option key={i} value={i}>
            change over {i}
          </option>
        ))}
      </select>
    </div>
  );
}

const KEYS: Key[] = ['symbol', 'name', 'asset_type', 'exchange', 'last_price', 'change_pct', 'volume'];

/** Filter, sort and interval live in the URL (`/?q=bt&type=crypto&sort=-change_pct&interval=1h`). */
function readView(search: string): { filter: Filter; sort: Sort; interval: string } {
  const q = new URLSearchParams(search);
  const rawSort = q.get('sort') ?? 'symbol';
  const key = rawSort.replace(/^-/, '') as Key;
  const interval = q.get('interval') ?? '1d';
  return {
    filter: { text: q.get('q') ?? '', type: q.get('type') ?? '', exchange: q.get('exchange') ?? '' },
    sort: KEYS.includes(key) ? { key, dir: rawSort.startsWith('-') ? -1 : 1 } : { key: 'symbol', dir: 1 },
    interval: ['1h', '1d', '1w'].includes(interval) ? interval : '1d',
  };
}

function writeView(v: { filter: Filter; sort: Sort; interval: string }): string {
  const q = new URLSearchParams();
  if (v.filter.text) q.set('q', v.filter.text);
  if (v.filter.type) q.set('type', v.filter.type);
  if (v.filter.exchange) q.set('exchange', v.filter.exchange);
  if (v.sort.key !== 'symbol' || v.sort.dir !== 1) q.set('sort', `${v.sort.dir === -1 ? '-' : ''}${v.sort.key}`);
  if (v.interval !== '1d') q.set('interval', v.interval);
  const text = q.toString();
  return text ? `${location.pathname}?${text}` : location.pathname;
}

export function MarketsPage() {
  const search = useSearch();
  const view = useMemo(() => readView(search), [search]);
  const { filter, sort, interval } = view;
  // Typing in the filter replaces the history entry; a sort or a choice is a step of its own.
  const change = (next: Partial<typeof view>, replace = false) =>
    navigate(writeView({ ...view, ...next }), { replace });
  const markets = useMarkets(interval);
  const rows = markets.data?.items ?? [];
  // For bench:web (Performance API): the table is rendered.
  useEffect(() => {
    if (rows.length && !performance.getEntriesByName('tm:markets-ready').length) performance.mark('tm:markets-ready');
  }, [rows]);
  const shown = useMemo(() => rows.filter((r) => matches(r, filter)), [rows, filter]);
  return (
    <section>
      <h1>Markets</h1>
      <Toolbar
        rows={rows}
        filter={filter}
        onFilter={(f) => change({ filter: f }, f.text !== filter.text)}
        interval={interval}
        onInterval={(i) => change({ interval: i })}
      />
      <ErrorBox error={markets.error} retry={markets.reload} />
      {markets.loading && !markets.data && <Loading what="Loading markets" />}
      {markets.data && (
        <MarketsTable rows={shown} interval={markets.data.interval} sort={sort} onSort={(s) => change({ sort: s })} />
      )}
    </section>
  );
}
