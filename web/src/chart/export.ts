/**
 * Export what the chart shows: a PNG of the chart (lightweight-charts' takeScreenshot: every pane, the
 * scales, drawings and compared lines) and a CSV of the visible bars with the indicator values and the
 * compared closes at each of them.
 */
import type { IChartApi } from 'lightweight-charts';
import { specOf } from './catalog.ts';
import { heikinAshi } from './main-series.ts';
import type { Bar } from './types.ts';
import type { CompareLine } from './use-compare.ts';
import type { IndicatorData } from './use-indicators.ts';

function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function exportPng(chart: IChartApi, name: string): Promise<void> {
  return new Promise((resolve, reject) =>
    chart.takeScreenshot(true).toBlob((blob) => {
      if (!blob) return reject(new Error('the browser could not encode the image'));
      download(name, blob);
      resolve();
    }, 'image/png'),
  );
}

/** The bars whose middle is in the visible window (the legend's "first visible bar" is the first). */
export function visibleBars(chart: IChartApi, bars: Bar[]): Bar[] {
  const r = chart.timeScale().getVisibleLogicalRange();
  if (!r) return bars;
  return bars.slice(Math.max(0, Math.ceil(r.from)), Math.max(0, Math.floor(r.to) + 1));
}

const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const num = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));

/** The CSV: time (ISO, UTC), OHLCV, then a column per indicator output and per compared symbol. */
export function barsCsv(p: {
  bars: Bar[];
  heikinAshi: boolean;
  indicators: IndicatorData | null;
  compare: CompareLine[];
}): string {
  const shown = p.heikinAshi ? heikinAshi(p.bars) : p.bars;
  const head = ['time', 'open', 'high', 'low', 'close', 'volume'];
  const columns: Map<number, number | null>[] = [];
  for (const { ind, data } of p.indicators ?? []) {
    const spec = specOf(ind.type);
    const label = `${spec.label}${Object.keys(ind.params).length ? ` (${Object.values(ind.params).join(', ')})` : ''}`;
    data.values.forEach((vals, i) => {
      head.push(data.values.length > 1 ? `${label} ${data.outputs[i] ?? i + 1}` : label);
      columns.push(new Map(data.ts.map((t, k) => [t, vals[k]])));
    });
  }
  for (const l of p.compare) {
    head.push(`${l.symbol} close`);
    columns.push(new Map((l.bars ?? []).map((b) => [b.time, b.close])));
  }
  const lines = [head.map(cell).join(',')];
  for (const b of shown)
    lines.push(
      [
        new Date(b.time * 1000).toISOString(),
        num(b.open),
        num(b.high),
        num(b.low),
        num(b.close),
        num(b.volume),
        ...columns.map((c) => num(c.get(b.time))),
      ].join(','),
    );
  return `${lines.join('\n')}\n`;
}

export function exportCsv(name: string, csv: string): void {
  download(name, new Blob([csv], { type: 'text/csv' }));
}
