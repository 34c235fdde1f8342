/** The chart's indicator list: add one of the catalog, change its parameters, remove it. */
import { useState } from 'preact/hooks';
import { type ActiveIndicator, INDICATORS, specOf } from './catalog.ts';

export function IndicatorPicker({
  list,
  onChange,
}: {
  list: ActiveIndicator[];
  onChange: (l: ActiveIndicator[]) => void;
}) {
  const [type, setType] = useState('rsi');
  const add = () => {
    const id = Math.max(0, ...list.map((i) => i.id)) + 1;
    onChange([...list, { id, type, params: { ...specOf(type).params } }]);
  };
  const setParam = (ind: ActiveIndicator, k: string, raw: string) => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) return;
    onChange(list.map((i) => (i.id === ind.id ? { ...i, params: { ...i.params, [k]: n } } : i)));
  };
  return (
    <section>
      <h2>Indicators</h2>
      <ul class="indicators">
        {list.map((ind) => (
          <li key={ind.id}>
            <span>{specOf(ind.type).label}</span>
            {Object.entries(ind.params).map(([k, v]) => (
              <label key={k} class="param">
                {k}
                <input
                  type="number"
                  value={v}
                  min={k === 'stddev' ? 0.1 : 1}
                  step={k === 'stddev' ? 0.1 : 1}
                  onChange={(e) => setParam(ind, k, e.currentTarget.value)}
                />
              </label>
            ))}
            <button
              type="button"
              class="link"
              aria-label={`Remove ${specOf(ind.type).label}`}
              onClick={() => onChange(list.filter((i) => i.id !== ind.id))}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <div class="row">
        <select aria-label="Indicator to add" value={type} onChange={(e) => setType(e.currentTarget.value)}>
          {INDICATORS.map((i) => (
            <option key={i.type} value={i.type}>
              {i.label}
            </option>
          ))}
        </select>
        <button type="button" onClick={add}>
          Add indicator
        </button>
      </div>
    </section>
  );
}
