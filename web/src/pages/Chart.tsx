/**
 * Chart: candles and volume for any interval, paged back in history, indicators, signals and a backtest.
 * The view (interval, indicators, range, chart type, price scale) lives in the URL: a link opens exactly
 * it, and each change is a history entry.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { AddToWatchlist } from '../chart/AddToWatchlist.tsx';
import { ChartHeading, ChartNotes } from '../chart/ChartHeading.tsx';
import { Compare } from '../chart/Compare.tsx';
import { INTERVAL_SECONDS, INTERVALS } from '../chart/catalog.ts';
import { DrawingTools, type Placing, place } from '../chart/DrawingTools.tsx';
import { ExportButtons } from '../chart/Export.tsx';
import { IndicatorPicker } from '../chart/IndicatorPicker.tsx';
import { PaneControls } from '../chart/PaneControls.tsx';
import { ActiveSignals, Legend, SignalBox } from '../chart/Legend.tsx';
import { SymbolSearch } from '../chart/SymbolSearch.tsx';
import { IntervalButtons, ViewControls } from '../chart/Toolbar.tsx';
import { useCandles } from '../chart/use-candles.ts';
import { useChartView } from '../chart/use-chart-view.ts';
import { useCompare } from '../chart/use-compare.ts';
import { useDrawings } from '../chart/use-drawings.ts';
import { emptyIndicators, lastIndicatorValue, useIndicators } from '../chart/use-indicators.ts';
import { usePanes } from '../chart/use-panes.ts';
import { useSignals } from '../chart/use-signals.ts';
import { type ChartState, readState, remember, writeState } from '../chart/url-state.ts';
import type { ChartView } from '../chart/view.ts';
import { useUser } from '../hooks.ts';
import { navigate, useSearch } from '../router.ts';
import { ErrorBox } from '../ui.tsx';
import { BacktestPanel } from './Backtest.tsx';

const TYPING = /^(INPUT|SELECT|TEXTAREA)$/;

/**
 * Interval keys 1–9, `/` for the search, arrows move the crosshair, Enter places a drawing's point at
 * it (while a tool is active), Escape hides it and cancels the tool.
 */
function useChartKeys(p: {
  view: ChartView | null;
  search: { current: HTMLInputElement | null };
  chartEl: { current: HTMLDivElement | null };
  pickInterval: (i: string) => void;
  cancel: () => void;
}): void {
  const ref = useRef(p);
  ref.current = p;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.ctrlKey || e.metaKey || e.altKey || TYPING.test(t.tagName) || t.isContentEditable) return;
      const { view, search, chartEl, pickInterval, cancel } = ref.current;
      const onChart = t === chartEl.current || t === document.body || t.id === 'main';
      if (e.key === '/') {
        e.preventDefault();
        search.current?.focus();
      } else if (/^[1-9]$/.test(e.key)) {
        pickInterval(INTERVALS[Number(e.key) - 1]);
      } else if (onChart && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) {
        e.preventDefault();
        view?.moveCrosshair(e.key === 'ArrowLeft' ? -1 : 1);
      } else if (onChart && e.key === 'Enter') {
        if (view?.placeAtCrosshair()) e.preventDefault();
      } else if (e.key === 'Escape') {
        view?.clearCrosshair();
        cancel();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}

