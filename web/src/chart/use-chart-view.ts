/**
 * The lightweight-charts view of the page (loaded on demand, its own chunk), fed with the bars,
 * indicators and signals, in the chart type, price scale and range chosen; reports the crosshair,
 * the visible window and pane and marker counts.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Drawing, DrawingPoint } from './drawings-primitive.ts';
import type { Candles } from './use-candles.ts';
import type { IndicatorData } from './use-indicators.ts';
import { type ChartType, type RangeKey, rangeStart, type ScaleKey } from './url-state.ts';
import { ChartView, type Crosshair, type Signal, type Visible } from './view.ts';

/** A range preset reaches back at most this many bars (older pages are fetched until it is covered). */
const MAX_RANGE_BARS = 20_000;

export interface ChartViewState {
  el: { current: HTMLDivElement | null };
  view: ChartView | null;
  cross: Crosshair | null;
  visible: Visible;
  stats: {
    panes: number;
    markers: number;
    markerTexts: number;
    type: string;
    scale: number;
    drawings: number;
    /** Each indicator line's `type.output:colour:width`, space-separated. */
    styles: string;
  };
  /** The counts in `stats` are of these inputs (a test compares them only once they are the current ones). */
  shown: { bars: unknown; signals: unknown; indicators: unknown };
  /** Go to a date (epoch seconds): older pages are fetched until it is loaded. */
  goTo: (t: number) => void;
}

export function useChartView(
  candles: Candles,
  indicators: IndicatorData | null,
  signals: Signal[],
  look: { type: ChartType; scale: ScaleKey; range: RangeKey | null },
  draw: {
    list: Drawing[];
    onPoint: ((p: DrawingPoint) => void) | null;
    selected?: string | null;
    select?: (id: string | null) => void;
    replace?: (d: Drawing) => void;
  },
): ChartViewState {
  const el = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<ChartView | null>(null);
  const [cross, setCross] = useState<Crosshair | null>(null);
  const [visible, setVisible] = useState<Visible>({ first: null, atStart: false });
  const [stats, setStats] = useState({
    panes: 1,
    markers: 0,
    markerTexts: 0,
    type: '',
    scale: 0,
    drawings: 0,
    styles: '',
  });
  const [shown, setShown] = useState<ChartViewState['shown']>({ bars: null, signals: null, indicators: null });
  // What the view should show once enough bars are loaded: a range preset's start or a date to centre.
  const [want, setWant] = useState<{ kind: 'range' | 'date'; t: number } | null>(null);
  const older = useRef(candles.loadOlder);
  older.current = candles.loadOlder;
  // For bench:web (Performance API): candles and indicators are both on the chart.
  const ready = useRef({ candles: false, indicators: false });
  const markReady = () => {
    if (ready.current.candles && ready.current.indicators && !performance.getEntriesByName('tm:chart-ready').length)
      performance.mark('tm:chart-ready');
  };

  useEffect(() => {
    if (!el.current) return;
    // In the main bundle (lightweight-charts already is): a chunk of its own waited for the embedded
    // server, which serves files only between queries, so it arrived after the chart's data.
    const made = new ChartView(el.current, setCross, () => void older.current(), setVisible);
    setView(made);
    return () => made.remove();
  }, []);

  if (view) {
    view.onPoint = draw.onPoint;
    view.onSelectDrawing = (id) => draw.select?.(id);
    view.onMoveDrawing = (d) => draw.replace?.(d);
  }
  useEffect(() => view?.selectDrawing(draw.selected ?? null), [view, draw.selected]);
  useEffect(() => {
    if (!view) return;
    view.setDrawings(draw.list);
    setStats((s) => ({ ...s, drawings: view.drawingCount() }));
  }, [view, draw.list]);

  useEffect(() => {
    if (!view) return;
    view.setType(look.type);
    view.setScale(look.scale);
    setStats((s) => ({ ...s, type: view.seriesType(), scale: view.scaleMode() }));
  }, [view, look.type, look.scale]);

  useEffect(() => {
    if (!view) return;
    view.setBars(candles.bars, candles.change !== 'first');
    if (candles.change === 'first') {
      view.fitRecent();
      if (candles.bars.length) {
        ready.current.candles = true;
        markReady();
      }
    }
  }, [view, candles.bars]);

  // A range preset (from the URL or a button) applies to every newly opened series.
  const last = candles.bars[candles.bars.length - 1]?.time;
  const firstLoad = candles.change === 'first' && last !== undefined;
  useEffect(() => {
    if (look.range && last !== undefined) setWant({ kind: 'range', t: rangeStart(look.range, last) });
  }, [look.range, firstLoad]);

  useEffect(() => {
    if (!view || !want || !candles.bars.length) return;
    const enough = want.t >= candles.bars[0].time || candles.older === 'done' || candles.bars.length >= MAX_RANGE_BARS;
    if (!enough) {
      if (candles.older !== 'loading') void older.current();
      return;
    }
    if (want.kind === 'range') view.showFrom(want.t);
    else view.centerOn(want.t);
    setWant(null);
  }, [view, want, candles.bars, candles.older]);

  useEffect(() => {
    if (!view) return;
    view.setIndicators(indicators ?? []);
    setStats((s) => ({ ...s, panes: view.paneCount(), styles: view.styles.join(' ') }));
    setShown((x) => ({ ...x, indicators }));
    if (indicators) {
      ready.current.indicators = true;
      markReady();
    }
  }, [view, indicators]);

  useEffect(() => {
    if (!view) return;
    view.setSignals(signals);
    setStats((s) => ({ ...s, markers: view.markerCount(), markerTexts: view.markerTexts() }));
    setShown((x) => ({ ...x, signals, bars: candles.bars }));
  }, [view, signals, candles.bars]);

  return { el, view, cross, visible, stats, shown, goTo: (t) => setWant({ kind: 'date', t }) };
}
