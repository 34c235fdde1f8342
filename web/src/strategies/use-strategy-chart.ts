/** The strategy chart, loaded on demand (it shares the lightweight-charts chunk with the main chart). */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { StrategyChart } from './chart.ts';
import type { ChartBar, Mark } from './types.ts';

export interface Curves {
  time: number;
  equity: number;
  drawdown: number;
}

export function useStrategyChart(bars: ChartBar[], marks: Mark[], curves: Curves[] | null) {
  const el = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<StrategyChart | null>(null);
  const [stats, setStats] = useState({ markers: 0, panes: 1 });
  useEffect(() => {
    let dead = false;
    let made: StrategyChart | null = null;
    void import('./chart.ts').then(({ StrategyChart }) => {
      if (dead || !el.current) return;
      made = new StrategyChart(el.current);
      setView(made);
    });
    return () => {
      dead = true;
      made?.remove();
    };
  }, []);
  useEffect(() => {
    if (!view) return;
    view.setBars(bars);
    view.setMarks(marks);
    view.setCurves(curves);
    setStats({ markers: view.markerCount(), panes: view.paneCount() });
  }, [view, bars, marks, curves]);
  return { el, stats };
}

/** Equity at each bar's close and its drawdown from the running peak, in percent. */
export function curvesOf(times: number[], equity: number[]): Curves[] {
  let peak = Number.NEGATIVE_INFINITY;
  return equity.map((e, i) => {
    peak = Math.max(peak, e);
    return { time: times[i], equity: e, drawdown: peak > 0 ? (1 - e / peak) * 100 : 0 };
  });
}
