/**
 * Drawing tools beside the chart: pick a tool, click the chart (once for a horizontal line or a note,
 * twice for a trend line, a ray, a rectangle or a Fibonacci retracement); the list below names each
 * drawing, selects it (then arrow keys or buttons nudge it), deletes it, and turns a horizontal line into
 * a price alert in one step.
 */
import { useState } from 'preact/hooks';
import { price } from '../format.ts';
import { DrawingKeys, DrawingNudge } from './DrawingEdit.tsx';
import { type Drawing, type DrawingPoint, FIB_LEVELS, fibPrice } from './drawings-primitive.ts';
import './chart-tools.css';
import { setPriceAlert } from './price-alert.ts';
import type { Drawings } from './use-drawings.ts';

export type Tool = 'hline' | 'trend' | 'ray' | 'rect' | 'fib' | 'text';
const TOOLS: [Tool, string][] = [
  ['hline', 'Horizontal line'],
  ['trend', 'Trend line'],
  ['ray', 'Ray'],
  ['rect', 'Rectangle'],
  ['fib', 'Fibonacci retracement'],
  ['text', 'Text note'],
];
const TWO_POINTS = new Set<Tool>(['trend', 'ray', 'rect', 'fib']);
const NAMES = { trend: 'Trend line', ray: 'Ray', rect: 'Rectangle', fib: 'Fibonacci retracement' };

/** A tool in use and the points clicked so far. */
export interface Placing {
  tool: Tool;
  points: DrawingPoint[];
  text: string;
}

const newId = () => `d${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

/** Adds a clicked point; returns the finished drawing once it has all its points. */
export function place(p: Placing, point: DrawingPoint): { placing: Placing | null; done: Drawing | null } {
  const points = [...p.points, point];
  const id = newId();
  if (p.tool === 'hline') return { placing: null, done: { id, kind: 'hline', price: point.price } };
  if (p.tool === 'text') return { placing: null, done: { id, kind: 'text', at: point, text: p.text.trim() } };
  if (points.length < 2) return { placing: { ...p, points }, done: null };
  return { placing: null, done: { id, kind: p.tool, a: points[0], b: points[1] } };
}

export function describe(d: Drawing): string {
  if (d.kind === 'hline') return `Horizontal line at ${price(d.price)}`;
  if (d.kind === 'text') return `Note “${d.text}” at ${price(d.at.price)}`;
  return `${NAMES[d.kind]} ${price(d.a.price)} → ${price(d.b.price)}`;
}

/** A retracement's levels in words: `61.8 % 104.72` each. */
function fibLevels(d: { a: DrawingPoint; b: DrawingPoint }): string {
  return FIB_LEVELS.map((l) => `${+(l * 100).toFixed(1)} % ${price(fibPrice(d.a.price, d.b.price, l))}`).join(' · ');
}

export function DrawingTools({
  symbol,
  assetId,
  lastClose,
  step = 3600,
  drawings,
  placing,
  onPlacing,
}: {
  symbol: string;
  assetId: string | null;
  lastClose: number | undefined;
  /** Seconds between bars (a nudge moves a drawing by one). */
  step?: number;
  drawings: Drawings;
  placing: Placing | null;
  onPlacing: (p: Placing | null) => void;
}) {
  const [text, setText] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const hint =
    placing &&
    (TWO_POINTS.has(placing.tool)
      ? `Click the chart for the ${placing.points.length ? 'second' : 'first'} point, or on the focused chart move with ← → and press Enter (Escape cancels).`
      : 'Click the chart where it goes, or on the focused chart move with ← → and press Enter (Escape cancels).');
  const alert = async (d: Drawing & { kind: 'hline' }) => {
    if (!assetId || lastClose === undefined) return;
    try {
      setMessage(await setPriceAlert(symbol, assetId, d.price, d.price > lastClose ? 'above' : 'below'));
    } catch (err) {
      setMessage(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <section>
      <h2>Drawings</h2>
      <fieldset class="tools">
        <legend class="sr-only">Drawing tool</legend>
        {TOOLS.map(([tool, label]) => (
          <button
            key={tool}
            type="button"
            aria-pressed={placing?.tool === tool}
            disabled={tool === 'text' && !text.trim()}
            onClick={() => {
              drawings.select(null);
              onPlacing(placing?.tool === tool ? null : { tool, points: [], text });
            }}
          >
            {label}
          </button>
        ))}
      </fieldset>
      <input
        type="text"
        aria-label="Text of the note"
        placeholder="Text of the note"
        maxLength={200}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      {hint && (
        <p class="note" role="status">
          {hint}
        </p>
      )}
      {drawings.error && <p class="field-problem">{drawings.error}</p>}
      {message && (
        <p class="note" role="status" data-testid="drawing-message">
          {message}
        </p>
      )}
      <DrawingKeys drawings={drawings} />
      <ul class="drawings" data-testid="drawings">
        {drawings.list.map((d) => (
          <li
            key={d.id}
            data-testid="drawing"
            data-kind={d.kind}
            data-id={d.id}
            class={d.id === drawings.selected ? 'selected' : undefined}
          >
            <span>{describe(d)}</span>
            {d.kind === 'fib' && (
              <span class="muted fib-levels" data-testid="fib-levels">
                {fibLevels(d)}
              </span>
            )}
            <button
              type="button"
              class="link"
              aria-pressed={d.id === drawings.selected}
              aria-label={`Select: ${describe(d)}`}
              onClick={() => drawings.select(d.id === drawings.selected ? null : d.id)}
            >
              Select
            </button>
            {d.kind === 'hline' && (
              // Enabled once the asset and its last close are known: a click before would do nothing.
              <button
                type="button"
                class="link"
                disabled={!assetId || lastClose === undefined}
                onClick={() => void alert(d)}
              >
                Alert me
              </button>
            )}
            <button
              type="button"
              class="link"
              aria-label={`Delete: ${describe(d)}`}
              onClick={() => drawings.change(drawings.list.filter((x) => x.id !== d.id))}
            >
              Delete
            </button>
            {d.id === drawings.selected && <DrawingNudge drawing={d} drawings={drawings} step={step} />}
          </li>
        ))}
      </ul>
      {drawings.loaded && drawings.list.length === 0 && !placing && (
        <p class="muted">Pick a tool, then click the chart. Drawings are saved for {symbol} on every interval.</p>
      )}
      {drawings.list.length > 0 && (
        <p class="muted">
          Click a drawing on the chart (or Select here) to select it: drag it or its end points, Delete removes it,
          Escape deselects.
        </p>
      )}
    </section>
  );
}
