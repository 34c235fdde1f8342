/**
 * The chart itself (lightweight-charts 5): the price series (candles, bars, line, area or Heikin Ashi)
 * and volume on the first pane, overlays on it, oscillators in panes of their own, signals as markers.
 * The page feeds it data; it reports the crosshair, the visible window and when the user scrolls near
 * the oldest bar.
 */
import {
  createChart,
  createSeriesMarkers,
  HistogramSeries,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type LogicalRange,
  LineSeries,
  type LineWidth,
  PriceScaleMode,
  type SeriesMarker,
  type SeriesType,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import { type ActiveIndicator, specOf } from './catalog.ts';
import { DrawingEditor } from './drawing-editor.ts';
import { type Drawing, type DrawingPoint, DrawingsPrimitive } from './drawings-primitive.ts';
import { addMainSeries, mainData } from './main-series.ts';
import { signalMarkers } from './signal-markers.ts';
import type { Bar, Crosshair, SeriesData, Signal, Visible } from './types.ts';
import type { ChartType, ScaleKey } from './url-state.ts';

export type { Bar, Crosshair, SeriesData, Signal, Visible } from './types.ts';

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

const SCALE_MODE: Record<ScaleKey, PriceScaleMode> = {
  normal: PriceScaleMode.Normal,
  log: PriceScaleMode.Logarithmic,
  pct: PriceScaleMode.Percentage,
};

/** First index whose bar starts at or after `t` (bars.length when none). */
function indexAt(bars: Bar[], t: number): number {
  let lo = 0;
  let hi = bars.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bars[mid].time < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class ChartView {
  readonly chart: IChartApi;
  private main: ISeriesApi<SeriesType>;
  private type: ChartType = 'candles';
  private volume: ISeriesApi<'Histogram'>;
  private markers: ISeriesMarkersPluginApi<Time>;
  private markerList: SeriesMarker<Time>[] = [];
  private indicatorSeries = new Map<number, { label: string; outputs: string[]; series: ISeriesApi<SeriesType>[] }>();
  /** Per indicator output: its value at each bar time (what the legend shows under the crosshair). */
  private indicatorValues: { label: string; at: Map<number, number> }[] = [];
  /** Each indicator line's `type.output:colour:width` as drawn (tests read it). */
  styles: string[] = [];
  private bars: Bar[] = [];
  private signalsByTime = new Map<number, Signal[]>();
  /** The bar the keyboard crosshair is on (arrows move it), null when the mouse leads. */
  private keyIndex: number | null = null;
  /**
   * The range last asked for until the chart has applied it (it does so on its next frame): replacing
   * series in the meantime must restore this one, not the stale range the chart still reports.
   */
  private pending: LogicalRange | null = null;
  private drawings: DrawingsPrimitive;
  private drawingList: Drawing[] = [];
  /** Set by the page while a drawing tool is active: a click on the chart is a point of the drawing. */
  onPoint: ((p: DrawingPoint) => void) | null = null;
  /** Set by the page: a drawing was selected on the chart (null: none), or moved there (save it). */
  onSelectDrawing: (id: string | null) => void = () => {};
  onMoveDrawing: (d: Drawing) => void = () => {};

  constructor(
    el: HTMLElement,
    private onCrosshair: (c: Crosshair) => void,
    private onNeedOlder: () => void,
    private onVisible: (v: Visible) => void,
  ) {
    this.chart = createChart(el, {
      autoSize: true,
      layout: {
        background: { color: cssVar('--bg') || '#fff' },
        textColor: cssVar('--fg') || '#111',
        attributionLogo: true,
      },
      grid: { vertLines: { color: cssVar('--grid') }, horzLines: { color: cssVar('--grid') } },
      // Room right of the newest bar, so its marker is not cut at the edge.
      timeScale: { timeVisible: true, secondsVisible: false, rightOffset: 4 },
      crosshair: { mode: 0 },
    });
    this.main = addMainSeries(this.chart, this.type);
    this.volume = this.chart.addSeries(HistogramSeries, { priceFormat: { type: 'volume' }, priceScaleId: 'volume' });
    this.volume.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    this.main.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.25 } });
    this.markers = createSeriesMarkers(this.main, []);
    this.drawings = new DrawingsPrimitive(cssVar('--accent') || '#2563eb', cssVar('--bg') || '#fff', (p) =>
      this.main.priceFormatter().format(p),
    );
    this.main.attachPrimitive(this.drawings);
    const editor = new DrawingEditor(el, this.drawings, {
      pointAt: (x, y) => this.pointAt(x, y),
      placing: () => this.onPoint !== null,
      list: () => this.drawingList,
      preview: (list) => this.drawings.set(list, this.bars),
      select: (id) => this.onSelectDrawing(id),
      moved: (d) => this.onMoveDrawing(d),
      place: (x, y) => {
        const point = this.pointAt(x, y);
        if (point && this.onPoint) this.onPoint(point);
      },
    });
    // The DOM's clicks, not the chart's: the chart swallows a second click within half a second
    // (a double click), and a trend line's two points often come that fast.
    el.addEventListener('click', (e) => {
      if (!this.onPoint || editor.tappedRecently()) return;
      const box = el.getBoundingClientRect();
      const point = this.pointAt(e.clientX - box.left, e.clientY - box.top);
      if (point) this.onPoint(point);
    });
    this.chart.subscribeCrosshairMove((p) => {
      this.keyIndex = null;
      this.crosshairAt(typeof p.time === 'number' ? p.time : null);
    });
    this.chart.timeScale().subscribeVisibleLogicalRangeChange((r) => {
      if (r && r.from < 20) this.onNeedOlder();
      const first = r ? this.bars[Math.max(0, Math.ceil(r.from))]?.time : undefined;
      this.onVisible({ first: first ?? null, atStart: r !== null && r.from <= 0 });
    });
  }

  private range(): LogicalRange | null {
    return this.pending ?? this.chart.timeScale().getVisibleLogicalRange();
  }

  private setRange(r: { from: number; to: number }): void {
    const mine = r as LogicalRange;
    this.pending = mine;
    this.chart.timeScale().setVisibleLogicalRange(r);
    // Applied on the chart's next frame; after two frames the chart reports it itself.
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        if (this.pending === mine) this.pending = null;
      }),
    );
  }

  /** The time and price at a point of the price pane (a time past either end is extrapolated by bars). */
  private pointAt(x: number, y: number): DrawingPoint | null {
    const n = this.bars.length;
    if (!n || y > this.chart.paneSize(0).height || x > this.chart.timeScale().width()) return null;
    const logical = this.chart.timeScale().coordinateToLogical(x);
    const price = this.main.coordinateToPrice(y);
    if (logical === null || price === null) return null;
    const step = n > 1 ? this.bars[n - 1].time - this.bars[n - 2].time : 60;
    const i = Math.round(logical);
    const t =
      i < 0 ? this.bars[0].time + i * step : i >= n ? this.bars[n - 1].time + (i - n + 1) * step : this.bars[i].time;
    return { t, price: Number(price.toPrecision(8)) };
  }

  setDrawings(list: Drawing[]): void {
    this.drawingList = list;
    this.drawings.set(list, this.bars);
  }

  selectDrawing(id: string | null): void {
    this.drawings.select(id);
  }

  drawingCount(): number {
    return this.drawings.count();
  }

  private crosshairAt(t: number | null): void {
    const bar = t === null ? (this.bars[this.bars.length - 1] ?? null) : (this.bars[indexAt(this.bars, t)] ?? null);
    const values: Crosshair['values'] = [];
    if (t !== null && bar)
      for (const { label, at } of this.indicatorValues) {
        const v = at.get(bar.time);
        if (v !== undefined) values.push({ label, value: v });
      }
    this.onCrosshair({ bar, signals: bar && t !== null ? (this.signalsByTime.get(bar.time) ?? []) : [], values });
  }

  private volumeBar(b: Bar) {
    return { time: b.time as UTCTimestamp, value: b.volume, color: b.close >= b.open ? '#16a34a55' : '#dc262655' };
  }

  /**
   * Replaces the bars (corrections, deletions and batches all arrive as a whole series). With keepView
   * the user's place stays: bars put in front of the old first bar shift the view by their number.
   */
  setBars(bars: Bar[], keepView = false): void {
    const range = keepView ? this.range() : null;
    const oldFirst = this.bars[0]?.time;
    const added = oldFirst === undefined ? 0 : Math.max(0, indexAt(bars, oldFirst));
    this.bars = bars;
    this.main.setData(mainData(this.type, bars));
    this.drawings.set(this.drawingList, bars);
    this.volume.setData(bars.map((b) => this.volumeBar(b)));
    if (range && added > 0) this.setRange({ from: range.from + added, to: range.to + added });
    this.crosshairAt(null);
  }

  /** Another chart type: a new price series in place of the old one, with the same data and markers. */
  setType(type: ChartType): void {
    if (type === this.type) return;
    const view = this.range();
    const mode = this.main.priceScale().options().mode;
    this.markers.detach();
    this.main.detachPrimitive(this.drawings);
    this.chart.removeSeries(this.main);
    this.type = type;
    this.main = addMainSeries(this.chart, type);
    this.main.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.25 }, mode });
    this.main.setData(mainData(type, this.bars));
    this.markers = createSeriesMarkers(this.main, this.markerList);
    this.main.attachPrimitive(this.drawings);
    if (view) this.setRange(view);
  }

  setScale(scale: ScaleKey): void {
    this.main.priceScale().applyOptions({ mode: SCALE_MODE[scale] });
  }

  scaleMode(): number {
    return this.main.priceScale().options().mode;
  }

  seriesType(): string {
    return this.main.seriesType();
  }

  setSignals(signals: Signal[]): void {
    const { byTime, markers } = signalMarkers(signals, this.bars);
    this.signalsByTime = byTime;
    this.markerList = markers;
    this.markers.setMarkers(markers);
  }

  markerCount(): number {
    return this.markers.markers().length;
  }

  markerTexts(): number {
    return this.markers.markers().filter((m) => m.text).length;
  }

  /** Replaces every indicator: overlays on pane 0, each oscillator in the next pane. */
  setIndicators(list: { ind: ActiveIndicator; data: SeriesData }[]): void {
    // Replacing series must not move what the user looks at.
    const view = this.range();
    for (const { series } of this.indicatorSeries.values()) for (const s of series) this.chart.removeSeries(s);
    this.indicatorSeries.clear();
    this.indicatorValues = [];
    this.styles = [];
    let pane = 1;
    for (const { ind, data } of list) {
      const spec = specOf(ind.type);
      const paneIndex = spec.overlay ? 0 : pane++;
      const label = `${spec.label}${Object.keys(ind.params).length ? ` (${Object.values(ind.params).join(', ')})` : ''}`;
      const series = data.values.map((vals, i) => {
        const color = ind.colors?.[i] ?? spec.colors[i] ?? '#64748b';
        const opts = { color, lastValueVisible: false, priceLineVisible: false, title: i === 0 ? spec.label : '' };
        const lineWidth = (ind.width ?? 1) as LineWidth;
        const s: ISeriesApi<SeriesType> =
          spec.histogram === i
            ? this.chart.addSeries(HistogramSeries, opts, paneIndex)
            : this.chart.addSeries(LineSeries, { ...opts, lineWidth }, paneIndex);
        this.styles.push(`${spec.type}.${i}:${color}:${spec.histogram === i ? 0 : lineWidth}`);
        const at = new Map<number, number>();
        const points = [];
        for (let k = 0; k < data.ts.length; k++) {
          const v = vals[k];
          if (v === null) points.push({ time: data.ts[k] as UTCTimestamp });
          else {
            points.push({ time: data.ts[k] as UTCTimestamp, value: v });
            at.set(data.ts[k], v);
          }
        }
        s.setData(points);
        this.indicatorValues.push({
          label: data.values.length > 1 ? `${label} ${data.outputs[i] ?? i + 1}` : label,
          at,
        });
        return s;
      });
      this.indicatorSeries.set(ind.id, { label, outputs: data.outputs ?? [], series });
    }
    if (view) this.setRange(view);
  }

  paneCount(): number {
    return this.chart.panes().length;
  }

  fitRecent(n = 150): void {
    const len = this.bars.length;
    this.setRange({ from: Math.max(0, len - n) - 0.5, to: len + 4 });
  }

  /** Shows from the first bar at or after `t` to the newest (a range preset). */
  showFrom(t: number): void {
    const len = this.bars.length;
    if (!len) return;
    const from = Math.min(indexAt(this.bars, t), len - 1);
    this.setRange({ from: from - 0.5, to: len + 4 });
  }

  /** Puts the bar at or after `t` in the middle, keeping the zoom (go to date); returns its time. */
  centerOn(t: number): number | null {
    const len = this.bars.length;
    if (!len) return null;
    const i = Math.min(indexAt(this.bars, t), len - 1);
    const r = this.range();
    const half = r ? (r.to - r.from) / 2 : 75;
    this.setRange({ from: i - half, to: i + half });
    this.keyIndex = i;
    this.showKeyCrosshair();
    return this.bars[i].time;
  }

  /** Arrow keys: the crosshair moves one bar (from the newest visible bar when it was not shown). */
  moveCrosshair(delta: number): void {
    if (!this.bars.length) return;
    if (this.keyIndex === null) {
      const r = this.range();
      this.keyIndex = Math.min(this.bars.length - 1, r ? Math.floor(r.to) : this.bars.length - 1);
      if (delta > 0) delta = 0;
    }
    this.keyIndex = Math.max(0, Math.min(this.bars.length - 1, this.keyIndex + delta));
    const r = this.range();
    if (r && (this.keyIndex < r.from || this.keyIndex > r.to))
      this.chart.timeScale().scrollToPosition(this.keyIndex - this.bars.length + (r.to - r.from) / 2, false);
    this.showKeyCrosshair();
  }

  private showKeyCrosshair(): void {
    if (this.keyIndex === null) return;
    const b = this.bars[this.keyIndex];
    this.chart.setCrosshairPosition(b.close, b.time as UTCTimestamp, this.main);
    this.crosshairAt(b.time);
  }

  /** Enter on the focused chart: the keyboard crosshair's bar and close are a drawing's point. */
  placeAtCrosshair(): boolean {
    if (this.keyIndex === null || !this.onPoint) return false;
    const b = this.bars[this.keyIndex];
    this.onPoint({ t: b.time, price: b.close });
    return true;
  }

  /**
   * Another chart's crosshair time (a layout's sync): the crosshair goes to this chart's bar holding `t`
   * (the last bar at or before it), or away when `t` is outside the bars; returns the bar's time or null.
   */
  crosshairTo(t: number | null): number | null {
    const n = this.bars.length;
    const i = t === null ? -1 : indexAt(this.bars, t + 1) - 1;
    const step = n > 1 ? this.bars[n - 1].time - this.bars[n - 2].time : 0;
    if (t === null || i < 0 || (i === n - 1 && t >= this.bars[i].time + step)) {
      this.keyIndex = null;
      this.chart.clearCrosshairPosition();
      this.crosshairAt(null);
      return null;
    }
    const b = this.bars[i];
    this.chart.setCrosshairPosition(b.close, b.time as UTCTimestamp, this.main);
    this.crosshairAt(b.time);
    return b.time;
  }

  /** The bar the keyboard crosshair is on (arrow keys), or null. */
  keyCrosshairTime(): number | null {
    return this.keyIndex === null ? null : (this.bars[this.keyIndex]?.time ?? null);
  }

  clearCrosshair(): void {
    this.keyIndex = null;
    this.chart.clearCrosshairPosition();
    this.crosshairAt(null);
  }

  remove(): void {
    this.chart.remove();
  }
}
