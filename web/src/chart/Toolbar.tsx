/** The chart's controls: interval, range preset, go to date, chart type and price scale. */
import { useState } from 'preact/hooks';
import { INTERVALS } from './catalog.ts';
import {
  CHART_TYPES,
  type ChartState,
  type ChartType,
  RANGE_LABELS,
  RANGES,
  type RangeKey,
  SCALES,
  type ScaleKey,
} from './url-state.ts';

const TYPE_LABELS: Record<ChartType, string> = {
  candles: 'Candles',
  line: 'Line',
  area: 'Area',
  bars: 'Bars',
  ha: 'Heikin Ashi',
};
const SCALE_LABELS: Record<ScaleKey, string> = { normal: 'Price', log: 'Logarithmic', pct: 'Percent' };

export function IntervalButtons({ interval, onPick }: { interval: string; onPick: (i: string) => void }) {
  return (
    <fieldset class="intervals">
      <legend class="sr-only">Interval</legend>
      {INTERVALS.map((i, n) => (
        <button
          key={i}
          type="button"
          aria-pressed={i === interval}
          aria-keyshortcuts={String(n + 1)}
          title={`Interval ${i} (key ${n + 1})`}
          onClick={() => onPick(i)}
        >
          {i}
        </button>
      ))}
    </fieldset>
  );
}

export function ViewControls({
  state,
  onChange,
  onRange,
  onGoTo,
}: {
  state: ChartState;
  onChange: (s: Partial<ChartState>) => void;
  onRange: (r: RangeKey) => void;
  onGoTo: (t: number) => void;
}) {
  const [date, setDate] = useState('');
  return (
    <div class="view-controls">
      <fieldset class="ranges">
        <legend class="sr-only">Range</legend>
        {RANGES.map((r) => (
          <button
            key={r}
            type="button"
            aria-pressed={r === state.range}
            aria-label={`${RANGE_LABELS[r][0]} (${RANGE_LABELS[r][1]})`}
            onClick={() => onRange(r)}
          >
            {RANGE_LABELS[r][0]}
          </button>
        ))}
      </fieldset>
      <form
        class="goto"
        onSubmit={(e) => {
          e.preventDefault();
          const t = Date.parse(`${date}T00:00:00Z`);
          if (Number.isFinite(t)) onGoTo(t / 1000);
        }}
      >
        <input type="date" aria-label="Go to date" value={date} onInput={(e) => setDate(e.currentTarget.value)} />
        <button type="submit" disabled={!date}>
          Go
        </button>
      </form>
      <select
        aria-label="Chart type"
        value={state.type}
        onChange={(e) => onChange({ type: e.currentTarget.value as ChartType })}
      >
        {CHART_TYPES.map((t) => (
          <option key={t} value={t}>
            {TYPE_LABELS[t]}
          </option>
        ))}
      </select>
      <select
        aria-label="Price scale"
        // While comparing, the scale is in percent (removing the last compared symbol brings this one back).
        value={state.compare.length ? 'pct' : state.scale}
        disabled={state.compare.length > 0}
        title={state.compare.length ? 'Percent while comparing' : undefined}
        onChange={(e) => onChange({ scale: e.currentTarget.value as ScaleKey })}
      >
        {SCALES.map((s) => (
          <option key={s} value={s}>
            {SCALE_LABELS[s]}
          </option>
        ))}
      </select>
    </div>
  );
}
