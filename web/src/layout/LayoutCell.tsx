/**
 * One chart of a layout: its symbol and interval (chosen in its header), its candles through the chart
 * page's own loading (useCandles: first page, older pages on scroll-back, live changes), drawn by the
 * chart page's ChartView; its crosshair joins the layout's CrosshairSync.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { INTERVALS } from '../chart/catalog.ts';
import { Legend } from '../chart/Legend.tsx';
import { useCandles } from '../chart/use-candles.ts';
import type { ChartView, Crosshair } from '../chart/view.ts';
import { ErrorBox, Loading } from '../ui.tsx';
import type { CrosshairSync } from './crosshair-sync.ts';
import type { Cell } from './state.ts';

export function LayoutCell(p: {
  index: number;
  cell: Cell;
  symbols: string[];
  sync: CrosshairSync;
  onChange: (c: Cell) => void;
}) {
  const { index, cell, sync } = p;
  const n = index + 1;
  const candles = useCandles(cell.symbol, cell.interval);
  const el = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<ChartView | null>(null);
  const [cross, setCross] = useState<Crosshair | null>(null);
  const older = useRef(candles.loadOlder);
  older.current = candles.loadOlder;

  useEffect(() => {
    let dead = false;
    let made: ChartView | null = null;
    void import('../chart/view.ts').then(({ ChartView }) => {
      if (dead || !el.current) return;
      made = new ChartView(
        el.current,
        setCross,
        () => void older.current(),
        () => undefined,
      );
      sync.add(index, made, el.current);
      setView(made);
    });
    return () => {
      dead = true;
      sync.remove(index);
      made?.remove();
    };
  }, []);

  useEffect(() => {
    if (!view) return;
    view.setBars(candles.bars, candles.change !== 'first');
    if (candles.change === 'first') view.fitRecent();
  }, [view, candles.bars]);

  const onKey = (e: KeyboardEvent) => {
    if (!view) return;
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      e.preventDefault();
      view.moveCrosshair(e.key === 'ArrowLeft' ? -1 : 1);
      sync.from(index, view.keyCrosshairTime());
    } else if (e.key === 'Escape') {
      sync.from(index, null);
    }
  };

  const { bars } = candles;
  const symbols = p.symbols.includes(cell.symbol) ? p.symbols : [cell.symbol, ...p.symbols];
  const label = `${cell.symbol} ${cell.interval}`;
  return (
    <section class="layout-cell" aria-label={`Chart ${n}: ${label}`}>
      <div class="layout-cell-head">
        <label>
          <span class="sr-only">Symbol of chart {n}</span>
          <select value={cell.symbol} onChange={(e) => p.onChange({ ...cell, symbol: e.currentTarget.value })}>
            {symbols.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span class="sr-only">Interval of chart {n}</span>
          <select value={cell.interval} onChange={(e) => p.onChange({ ...cell, interval: e.currentTarget.value })}>
            {INTERVALS.map((i) => (
              <option key={i} value={i}>
                {i}
              </option>
            ))}
          </select>
        </label>
        <a href={`/chart/${encodeURIComponent(cell.symbol)}?interval=${cell.interval}`}>
          Open<span class="sr-only"> {label} chart</span>
        </a>
      </div>
      <ErrorBox error={candles.error} />
      <Legend cross={cross} lastBar={bars[bars.length - 1]} />
      <div class="layout-chart-box">
        <div
          ref={el}
          class="chart"
          data-testid="layout-chart"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: the chart takes arrow keys (crosshair)
          tabIndex={0}
          role="application"
          aria-label={`${label} chart: arrow keys move the crosshair of every chart, Escape hides it`}
          onKeyDown={onKey}
          data-symbol={cell.symbol}
          data-interval={cell.interval}
          data-bars={bars.length}
          data-first={bars[0]?.time ?? ''}
          data-last={bars[bars.length - 1]?.time ?? ''}
          data-settled={!candles.loading && view !== null}
        />
        {candles.loading && (
          <div class="overlay">
            <Loading what="Loading candles" />
          </div>
        )}
        {!candles.loading && !candles.error && bars.length === 0 && (
          <div class="overlay">
            <p>No {cell.interval} candles.</p>
          </div>
        )}
      </div>
    </section>
  );
}
