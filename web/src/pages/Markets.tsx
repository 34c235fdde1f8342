/** Markets: every asset with last price, change, volume and a sparkline; filter, sort, open a chart. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { get } from '../api.ts';
import { changeClass, pct, price, volume } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { on } from '../live.ts';
import { navigate } from '../router.ts';
import { ErrorBox, Loading, Sparkline } from '../ui.tsx';

export interface MarketRow {
  id: string;
  symbol: string;
  name: string;
  asset_type: string;
  exchange: string | null;
  last_price: number | null;
  change_pct: number | null;
  volume: number | null;
  closes: number[];
}

type Key = 'symbol' | 'name' | 'asset_type' | 'exchange' | 'last_price' | 'change_pct' | 'volume';
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

export function MarketsPage() {
  const [interval, setInterval] = useState('1d');
  const markets = useLoad(() => get<{ items: MarketRow[] }>(`/api/markets?interval=${interval}`), [interval]);
  const [rows, setRows] = useState<MarketRow[]>([]);
  const [text, setText] = useState('');
  const [type, setType] = useState('');
  const [exchange, setExchange] = useState('');
  const [sort, setSort] = useState<{ key: Key; dir: 1 | -1 }>({ key: 'symbol', dir: 1 });

  useEffect(() => setRows(markets.data?.items ?? []), [markets.data]);
  // For bench:web (Performance API): the table is rendered.
  useEffect(() => {
    if (rows.length && !performance.getEntriesByName('tm:markets-ready').length) performance.mark('tm:markets-ready');
  }, [rows]);
  // A new candle of the shown interval moves the row's price at once.
  useEffect(
    () =>
      on('candle', (c) => {
        if (c.interval !== interval) return;
        setRows((list) =>
          list.map((r) => {
            if (r.id !== c.asset_id) return r;
            const prev = r.closes.length > 1 ? r.closes[r.closes.length - 2] : null;
            return {
              ...r,
              last_price: c.close,
              volume: c.volume,
              change_pct: prev ? ((c.close - prev) / prev) * 100 : r.change_pct,
            };
          }),
        );
      }),
    [interval],
  );

  const types = useMemo(() => [...new Set(rows.map((r) => r.asset_type))].sort(), [rows]);
  const exchanges = useMemo(() => [...new Set(rows.map((r) => r.exchange ?? ''))].filter(Boolean).sort(), [rows]);
  const shown = useMemo(() => {
    const t = text.trim().toLowerCase();
    return rows
      .filter(
        (r) =>
          (!type || r.asset_type === type) &&
          (!exchange || r.exchange === exchange) &&
          (!t || r.symbol.toLowerCase().includes(t) || r.name.toLowerCase().includes(t)),
      )
      .sort((a, b) => compare(a, b, sort.key) * sort.dir);
  }, [rows, text, type, exchange, sort]);

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
    <section>
      <h1>Markets</h1>
      <div class="toolbar">
        <input
          type="search"
          placeholder="Filter by symbol or name"
          aria-label="Filter by symbol or name"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <select aria-label="Asset type" value={type} onChange={(e) => setType(e.currentTarget.value)}>
          <option value="">All types</option>
          {types.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
        <select aria-label="Exchange" value={exchange} onChange={(e) => setExchange(e.currentTarget.value)}>
          <option value="">All exchanges</option>
          {exchanges.map((x) => (
            <option key={x}>{x}</option>
          ))}
        </select>
        <select
          aria-label="Interval of the change"
          value={interval}
          onChange={(e) => setInterval(e.currentTarget.value)}
        >
          {['1h', '1d', '1w'].map((i) => (
            <option key={i} value={i}>
              change over {i}
            </option>
          ))}
        </select>
      </div>
      <ErrorBox error={markets.error} retry={markets.reload} />
      {markets.loading && !markets.data && <Loading what="Loading markets" />}
      {markets.data && (
        <div class="table-wrap">
          <table class="markets" data-testid="markets">
            <thead>
              <tr>
                {COLUMNS.map(header)}
                <th>Trend</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.id} class="clickable" onClick={() => navigate(`/chart/${encodeURIComponent(r.symbol)}`)}>
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
                </tr>
              ))}
            </tbody>
          </table>
          {shown.length === 0 && <p>No asset matches the filter.</p>}
        </div>
      )}
    </section>
  );
}
