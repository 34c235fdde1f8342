/**
 * The chart's indicator list: add one of the catalog, change its parameters, remove it. Parameters are
 * checked here with the API's rules, the reason shown next to the field; a refused value is never sent,
 * so the other indicators keep their values and keep updating.
 */
import { useEffect, useState } from 'preact/hooks';
import { type ActiveIndicator, INDICATORS, paramProblem, paramsProblem, specOf } from './catalog.ts';
import { IndicatorStyle } from './IndicatorStyle.tsx';
import { formatIndicators } from './url-state.ts';

/** Per indicator id: the API's refusal, or that it has no value over the loaded bars. */
export interface IndicatorNotes {
  errors: Map<number, string>;
  empty: Set<number>;
  bars: number;
}

function ParamField({
  ind,
  k,
  value,
  onCommit,
}: {
  ind: ActiveIndicator;
  k: string;
  value: number;
  onCommit: (n: number) => void;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  useEffect(() => setDraft(null), [value]);
  const text = draft ?? String(value);
  const problem = draft === null ? null : paramProblem(ind.type, k, draft);
  const id = `param-${ind.id}-${k}`;
  const label = `${specOf(ind.type).label} ${k}`;
  return (
    <span class="param">
      <label for={id}>{k}</label>
      <input
        id={id}
        type="text"
        inputMode={k === 'stddev' ? 'decimal' : 'numeric'}
        aria-label={label}
        value={text}
        aria-invalid={problem ? 'true' : undefined}
        aria-describedby={problem ? `${id}-problem` : undefined}
        onInput={(e) => setDraft(e.currentTarget.value)}
        onChange={(e) => {
          const raw = e.currentTarget.value;
          if (paramProblem(ind.type, k, raw) === null && Number(raw) !== value) onCommit(Number(raw));
        }}
      />
      {problem && (
        <span class="field-problem" id={`${id}-problem`} data-testid="param-problem">
          {problem}
        </span>
      )}
    </span>
  );
}

export function IndicatorPicker({
  list,
  notes,
  onChange,
}: {
  list: ActiveIndicator[];
  notes: IndicatorNotes;
  onChange: (l: ActiveIndicator[]) => void;
}) {
  const [type, setType] = useState('rsi');
  const [pairProblem, setPairProblem] = useState<{ id: number; text: string } | null>(null);
  useEffect(() => setPairProblem(null), [formatIndicators(list)]);
  const add = () => {
    const id = Math.max(0, ...list.map((i) => i.id)) + 1;
    onChange([...list, { id, type, params: { ...specOf(type).params } }]);
  };
  const setParam = (ind: ActiveIndicator, k: string, n: number) => {
    const params = { ...ind.params, [k]: n };
    const problem = paramsProblem(ind.type, params);
    if (problem) return setPairProblem({ id: ind.id, text: problem });
    onChange(list.map((i) => (i.id === ind.id ? { ...i, params } : i)));
  };
  return (
    <section>
      <h2>Indicators</h2>
      <ul class="indicators">
        {list.map((ind) => {
          const error = notes.errors.get(ind.id);
          return (
            <li key={`${ind.id}-${ind.type}`} data-testid="indicator">
              <span>{specOf(ind.type).label}</span>
              {Object.entries(ind.params).map(([k, v]) => (
                <ParamField key={k} ind={ind} k={k} value={v} onCommit={(n) => setParam(ind, k, n)} />
              ))}
              <IndicatorStyle ind={ind} onChange={(next) => onChange(list.map((i) => (i.id === ind.id ? next : i)))} />
              <button
                type="button"
                class="link"
                aria-label={`Remove ${specOf(ind.type).label}`}
                onClick={() => onChange(list.filter((i) => i.id !== ind.id))}
              >
                Remove
              </button>
              {pairProblem?.id === ind.id && <p class="field-problem">{pairProblem.text}</p>}
              {error && <p class="field-problem">The server refused it: {error}</p>}
              {!error && notes.empty.has(ind.id) && (
                <p class="note" data-testid="indicator-empty">
                  No value yet: with these parameters it needs more than the {notes.bars.toLocaleString('en-US')} bars
                  loaded.
                </p>
              )}
            </li>
          );
        })}
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
