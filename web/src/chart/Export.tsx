/** Download buttons: the chart as a PNG, the visible bars (with indicators and compared closes) as a CSV. */
import { useState } from 'preact/hooks';
import { barsCsv, exportCsv, exportPng, visibleBars } from './export.ts';
import type { Bar } from './types.ts';
import type { CompareLine } from './use-compare.ts';
import type { IndicatorData } from './use-indicators.ts';
import type { ChartType } from './url-state.ts';
import type { ChartView } from './view.ts';

export function ExportButtons(p: {
  view: ChartView | null;
  symbol: string;
  interval: string;
  type: ChartType;
  bars: Bar[];
  indicators: IndicatorData | null;
  compare: CompareLine[];
}) {
  const [error, setError] = useState<string | null>(null);
  const name = `${p.symbol}-${p.interval}`;
  const off = !p.view || p.bars.length === 0;
  return (
    <div class="export">
      <button
        type="button"
        disabled={off}
        onClick={() => {
          if (p.view)
            exportPng(p.view.chart, `${name}.png`).then(
              () => setError(null),
              (e: Error) => setError(e.message),
            );
        }}
      >
        Download PNG
      </button>
      <button
        type="button"
        disabled={off}
        onClick={() => {
          if (!p.view) return;
          const csv = barsCsv({
            bars: visibleBars(p.view.chart, p.bars),
            heikinAshi: p.type === 'ha',
            indicators: p.indicators,
            compare: p.compare,
          });
          exportCsv(`${name}.csv`, csv);
        }}
      >
        Download CSV
      </button>
      {error && <span class="field-problem">{error}</span>}
    </div>
  );
}
