/**
 * The chart itself (lightweight-charts 5): candles and volume on the first pane, overlays on it,
 * oscillators in panes of their own, signals as markers. The page feeds it data; it reports the
 * crosshair and when the user scrolls near the oldest bar.
 */
import {
  CandlestickSeries,
  type CandlestickData,
  createChart,
  createSeriesMarkers,
  HistogramSeries,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  LineSeries,
  type MouseEventParams,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import { type ActiveIndicator, specOf } from './catalog.ts';

export interface Bar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface Signal {
  id: number;
  ts: string;
  signal_type: string;
  strategy: string;
  confidence: number;
  strength: number;
  price: number;
  target_price: number | null;
  stop_loss: number | null;
  rationale: string;
  is_active: boolean;
}

export interface SeriesData {
  /** Output names in the order of values (e.g. macd, signal, histogram). */
  outputs: string[];
  ts: number[];
  values: (number | null)[][];
}

export interface Crosshair {
  bar: Bar | null;
  signals: Signal[];
  values: { label: string; value: number }[];
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

export class ChartView {
  readonly chart: IChartApi;
  private candles: ISeriesApi<'Candlestick'>;
  private volume: ISeriesApi<'Histogram'>;
  private markers: ISeriesMarkersPluginApi<Time>;
  private indicatorSeries = new Map<
    number,
    { label: string; outputs: string[]; series: ISeriesApi<'Line' | 'Histogram'>[] }
  >();
  private bars: Bar[] = [];
  private signalsByTime = new Map<number, Signal[]>();

  constructor(
    el: HTMLElement,
    private onCrosshair: (c: Crosshair) => void,
    private onNeedOlder: () => void,
  ) {
    this.chart = createChart(el, {
      autoSize: true,
      layout: {
        background: { color: cssVar('--bg') || '#fff' },
        textColor: cssVar('--fg') || '#111',
        attributionLogo: true,
      },
      grid: { vertLines: { color: cssVar('--grid') }, horzLines: { color: cssVar('--grid') } },
      timeScale: { timeVisible: true, secondsVisible: false },
      crosshair: { mode: 0 },
    });
    this.candles = this.chart.addSeries(CandlestickSeries, {
      upColor: '#16a34a',
      downColor: '#dc2626',
      wickUpColor: '#16a34a',
      wickDownColor: '#dc2626',
      borderVisible: false,
    });
    this.volume = this.chart.addSeries(HistogramSeries, { priceFormat: { type: 'volume' }, priceScaleId: 'volume' });
    this.volume.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    this.candles.priceScale().applyOptions({ scaleMargins: { top: 0.05, bottom: 0.25 } });
    this.markers = createSeriesMarkers(this.candles, []);
    this.chart.subscribeCrosshairMove((p) => this.crosshair(p));
    this.chart.timeScale().subscribeVisibleLogicalRangeChange((r) => {
      if (r && r.from < 20) this.onNeedOlder();
    });
  }

  private crosshair(p: MouseEventParams<Time>): void {
    const t = typeof p.time === 'number' ? p.time : null;
    const bar = t === null ? (this.bars[this.bars.length - 1] ?? null) : (this.bars.find((b) => b.time === t) ?? null);
    const values: { label: string; value: number }[] = [];
    if (t !== null)
      for (const { label, outputs, series } of this.indicatorSeries.values()) {
        series.forEach((s, i) => {
          const d = p.seriesData.get(s) as { value?: number } | undefined;
          if (d?.value !== undefined)
            values.push({ label: series.length > 1 ? `${label} ${outputs[i] ?? i + 1}` : label, value: d.value });
        });
      }
    this.onCrosshair({ bar, signals: bar ? (this.signalsByTime.get(bar.time) ?? []) : [], values });
  }

  private volumeBar(b: Bar) {
    return { time: b.time as UTCTimestamp, value: b.volume, color: b.close >= b.open ? '#16a34a55' : '#dc262655' };
  }

  /**
   * Replaces the bars (corrections, deletions and batches all arrive as a whole series). With keepView
   * the user's place stays: bars put in front of the old first bar shift the view by their number.
   */
  setBars(bars: Bar[], keepView = false): void {
    const range = keepView ? this.chart.timeScale().getVisibleLogicalRange() : null;
    const oldFirst = this.bars[0]?.time;
    const added =
      oldFirst === undefined
        ? 0
        : Math.max(
            0,
            bars.findIndex((b) => b.time >= oldFirst),
          );
    this.bars = bars;
    this.candles.setData(bars.map((b) => ({ ...b, time: b.time as UTCTimestamp }) as CandlestickData<Time>));
    this.volume.setData(bars.map((b) => this.volumeBar(b)));
    if (range && added > 0)
      this.chart.timeScale().setVisibleLogicalRange({ from: range.from + added, to: range.to + added });
    this.crosshair({ time: undefined, seriesData: new Map() } as unknown as MouseEventParams<Time>);
  }

  setSignals(signals: Signal[]): void {
    this.signalsByTime.clear();
    const barTimes = new Set(this.bars.map((b) => b.time));
    // One marker per bar and direction (several strategies may agree); the legend lists them all.
    const byKey = new Map<string, { time: number; buy: boolean; strong: boolean; n: number }>();
    for (const s of signals) {
      const t = Math.floor(Date.parse(s.ts) / 1000);
      if (!barTimes.has(t)) continue;
      const list = this.signalsByTime.get(t) ?? [];
      list.push(s);
      this.signalsByTime.set(t, list);
      const buy = s.signal_type.endsWith('buy');
      if (!buy && !s.signal_type.endsWith('sell')) continue;
      const key = `${t}:${buy}`;
      const m = byKey.get(key) ?? { time: t, buy, strong: false, n: 0 };
      m.strong ||= s.signal_type.startsWith('strong');
      m.n++;
      byKey.set(key, m);
    }
    const markers: SeriesMarker<Time>[] = [...byKey.values()].map((m) => ({
      time: m.time as UTCTimestamp,
      position: m.buy ? 'belowBar' : 'aboveBar',
      shape: m.buy ? 'arrowUp' : 'arrowDown',
      color: m.buy ? (m.strong ? '#15803d' : '#22c55e') : m.strong ? '#b91c1c' : '#ef4444',
      text: m.strong ? 'STRONG' : m.n > 1 ? String(m.n) : '',
      size: m.strong ? 2 : 1,
    }));
    markers.sort((a, b) => (a.time as number) - (b.time as number));
    this.markers.setMarkers(markers);
  }

  markerCount(): number {
    return this.markers.markers().length;
  }

  /** Replaces every indicator: overlays on pane 0, each oscillator in the next pane. */
  setIndicators(list: { ind: ActiveIndicator; data: SeriesData }[]): void {
    // Replacing series must not move what the user looks at.
    const view = this.chart.timeScale().getVisibleLogicalRange();
    for (const { series } of this.indicatorSeries.values()) for (const s of series) this.chart.removeSeries(s);
    this.indicatorSeries.clear();
    let pane = 1;
    for (const { ind, data } of list) {
      const spec = specOf(ind.type);
      const paneIndex = spec.overlay ? 0 : pane++;
      const label = `${spec.label}${Object.keys(ind.params).length ? ` (${Object.values(ind.params).join(', ')})` : ''}`;
      const series = data.values.map((vals, i) => {
        const color = spec.colors[i] ?? '#888';
        const opts = { color, lastValueVisible: false, priceLineVisible: false, title: i === 0 ? spec.label : '' };
        const s =
          spec.histogram === i
            ? this.chart.addSeries(HistogramSeries, opts, paneIndex)
            : this.chart.addSeries(LineSeries, { ...opts, lineWidth: 1 }, paneIndex);
        const points = [];
        for (let k = 0; k < data.ts.length; k++) {
          const v = vals[k];
          points.push(
            v === null ? { time: data.ts[k] as UTCTimestamp } : { time: data.ts[k] as UTCTimestamp, value: v },
          );
        }
        s.setData(points);
        return s;
      });
      this.indicatorSeries.set(ind.id, { label, outputs: data.outputs ?? [], series });
    }
    if (view) this.chart.timeScale().setVisibleLogicalRange(view);
  }

  paneCount(): number {
    return this.chart.panes().length;
  }

  fitRecent(n = 150): void {
    const len = this.bars.length;
    this.chart.timeScale().setVisibleLogicalRange({ from: Math.max(0, len - n), to: len + 3 });
  }

  remove(): void {
    this.chart.remove();
  }
}
