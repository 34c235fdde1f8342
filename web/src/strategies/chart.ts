/**
 * The strategy page's chart (lightweight-charts 5, loaded on demand like the main chart): candles with the
 * preview's or the run's markers, and for a run its equity and drawdown in panes below.
 */
import {
  CandlestickSeries,
  createChart,
  createSeriesMarkers,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  LineSeries,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { ChartBar, Mark } from './types.ts';

type Curve = { time: number; equity: number; drawdown: number };

const css = (name: string, fallback: string) =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

export class StrategyChart {
  private chart: IChartApi;
  private candles: ISeriesApi<'Candlestick'>;
  private markers: ISeriesMarkersPluginApi<Time>;
  private curves: ISeriesApi<'Line'>[] = [];

  constructor(el: HTMLElement) {
    this.chart = createChart(el, {
      autoSize: true,
      layout: { background: { color: css('--bg', '#fff') }, textColor: css('--fg', '#111'), attributionLogo: true },
      grid: { vertLines: { color: css('--grid', '#eee') }, horzLines: { color: css('--grid', '#eee') } },
      timeScale: { timeVisible: true, secondsVisible: false },
    });
    this.candles = this.chart.addSeries(CandlestickSeries, {
      upColor: '#16a34a',
      downColor: '#dc2626',
      wickUpColor: '#16a34a',
      wickDownColor: '#dc2626',
      borderVisible: false,
    });
    this.markers = createSeriesMarkers(this.candles, []);
  }

  setBars(bars: ChartBar[]): void {
    this.candles.setData(bars.map((b) => ({ ...b, time: b.time as UTCTimestamp })));
    this.chart.timeScale().fitContent();
  }

  setMarks(marks: Mark[]): void {
    const list: SeriesMarker<Time>[] = marks.map((m) => {
      const up = m.kind === 'entry' ? !m.short : !!m.short;
      return {
        time: m.time as UTCTimestamp,
        position: up ? 'belowBar' : 'aboveBar',
        shape: up ? 'arrowUp' : 'arrowDown',
        color: m.kind === 'entry' ? '#16a34a' : '#dc2626',
        text: m.text ?? '',
      };
    });
    list.sort((a, b) => (a.time as number) - (b.time as number));
    this.markers.setMarkers(list);
  }

  /** Equity and drawdown (%) at each bar's close in panes 1 and 2; null removes them. */
  setCurves(curves: Curve[] | null): void {
    for (const s of this.curves) this.chart.removeSeries(s);
    this.curves = [];
    if (!curves) return;
    const line = (pane: number, color: string, title: string, value: (c: Curve) => number) => {
      const s = this.chart.addSeries(LineSeries, { color, lineWidth: 1, title, priceLineVisible: false }, pane);
      s.setData(curves.map((c) => ({ time: c.time as UTCTimestamp, value: value(c) })));
      return s;
    };
    this.curves = [line(1, '#2563eb', 'equity', (c) => c.equity), line(2, '#dc2626', 'drawdown %', (c) => -c.drawdown)];
    const panes = this.chart.panes();
    panes[1]?.setHeight(90);
    panes[2]?.setHeight(70);
  }

  markerCount(): number {
    return this.markers.markers().length;
  }

  paneCount(): number {
    return this.chart.panes().length;
  }

  remove(): void {
    this.chart.remove();
  }
}
