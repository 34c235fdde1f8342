/**
 * The Layouts page's state in its URL: `/layout?cells=BTC:1h,ETH:1d&name=Morning` (2 cells side by side,
 * or 4 in a 2×2 grid). A link opens exactly it; each change is a history entry.
 */
import { INTERVALS } from '../chart/catalog.ts';

export interface Cell {
  symbol: string;
  interval: string;
}

export interface LayoutState {
  /** 2 or 4 cells, or empty when the URL names none (the page then picks the first assets). */
  cells: Cell[];
  /** The saved layout this came from, if any. */
  name: string | null;
}

export function readLayout(search: string): LayoutState {
  const q = new URLSearchParams(search);
  const cells: Cell[] = [];
  for (const part of (q.get('cells') ?? '').split(',')) {
    const [symbol, interval] = part.split(':');
    if (symbol && (INTERVALS as readonly string[]).includes(interval)) cells.push({ symbol, interval });
  }
  const n = cells.length >= 4 ? 4 : cells.length >= 2 ? 2 : 0;
  return { cells: cells.slice(0, n), name: q.get('name') || null };
}

export function writeLayout(s: LayoutState): string {
  const q = new URLSearchParams();
  q.set('cells', s.cells.map((c) => `${c.symbol}:${c.interval}`).join(','));
  if (s.name) q.set('name', s.name);
  return q.toString().replace(/%2C/g, ',').replace(/%3A/g, ':');
}

/** 2 → 4 cells repeats the first two with the next interval; 4 → 2 keeps the first two. */
export function resize(cells: Cell[], n: 2 | 4): Cell[] {
  if (cells.length === n) return cells;
  if (n === 2) return cells.slice(0, 2);
  const next = (i: string) =>
    INTERVALS[Math.min(INTERVALS.indexOf(i as (typeof INTERVALS)[number]) + 2, INTERVALS.length - 1)];
  return [...cells, ...cells.slice(0, 2).map((c) => ({ symbol: c.symbol, interval: next(c.interval) }))];
}
