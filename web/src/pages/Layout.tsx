/**
 * Layouts: two or four charts side by side (a 2×2 grid), each its own symbol and interval, with one
 * crosshair across them (in time). The layout is in the URL (`/layout?cells=BTC:1h,ETH:1d`); a signed-in
 * user saves layouts by name. Its own chunk, loaded when opened. At 375 px the charts stack.
 */
import { useEffect, useMemo } from 'preact/hooks';
import { get } from '../api.ts';
import { useLoad, useUser } from '../hooks.ts';
import { CrosshairSync } from '../layout/crosshair-sync.ts';
import { LayoutCell } from '../layout/LayoutCell.tsx';
import { SavedLayouts } from '../layout/SavedLayouts.tsx';
import { type Cell, type LayoutState, readLayout, resize, writeLayout } from '../layout/state.ts';
import type { MarketRow } from '../markets/use-markets.ts';
import { navigate, useSearch } from '../router.ts';
import { ErrorBox, Loading } from '../ui.tsx';
import '../layout/layout.css';

const LAST = 'tm.layout';

export function LayoutPage() {
  const user = useUser();
  const search = useSearch();
  const state = useMemo(() => readLayout(search), [search]);
  const sync = useMemo(() => new CrosshairSync(), []);
  const assets = useLoad(() => get<{ items: MarketRow[] }>('/api/markets?interval=1d&points=2'), []);
  const symbols = useMemo(() => (assets.data?.items ?? []).map((a) => a.symbol), [assets.data]);
  const go = (s: LayoutState, replace = false) => {
    localStorage.setItem(LAST, writeLayout({ cells: s.cells, name: null }));
    navigate(`/layout?${writeLayout(s)}`, { replace });
  };

  // No cells in the URL: this browser's last layout, else the first two assets at 1h.
  const missing = state.cells.length === 0;
  useEffect(() => {
    if (!missing) return;
    const last = readLayout(localStorage.getItem(LAST) ?? '');
    if (last.cells.length) return go(last, true);
    if (symbols.length)
      go({ cells: [0, 1].map((i) => ({ symbol: symbols[i % symbols.length], interval: '1h' })), name: null }, true);
  }, [missing, symbols]);

  const setCell = (i: number, c: Cell) => go({ ...state, cells: state.cells.map((x, k) => (k === i ? c : x)) });
  const count = state.cells.length;
  return (
    <section class="layout-page">
      <div class="layout-head">
        <h1>Layout</h1>
        <fieldset class="intervals">
          <legend class="sr-only">Charts</legend>
          {([2, 4] as const).map((n) => (
            <button
              key={n}
              type="button"
              aria-pressed={count === n}
              onClick={() => go({ ...state, cells: resize(state.cells, n) })}
            >
              {n} charts
            </button>
          ))}
        </fieldset>
        <SavedLayouts
          signedIn={user !== null}
          cells={state.cells}
          name={state.name}
          onOpen={(l) => go({ cells: l.cells, name: l.name })}
        />
      </div>
      <ErrorBox error={assets.error} />
      {missing ? (
        <Loading what="Loading the assets" />
      ) : (
        <div class={`layout-grid cells-${count}`} data-testid="layout-grid" data-cells={count}>
          {state.cells.map((c, i) => (
            <LayoutCell key={i} index={i} cell={c} symbols={symbols} sync={sync} onChange={(x) => setCell(i, x)} />
          ))}
        </div>
      )}
    </section>
  );
}
