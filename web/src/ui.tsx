/** Small shared pieces: loading and error states, sparklines, notifications. */
import { cloneElement, type ComponentChildren, isValidElement, type VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> {what}…
    </p>
  );
}

export function ErrorBox({ error, retry }: { error: string | null; retry?: () => void }) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      <span>{error}</span>
      {retry && (
        <>
          {' '}
          <button type="button" class="link retry" onClick={retry}>
            Try again
          </button>
        </>
      )}
    </div>
  );
}

/** A form's general error: shown only when no field carries the problem (each field says its own). */
export function FormError({ error, fields }: { error: string | null; fields: Record<string, string> }) {
  return Object.keys(fields).length > 0 ? null : <ErrorBox error={error} />;
}

export function Sparkline({ values, width = 100, height = 28 }: { values: number[]; width?: number; height?: number }) {
  if (values.length < 2) return <svg width={width} height={height} aria-hidden="true" />;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = max - min || 1;
  const step = width / (values.length - 1);
  const pts = values.map(
    (v, i) => `${(i * step).toFixed(1)},${(height - 2 - ((v - min) / span) * (height - 4)).toFixed(1)}`,
  );
  const up = values[values.length - 1] >= values[0];
  return (
    <svg
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      class={`spark ${up ? 'up' : 'down'}`}
      aria-hidden="true"
    >
      <polyline points={pts.join(' ')} fill="none" stroke="currentColor" stroke-width="1.5" />
    </svg>
  );
}

export interface Toast {
  id: number;
  title: string;
  body: string;
}
const toastListeners = new Set<(t: Toast[]) => void>();
let toasts: Toast[] = [];
let nextId = 1;

export function notify(title: string, body: string): void {
  const t = { id: nextId++, title, body };
  toasts = [...toasts, t].slice(-5);
  for (const l of toastListeners) l(toasts);
  setTimeout(() => dismiss(t.id), 10_000);
}
function dismiss(id: number): void {
  toasts = toasts.filter((t) => t.id !== id);
  for (const l of toastListeners) l(toasts);
}

export function Toasts() {
  const [list, setList] = useState(toasts);
  useEffect(() => {
    toastListeners.add(setList);
    return () => toastListeners.delete(setList);
  }, []);
  return (
    <div class="toasts" role="log" aria-live="polite">
      {list.map((t) => (
        <div class="toast" key={t.id} data-testid="toast">
          <strong>{t.title}</strong>
          <span>{t.body}</span>
          <button type="button" class="link" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

let fieldIds = 0;

/**
 * A labelled control (the control is the child, so the label names it). `hint` states the field's rules
 * before anything is sent; `error` is what the API (or the form) refused, in words, shown under it. Both
 * describe the control (aria-describedby) and an error marks it invalid.
 */
export function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: string;
  error?: string | null;
  children: ComponentChildren;
}) {
  const [id] = useState(() => `field-${++fieldIds}`);
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const control =
    isValidElement(children) && (hint || error)
      ? cloneElement(children as VNode<Record<string, unknown>>, {
          'aria-describedby': described || undefined,
          'aria-invalid': error ? 'true' : undefined,
        })
      : children;
  return (
    <div class="field">
      {/* biome-ignore lint/a11y/noLabelWithoutControl: the control is passed as children */}
      <label class="field">
        <span>{label}</span>
        {control}
      </label>
      {hint && (
        <span class="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span class="field-problem" id={`${id}-error`} role="alert" data-testid="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

/**
 * A table in its scrolling wrapper. `head` lists the column headings (a `false` entry is a column not shown);
 * those in `num` are right-aligned, as their cells are. The rows are the children.
 */
export function Table({
  testid,
  head,
  num = [],
  label,
  children,
}: {
  testid?: string;
  head: (string | false)[];
  num?: string[];
  /** Names the scrolling region, which takes the keyboard focus so a wide table can be scrolled by keys. */
  label?: string;
  children: ComponentChildren;
}) {
  const table = (
    <table data-testid={testid}>
      <thead>
        <tr>
          {head
            .filter((h): h is string => h !== false)
            .map((h) => (
              <th key={h} class={num.includes(h) ? 'num' : undefined}>
                {h}
              </th>
            ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
  if (!label) return <div class="table-wrap">{table}</div>;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take the focus to scroll by keyboard
    <section class="table-wrap" tabIndex={0} aria-label={label}>
      {table}
    </section>
  );
}
