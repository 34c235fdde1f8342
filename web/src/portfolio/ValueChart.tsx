/**
 * Value over time against a benchmark (lightweight-charts, in the main bundle for the chart page): the portfolio's
 * time-weighted index and the benchmark's index, both as % change from the first day, so they compare.
 */
import { createChart, LineSeries } from 'lightweight-charts';
import { useEffect, useRef } from 'preact/hooks';
import type { Performance } from './types.ts';

const toTime = (day: string) => Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000);

export function ValueChart({ perf }: { perf: Performance }) {
  const el = useRef<HTMLDivElement>(null);
  const drawn = useRef(0);
  useEffect(() => {
    if (!el.current) return;
    const css = getComputedStyle(document.documentElement);
    const chart = createChart(el.current, {
      autoSize: true,
      layout: {
        background: { color: css.getPropertyValue('--bg').trim() || '#fff' },
        textColor: css.getPropertyValue('--fg').trim() || '#111',
      },
      grid: { vertLines: { visible: false }, horzLines: { color: css.getPropertyValue('--grid').trim() } },
      localization: { priceFormatter: (v: number) => `${v.toFixed(1)} %` },
    });
    const mine = chart.addSeries(LineSeries, { color: '#2563eb', lineWidth: 2, title: 'portfolio' });
    mine.setData(perf.days.map((d) => ({ time: toTime(d.day) as never, value: (d.twr_index - 1) * 100 })));
    const bench = perf.days.filter((d) => d.benchmark_index !== null);
    if (bench.length) {
      const b = chart.addSeries(LineSeries, { color: '#f59e0b', lineWidth: 1, title: perf.benchmark?.symbol ?? '' });
      b.setData(bench.map((d) => ({ time: toTime(d.day) as never, value: ((d.benchmark_index ?? 1) - 1) * 100 })));
    }
    chart.timeScale().fitContent();
    drawn.current = perf.days.length;
    el.current.dataset.points = String(perf.days.length);
    el.current.dataset.benchmarkPoints = String(bench.length);
    return () => chart.remove();
  }, [perf]);
  return <div class="value-chart" ref={el} data-testid="value-chart" role="img" aria-label="Value over time" />;
}
