/** Where the rules are previewed: a symbol, an interval and how many bars. */
import { INTERVALS } from '../chart/catalog.ts';
import { Field } from '../ui.tsx';
import type { Where } from './use-live-check.ts';

export function PreviewWhere({
  at,
  symbols,
  onChange,
}: {
  at: Where;
  symbols: string[];
  onChange: (w: Where) => void;
}) {
  return (
    <fieldset class="params">
      <legend>Preview on</legend>
      <Field label="Symbol">
        <select value={at.symbol} onChange={(e) => onChange({ ...at, symbol: e.currentTarget.value })}>
          {symbols.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </Field>
      <Field label="Interval">
        <select value={at.interval} onChange={(e) => onChange({ ...at, interval: e.currentTarget.value })}>
          {INTERVALS.map((i) => (
            <option key={i}>{i}</option>
          ))}
        </select>
      </Field>
      <Field label="Bars">
        <input
          type="number"
          min={2}
          max={5000}
          value={at.bars}
          onChange={(e) => onChange({ ...at, bars: Number(e.currentTarget.value) })}
        />
      </Field>
    </fieldset>
  );
}
