/**
 * The chart's indicator panes as the user sized them: each oscillator's pane (by indicator id) keeps the
 * height it was dragged or keyed to, or is collapsed, across indicator changes and reloads of the series;
 * the price pane never goes under its floor (panes.ts). lightweight-charts' own separator drag is off, so
 * every resize goes through these rules. Reports where each pane is, for the separators drawn over them.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { specOf } from './catalog.ts';
import { applyHeights, maxPaneHeight, MIN_PANE_PX, type PaneSetting, paneHeights } from './panes.ts';
import type { IndicatorData } from './use-indicators.ts';
import type { ChartView } from './view.ts';

export interface PaneInfo {
  id: number;
  label: string;
  /** Top of the pane within the chart element, px. */
  top: number;
  height: number;
  max: number;
  collapsed: boolean;
}

export interface Panes {
  list: PaneInfo[];
  /** The price pane's height, px (0 before the chart is drawn). */
  price: number;
  el: { current: HTMLDivElement | null };
  /** Sets a pane's height (clamped between MIN_PANE_PX and what the price pane's floor leaves). */
  resize: (id: number, height: number) => void;
  /** Changes a pane's height by `delta` px from what it is now (keys pressed faster than frames add up). */
  nudge: (id: number, delta: number) => void;
  toggle: (id: number) => void;
}

export function usePanes(
  view: ChartView | null,
  data: IndicatorData | null,
  el: { current: HTMLDivElement | null },
): Panes {
  const settings = useRef(new Map<number, PaneSetting>());
  // The heights last applied and the most each pane may take, at once (the measured ones come a frame later).
  const applied = useRef(new Map<number, { height: number; max: number }>());
  const [list, setList] = useState<PaneInfo[]>([]);
  const [price, setPrice] = useState(0);
  const oscillators = (data ?? []).filter((d) => !specOf(d.ind.type).overlay);
  const current = useRef({ view, oscillators });
  current.current = { view, oscillators };

  const layout = () => {
    const { view: v, oscillators: osc } = current.current;
    if (!v || !el.current) return;
    const panes = v.chart.panes();
    if (panes.length !== osc.length + 1) return;
    const total = el.current.clientHeight - v.chart.timeScale().height() - osc.length;
    if (total <= 0) return;
    const s = osc.map((o) => settings.current.get(o.ind.id) ?? { height: null, collapsed: false });
    const heights = paneHeights(total, s);
    applyHeights(
      v.chart,
      heights,
      s.map((x) => x.collapsed),
    );
    osc.forEach((o, i) => {
      applied.current.set(o.ind.id, { height: heights[i + 1], max: maxPaneHeight(total, heights, i) });
    });
    // Measured once the chart has laid the panes out (its next frame).
    requestAnimationFrame(() => {
      if (current.current.view !== v || !el.current) return;
      const box = el.current.getBoundingClientRect();
      const got = v.chart.panes().map((p) => p.getHTMLElement()?.getBoundingClientRect() ?? null);
      if (got.length !== osc.length + 1 || got.some((r) => r === null)) return;
      const real = got.map((r) => Math.round((r as DOMRect).height));
      setPrice(real[0]);
      setList(
        osc.map((o, i) => ({
          id: o.ind.id,
          label: `${specOf(o.ind.type).label}${Object.keys(o.ind.params).length ? ` (${Object.values(o.ind.params).join(', ')})` : ''}`,
          top: Math.round((got[i + 1] as DOMRect).top - box.top),
          height: real[i + 1],
          max: maxPaneHeight(total, heights, i),
          collapsed: s[i].collapsed,
        })),
      );
    });
  };

  useEffect(() => {
    if (!view) return;
    view.chart.applyOptions({ layout: { panes: { enableResize: false } } });
    const ro = new ResizeObserver(() => layout());
    if (el.current) ro.observe(el.current);
    return () => ro.disconnect();
  }, [view]);

  // After the chart's own effect has replaced the indicator series (this hook is called after useChartView).
  useEffect(() => {
    layout();
    if (!oscillators.length) setList([]);
  }, [view, data]);

  const set = (id: number, s: PaneSetting) => {
    settings.current.set(id, s);
    layout();
  };
  const resize = (id: number, height: number) => {
    const max = applied.current.get(id)?.max ?? MIN_PANE_PX;
    set(id, { height: Math.max(MIN_PANE_PX, Math.min(max, Math.round(height))), collapsed: false });
  };
  return {
    list,
    price,
    el,
    resize,
    nudge: (id, delta) => resize(id, (applied.current.get(id)?.height ?? MIN_PANE_PX) + delta),
    toggle: (id) => {
      const s = settings.current.get(id) ?? { height: null, collapsed: false };
      set(id, { ...s, collapsed: !s.collapsed });
    },
  };
}
