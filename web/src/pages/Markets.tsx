/** Markets: every asset with last price, change, volume and a sparkline; filter, sort, open a chart. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { MarketsTable } from '../markets/MarketsTable.tsx';
import { type MarketRow, useMarkets } from '../markets/use-markets.ts';
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

export function MarketsPage() {
  const [interval, chooseInterval] = useState('1d');
  const markets = useMarkets(interval);
  const [filter, setFilter] = useState<Filter>({ text: '', type: '', exchange: '' });
  const rows = markets.data?.items ?? [];
  // For bench:web (Performance API): the table is rendered.
  useEffect(() => {
    if (rows.length && !performance.getEntriesByName('tm:markets-ready').length) performance.mark('tm:markets-ready');
  }, [rows]);
  const shown = useMemo(() => rows.filter((r) => matches(r, filter)), [rows, filter]);
  return (
    <section>
      <h1>Markets</h1>
      <Toolbar rows={rows} filter={filter} onFilter={setFilter} interval={interval} onInterval={chooseInterval} />
      <ErrorBox error={markets.error} retry={markets.reload} />
      {markets.loading && !markets.data && <Loading what="Loading markets" />}
      {markets.data && <MarketsTable rows={shown} interval={markets.data.interval} />}
    </section>
  );
}
