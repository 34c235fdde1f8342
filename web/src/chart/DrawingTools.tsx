/**
 * Drawing tools beside the chart: pick a tool, click the chart (once for a horizontal line or a note,
 * twice for a trend line or a rectangle); the list below names each drawing, deletes it, and turns a
 * horizontal line into a price alert in one step.
 */
import { useState } from 'preact/hooks';
import { price } from '../format.ts';
import type { Drawing, DrawingPoint } from './drawings-primitive.ts';
import { setPriceAlert } from './price-alert.ts';
import type { Drawings } from './use-drawings.ts';

export type Tool = 'hline' | 'trend' | 'rect' | 'text';
const TOOLS: [Tool, string][] = [
  ['hline', 'Horizontal line'],
  ['trend', 'Trend line'],
  ['rect', 'Rectangle'],
  ['text', 'Text note'],
];

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

function describe(d: Drawing): string {
  if (d.kind === 'hline') return `Horizontal line at ${price(d.price)}`;
  if (d.kind === 'text') return `Note “${d.text}” at ${price(d.at.price)}`;
  return `${d.kind === 'trend' ? 'Trend line' : 'Rectangle'} ${price(d.a.price)} → ${price(d.b.price)}`;
}

export function DrawingTools({
  symbol,
  assetId,
  lastClose,
  drawings,
  placing,
  onPlacing,
}: {
  symbol: string;
  assetId: string | null;
  lastClose: number | undefined;
  drawings: Drawings;
  placing: Placing | null;
  onPlacing: (p: Placing | null) => void;
}) {
  const [text, setText] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const hint =
    placing &&
    (placing.tool === 'trend' || placing.tool === 'rect'
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
            onClick={() => onPlacing(placing?.tool === tool ? null : { tool, points: [], text })}
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
      <ul class="drawings" data-testid="drawings">
        {drawings.list.map((d) => (
          <li key={d.id} data-testid="drawing" data-kind={d.kind}>
            <span>{describe(d)}</span>
            {d.kind === 'hline' && (
              <button type="button" class="link" onClick={() => void alert(d)}>
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
          </li>
        ))}
      </ul>
      {drawings.loaded && drawings.list.length === 0 && !placing && (
        <p class="muted">Pick a tool, then click the chart. Drawings are saved for {symbol} on every interval.</p>
      )}
    </section>
  );
}
