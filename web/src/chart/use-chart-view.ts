/**
 * The lightweight-charts view of the page (loaded on demand, its own chunk), fed with the bars,
 * indicators and signals; reports the crosshair and pane and marker counts.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Candles } from './use-candles.ts';
import type { IndicatorData } from './use-indicators.ts';
import type { ChartView, Crosshair, Signal } from './view.ts';

export interface ChartViewState {
  el: { current: HTMLDivElement | null };
  cross: Crosshair | null;
  stats: { panes: number; markers: number };
}

export function useChartView(candles: Candles, indicators: IndicatorData | null, signals: Signal[]): ChartViewState {
  const el = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<ChartView | null>(null);
  const [cross, setCross] = useState<Crosshair | null>(null);
  const [stats, setStats] = useState({ panes: 1, markers: 0 });
  const older = useRef(candles.loadOlder);
  older.current = candles.loadOlder;
  // For bench:web (Performance API): candles and indicators are both on the chart.
  const ready = useRef({ candles: false, indicators: false });
  const markReady = () => {
    if (ready.current.candles && ready.current.indicators && !performance.getEntriesByName('tm:chart-ready').length)
      performance.mark('tm:chart-ready');
  };

  useEffect(() => {
    let dead = false;
    let made: ChartView | null = null;
    void import('./view.ts').then(({ ChartView }) => {
      if (dead || !el.current) return;
      made = new ChartView(el.current, setCross, () => void older.current());
      setView(made);
    });
    return () => {
      dead = true;
      made?.remove();
    };
  }, []);

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

  useEffect(() => {
    if (!view) return;
    view.setIndicators(indicators ?? []);
    setStats((s) => ({ ...s, panes: view.paneCount() }));
    if (indicators) {
      ready.current.indicators = true;
      markReady();
    }
  }, [view, indicators]);

  useEffect(() => {
    if (!view) return;
    view.setSignals(signals);
    setStats((s) => ({ ...s, markers: view.markerCount() }));
  }, [view, signals, candles.bars]);

  return { el, cross, stats };
}
