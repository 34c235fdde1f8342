/**
 * The price series in the chart type chosen: candles, bars, line, area or Heikin Ashi candles (each bar's
 * open is the midpoint of the previous Heikin Ashi bar, its close the mean of the bar's four prices).
 */
import {
  AreaSeries,
  BarSeries,
  CandlestickSeries,
  type IChartApi,
  type ISeriesApi,
  LineSeries,
  type SeriesType,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { ChartType } from './url-state.ts';
import type { Bar } from './view.ts';

const UP = '#16a34a';
const DOWN = '#dc2626';

export function heikinAshi(bars: Bar[]): Bar[] {
  const out: Bar[] = [];
  for (const b of bars) {
    const prev = out[out.length - 1];
    const close = (b.open + b.high + b.low + b.close) / 4;
    const open = prev ? (prev.open + prev.close) / 2 : (b.open + b.close) / 2;
    out.push({
      time: b.time,
      open,
      close,
      high: Math.max(b.high, open, close),
      low: Math.min(b.low, open, close),
      volume: b.volume,
    });
  }
  return out;
}

export function addMainSeries(chart: IChartApi, type: ChartType): ISeriesApi<SeriesType> {
  switch (type) {
    case 'line':
      return chart.addSeries(LineSeries, { color: cssAccent(), lineWidth: 2 });
    case 'area':
      return chart.addSeries(AreaSeries, {
        lineColor: cssAccent(),
        topColor: `${cssAccent()}66`,
        bottomColor: `${cssAccent()}08`,
        lineWidth: 2,
      });
    case 'bars':
      return chart.addSeries(BarSeries, { upColor: UP, downColor: DOWN });
    default:
      return chart.addSeries(CandlestickSeries, {
        upColor: UP,
        downColor: DOWN,
        wickUpColor: UP,
        wickDownColor: DOWN,
        borderVisible: false,
      });
  }
}

/** The series' data for the chart type: OHLC rows, or closes for line and area. */
export function mainData(type: ChartType, bars: Bar[]) {
  if (type === 'line' || type === 'area') return bars.map((b) => ({ time: b.time as UTCTimestamp, value: b.close }));
  const src = type === 'ha' ? heikinAshi(bars) : bars;
  return src.map((b) => ({ time: b.time as UTCTimestamp, open: b.open, high: b.high, low: b.low, close: b.close }));
}

function cssAccent(): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue('--accent').trim();
  return /^#[0-9a-f]{6}$/i.test(v) ? v : '#2563eb';
}