export function ChartPage({ symbol }: { symbol: string }) {
  const user = useUser();
  const search = useSearch();
  const state = useMemo(() => readState(search, user?.username), [search, user?.username]);
  const { interval, indicators } = state;
  const change = (next: Partial<ChartState>, to = symbol) => {
    const s = { ...state, ...next };
    remember(s, user?.username);
    navigate(`/chart/${encodeURIComponent(to)}?${writeState(s)}`);
  };
  const candles = useCandles(symbol, interval);
  const ind = useIndicators({ symbol, interval, indicators, range: candles.range, version: candles.version });
  const sig = useSignals(symbol, interval, candles.assetId, !candles.loading);
  const drawings = useDrawings(symbol, user !== null);
  const [placing, setPlacing] = useState<Placing | null>(null);
  useEffect(() => setPlacing(null), [symbol]);
  const onPoint = placing
    ? (pt: { t: number; price: number }) => {
        const r = place(placing, pt);
        setPlacing(r.placing);
        if (r.done) drawings.change([...drawings.list, r.done]);
      }
    : null;
  // While comparing, the price scale is in percent from the first visible bar.
  const look = state.compare.length ? { ...state, scale: 'pct' as const } : state;
  const { el, view, cross, visible, stats, shown, goTo } = useChartView(candles, ind.data, sig.signals, look, {
    ...drawings,
    onPoint,
  });
  const panes = usePanes(view, ind.data, el);
  const compared = useCompare({
    view,
    symbols: state.compare.filter((s) => s !== symbol),
    interval,
    range: candles.range,
    version: candles.version,
    bars: candles.bars,
  });
  const searchRef = useRef<HTMLInputElement>(null);
  useChartKeys({
    view,
    search: searchRef,
    chartEl: el,
    pickInterval: (i) => change({ interval: i }),
    cancel: () => setPlacing(null),
  });

  const { bars } = candles;
  const lastBar = bars[bars.length - 1];
  const indicatorLast = lastIndicatorValue(ind.data);
  // For tests comparing a live page with a reload: every close counts, cheaply.
  const closeSum = useMemo(() => bars.reduce((sum, b) => sum + b.close, 0).toFixed(6), [bars]);
  // Settled: everything loaded and the chart's counts are of what was loaded (they update an effect later).
  const settled =
    !candles.loading &&
    ind.data !== null &&
    sig.loaded &&
    shown.bars === bars &&
    shown.signals === sig.signals &&
    shown.indicators === ind.data;
  const empty = !candles.loading && bars.length === 0 && !candles.error;
  const notes = useMemo(
    () => ({ errors: ind.errors, empty: emptyIndicators(ind.data), bars: bars.length }),
    [ind.errors, ind.data, bars.length],
  );

  return (
    <section class="chart-page">
      <div class="chart-head">
        <ChartHeading symbol={symbol} interval={interval} bars={bars} empty={empty} simulated={candles.simulated} />
        <div class="chart-tools">
          <SymbolSearch inputRef={searchRef} onPick={(s) => change({ range: state.range }, s)} />
          {user && <AddToWatchlist symbol={symbol} assetId={candles.assetId} />}
        </div>
      </div>
      <div class="chart-bar">
        <IntervalButtons interval={interval} onPick={(i) => change({ interval: i })} />
        <ViewControls state={state} onChange={(s) => change(s)} onRange={(r) => change({ range: r })} onGoTo={goTo} />
        <Compare symbol={symbol} lines={compared} onChange={(c) => change({ compare: c })} />
        <ExportButtons
          view={view}
          symbol={symbol}
          interval={interval}
          type={state.type}
          bars={bars}
          indicators={ind.data}
          compare={compared}
        />
      </div>
      <ErrorBox error={candles.error ?? sig.error} />
      <Legend cross={cross} lastBar={lastBar} compare={compared} />
      <div class={placing ? 'chart-box placing' : 'chart-box'}>
        <div
          ref={el}
          class="chart"
          data-testid="chart"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: the chart takes arrow keys (crosshair)
          tabIndex={0}
          role="application"
          aria-label={`${symbol} ${interval} chart: arrow keys move the crosshair, Enter places a drawing's point there, Escape hides it`}
          data-bars={bars.length}
          data-first={bars[0]?.time ?? ''}
          data-last={lastBar?.time ?? ''}
          data-visible-first={visible.first ?? ''}
          data-panes={stats.panes}
          data-markers={stats.markers}
          data-drawings={stats.drawings}
          data-selected-drawing={drawings.selected ?? ''}
          data-marker-texts={stats.markerTexts}
          data-series-type={stats.type}
          data-scale-mode={stats.scale}
          data-older={candles.older}
          data-indicator-last={indicatorLast ?? ''}
          data-indicator-styles={stats.styles}
          data-version={candles.version}
          data-close-sum={closeSum}
          data-settled={settled}
        />
        <SignalBox cross={cross} />
        <PaneControls panes={panes} />
        <ChartNotes
          symbol={symbol}
          interval={interval}
          loading={candles.loading}
          empty={empty}
          older={candles.older}
          atStart={visible.atStart}
          first={bars[0]}
          onPick={(i) => change({ interval: i })}
        />
      </div>
      <div class="side">
        <IndicatorPicker list={indicators} notes={notes} onChange={(l) => change({ indicators: l })} />
        {user && (
          <DrawingTools
            symbol={symbol}
            assetId={candles.assetId}
            lastClose={lastBar?.close}
            step={INTERVAL_SECONDS[interval]}
            drawings={drawings}
            placing={placing}
            onPlacing={setPlacing}
          />
        )}
        <ActiveSignals signals={sig.signals} interval={interval} />
        <BacktestPanel symbol={symbol} interval={interval} />
      </div>
    </section>
  );
}
