/**
 * Over the chart: a separator above each indicator pane (drag it, or focus it and use ↑ ↓, Page Up/Down,
 * Home and End), a button that collapses or expands the pane, and Full screen (the Fullscreen API on the
 * chart's box; Escape leaves it).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { MIN_PANE_PX } from './panes.ts';
import type { PaneInfo, Panes } from './use-panes.ts';
import './panes.css';

const STEP = 10;
const PAGE_STEP = 50;

function Separator({ pane, panes }: { pane: PaneInfo; panes: Panes }) {
  const drag = useRef<{ y: number; h: number } | null>(null);
  const onKey = (e: KeyboardEvent) => {
    const d: Record<string, number> = { ArrowUp: STEP, ArrowDown: -STEP, PageUp: PAGE_STEP, PageDown: -PAGE_STEP };
    if (!(e.key in d) && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    e.stopPropagation();
    if (e.key === 'Home') panes.resize(pane.id, Number.POSITIVE_INFINITY);
    else if (e.key === 'End') panes.resize(pane.id, MIN_PANE_PX);
    else panes.nudge(pane.id, d[e.key]);
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: a focusable, draggable separator (the ARIA window splitter); <hr> cannot be one
    <div
      class="pane-separator"
      style={{ top: `${pane.top - 4}px` }}
      role="separator"
      tabIndex={0}
      aria-orientation="horizontal"
      aria-label={`Resize the ${pane.label} pane`}
      aria-valuenow={pane.height}
      aria-valuemin={Math.min(MIN_PANE_PX, pane.height)}
      aria-valuemax={pane.max}
      data-testid="pane-separator"
      onKeyDown={onKey}
      onPointerDown={(e) => {
        e.preventDefault();
        e.currentTarget.setPointerCapture(e.pointerId);
        drag.current = { y: e.clientY, h: pane.height };
      }}
      onPointerMove={(e) => {
        const g = drag.current;
        if (g) panes.resize(pane.id, g.h - (e.clientY - g.y));
      }}
      onPointerUp={() => {
        drag.current = null;
      }}
    />
  );
}

function useFullscreen(box: () => HTMLElement | null): { on: boolean; toggle: () => void } {
  const [on, setOn] = useState(false);
  useEffect(() => {
    const change = () => setOn(document.fullscreenElement !== null && document.fullscreenElement === box());
    // Escape leaves (browsers do it themselves too; this covers those that pass the key to the page).
    const key = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && document.fullscreenElement) void document.exitFullscreen();
    };
    document.addEventListener('fullscreenchange', change);
    document.addEventListener('keydown', key);
    return () => {
      document.removeEventListener('fullscreenchange', change);
      document.removeEventListener('keydown', key);
    };
  }, []);
  return {
    on,
    toggle: () => {
      const el = box();
      if (!el) return;
      if (document.fullscreenElement) void document.exitFullscreen();
      else void el.requestFullscreen();
    },
  };
}

export function PaneControls({ panes }: { panes: Panes }) {
  const full = useFullscreen(() => panes.el.current?.parentElement ?? null);
  return (
    <div class="pane-controls" data-testid="pane-controls" data-price-height={panes.price} data-fullscreen={full.on}>
      {panes.list.map((p) => (
        <div key={p.id}>
          <Separator pane={p} panes={panes} />
          <button
            type="button"
            class="pane-toggle"
            style={{ top: `${p.top + 2}px` }}
            aria-expanded={!p.collapsed}
            aria-label={`${p.collapsed ? 'Expand' : 'Collapse'} the ${p.label} pane`}
            data-testid="pane-toggle"
            data-height={p.height}
            onClick={() => panes.toggle(p.id)}
          >
            {p.collapsed ? '+' : '−'}
          </button>
        </div>
      ))}
      <button
        type="button"
        class="fullscreen-toggle"
        aria-pressed={full.on}
        aria-label={full.on ? 'Leave full screen (Escape)' : 'Full screen'}
        title={full.on ? 'Leave full screen (Escape)' : 'Full screen'}
        onClick={full.toggle}
      >
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
          <path
            d={full.on ? 'M6 1v5H1M10 1v5h5M6 15v-5H1M10 15v-5h5' : 'M1 6V1h5M15 6V1h-5M1 10v5h5M15 10v5h-5'}
            fill="none"
            stroke="currentColor"
            stroke-width="2"
          />
        </svg>
      </button>
    </div>
  );
}
