/**
 * The chart's pane heights: the price pane on top keeps at least MIN_PRICE_PX (or 55 % of a short chart),
 * each indicator pane has the height the user gave it (dragging or the keyboard), a default share, or is
 * collapsed to a strip. lightweight-charts sizes panes by stretch factor; heights in pixels are set as
 * factors in pixels, so what is asked is what is drawn.
 */
import type { IChartApi } from 'lightweight-charts';

export const MIN_PRICE_PX = 220;
export const MIN_PANE_PX = 40;
export const COLLAPSED_PX = 24;
const DEFAULT_SHARE = 0.22;

/** What the user set for one indicator pane (by indicator id). */
export interface PaneSetting {
  height: number | null;
  collapsed: boolean;
}

/** The price pane's floor for a chart of `total` px of panes. */
export function minPrice(total: number): number {
  return Math.min(MIN_PRICE_PX, Math.round(total * 0.55));
}

/**
 * Heights of the price pane and then each indicator pane for `total` px. Indicator panes shrink together
 * when they would push the price pane under its floor (to strips if need be); collapsed ones stay strips.
 */
export function paneHeights(total: number, settings: PaneSetting[]): number[] {
  const def = Math.max(MIN_PANE_PX, Math.min(160, Math.round(total * DEFAULT_SHARE)));
  const want = settings.map((s) => (s.collapsed ? COLLAPSED_PX : Math.max(MIN_PANE_PX, s.height ?? def)));
  const strips = settings.reduce((n, s, i) => n + (s.collapsed ? want[i] : 0), 0);
  const open = want.reduce((n, h, i) => n + (settings[i].collapsed ? 0 : h), 0);
  const room = Math.max(0, total - minPrice(total) - strips);
  const scale = open > room && open > 0 ? room / open : 1;
  // Squeezed, a pane may go under MIN_PANE_PX (down to a strip): the price pane's floor comes first.
  const heights = want.map((h, i) => (settings[i].collapsed ? h : Math.max(COLLAPSED_PX, Math.floor(h * scale))));
  return [Math.max(0, total - heights.reduce((a, b) => a + b, 0)), ...heights];
}

/** The largest height indicator pane `i` may take with the others as they are. */
export function maxPaneHeight(total: number, heights: number[], i: number): number {
  const others = heights.slice(1).reduce((n, h, k) => n + (k === i ? 0 : h), 0);
  return Math.max(MIN_PANE_PX, total - minPrice(total) - others);
}

/** Total height of the chart's panes (the chart's height less its time axis). */
export function panesTotal(chart: IChartApi): number {
  return chart.panes().reduce((n, p) => n + p.getHeight(), 0);
}

/** Applies heights (price pane first) and hides the series of collapsed panes. */
export function applyHeights(chart: IChartApi, heights: number[], collapsed: boolean[]): void {
  const panes = chart.panes();
  panes.forEach((p, i) => {
    p.setStretchFactor(Math.max(1, heights[i] ?? 1));
    if (i > 0) for (const s of p.getSeries()) s.applyOptions({ visible: !collapsed[i - 1] });
  });
}
