/**
 * Editing the selected drawing from the keyboard: Delete or Backspace removes it and Escape deselects it
 * (anywhere but in a text field); the list's nudge buttons, or the arrow keys on them, move it a bar
 * earlier or later and 0.5 % up or down.
 */
import { useEffect, useRef } from 'preact/hooks';
import { nudgeDrawing } from './drawing-geometry.ts';
import type { Drawing } from './drawings-primitive.ts';
import type { Drawings } from './use-drawings.ts';

const TYPING = /^(INPUT|SELECT|TEXTAREA)$/;
/** One nudge up or down: this percent of the drawing's price. */
const NUDGE_PCT = 0.5;

export function DrawingKeys({ drawings }: { drawings: Drawings }) {
  const ref = useRef(drawings);
  ref.current = drawings;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      const d = ref.current;
      if (!d.selected || e.ctrlKey || e.metaKey || e.altKey || TYPING.test(t.tagName) || t.isContentEditable) return;
      if (e.key === 'Delete' || e.key === 'Backspace') {
        e.preventDefault();
        const id = d.selected;
        d.change(d.list.filter((x) => x.id !== id));
      } else if (e.key === 'Escape') d.select(null);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return null;
}

const MOVES: { key: string; label: string; bars: number; pct: number; text: string }[] = [
  { key: 'ArrowLeft', label: 'one bar earlier', bars: -1, pct: 0, text: '←' },
  { key: 'ArrowRight', label: 'one bar later', bars: 1, pct: 0, text: '→' },
  { key: 'ArrowUp', label: `up ${NUDGE_PCT} %`, bars: 0, pct: NUDGE_PCT, text: '↑' },
  { key: 'ArrowDown', label: `down ${NUDGE_PCT} %`, bars: 0, pct: -NUDGE_PCT, text: '↓' },
];

export function DrawingNudge({ drawing, drawings, step }: { drawing: Drawing; drawings: Drawings; step: number }) {
  const nudge = (bars: number, pct: number) => drawings.replace(nudgeDrawing(drawing, step, bars, pct));
  return (
    <fieldset
      class="nudge"
      onKeyDown={(e) => {
        const m = MOVES.find((x) => x.key === e.key);
        if (!m) return;
        e.preventDefault();
        e.stopPropagation();
        nudge(m.bars, m.pct);
      }}
    >
      <legend class="sr-only">Move the selected drawing</legend>
      {MOVES.filter((m) => drawing.kind !== 'hline' || m.bars === 0).map((m) => (
        <button key={m.key} type="button" aria-label={`Move ${m.label}`} onClick={() => nudge(m.bars, m.pct)}>
          {m.text}
        </button>
      ))}
    </fieldset>
  );
}
