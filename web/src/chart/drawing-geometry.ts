/**
 * The drawings' geometry in pixels, apart from the chart: Fibonacci levels, what a point hits (an end
 * point or the drawing), and a drawing moved by a drag or a nudge.
 */
import type { Drawing, DrawingPoint, Part } from './drawings-primitive.ts';

/** Retracement levels: 0 at the second point, 1 (100 %) at the first. */
export const FIB_LEVELS = [0, 0.236, 0.382, 0.5, 0.618, 0.786, 1] as const;

/** The price of a level between the first point's price `a` (100 %) and the second's `b` (0 %). */
export function fibPrice(a: number, b: number, level: number): number {
  return b + (a - b) * level;
}

/** A drawing in pixels, as the renderer and the hit test use it. */
export type Shape =
  | { id: string; kind: 'hline'; y: number; label: string }
  | { id: string; kind: 'trend' | 'ray' | 'rect'; x1: number; y1: number; x2: number; y2: number }
  | {
      id: string;
      kind: 'fib';
      x1: number;
      y1: number;
      x2: number;
      y2: number;
      levels: { y: number; label: string }[];
    }
  | { id: string; kind: 'text'; x: number; y: number; text: string };

/** How near (CSS pixels) a point must be to a line or a handle to hit it. */
const NEAR = 6;
const HANDLE = 8;

/** Distance from (x, y) to the segment from (x1, y1) to (x2, y2); with `ray` the far end is open. */
export function distanceToSegment(
  x: number,
  y: number,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  ray = false,
): number {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len2 = dx * dx + dy * dy;
  let t = len2 === 0 ? 0 : ((x - x1) * dx + (y - y1) * dy) / len2;
  t = ray ? Math.max(0, t) : Math.max(0, Math.min(1, t));
  return Math.hypot(x - (x1 + t * dx), y - (y1 + t * dy));
}

/** What of shape `s` is at (x, y), if anything (`width`: the pane's width, where a horizontal line's handle is). */
export function shapeHit(s: Shape, x: number, y: number, width: number): Part | null {
  const near = (px: number, py: number) => Math.abs(x - px) <= HANDLE && Math.abs(y - py) <= HANDLE;
  if (s.kind === 'hline') return Math.abs(y - s.y) <= NEAR && x >= 0 && x <= width ? 'body' : null;
  if (s.kind === 'text') {
    const w = 8 + s.text.length * 7;
    return near(s.x, s.y) || (x >= s.x && x <= s.x + w && y >= s.y - 18 && y <= s.y + 4) ? 'body' : null;
  }
  if (near(s.x1, s.y1)) return 'a';
  if (near(s.x2, s.y2)) return 'b';
  if (s.kind === 'trend' || s.kind === 'ray')
    return distanceToSegment(x, y, s.x1, s.y1, s.x2, s.y2, s.kind === 'ray') <= NEAR ? 'body' : null;
  const [left, right] = [Math.min(s.x1, s.x2), Math.max(s.x1, s.x2)];
  if (x < left - NEAR || x > right + NEAR) return null;
  if (s.kind === 'rect') {
    const [top, bottom] = [Math.min(s.y1, s.y2), Math.max(s.y1, s.y2)];
    return y >= top - NEAR && y <= bottom + NEAR ? 'body' : null;
  }
  return s.kind === 'fib' && s.levels.some((l) => Math.abs(y - l.y) <= NEAR) ? 'body' : null;
}

const shift = (p: DrawingPoint, dt: number, dp: number): DrawingPoint => ({ t: p.t + dt, price: round(p.price + dp) });
const round = (n: number) => Number(n.toPrecision(8));

/**
 * The drawing moved: its `part` dragged from `from` to `to` (an end point goes where the pointer is; the
 * body moves by the difference). A price never goes to zero or below (the API refuses it).
 */
export function moveDrawing(d: Drawing, part: Part, from: DrawingPoint, to: DrawingPoint): Drawing {
  const dt = to.t - from.t;
  const dp = to.price - from.price;
  const ok = (p: DrawingPoint) => p.price > 0;
  let next: Drawing;
  if (d.kind === 'hline') next = { ...d, price: round(d.price + dp) };
  else if (d.kind === 'text') next = { ...d, at: shift(d.at, dt, dp) };
  else if (part === 'a') next = { ...d, a: { t: to.t, price: round(to.price) } };
  else if (part === 'b') next = { ...d, b: { t: to.t, price: round(to.price) } };
  else next = { ...d, a: shift(d.a, dt, dp), b: shift(d.b, dt, dp) };
  const points =
    next.kind === 'hline' ? [{ t: 0, price: next.price }] : next.kind === 'text' ? [next.at] : [next.a, next.b];
  return points.every(ok) ? next : d;
}

/** A keyboard nudge: `bars` bars later (earlier when negative) and `pct` percent of its price up or down. */
export function nudgeDrawing(d: Drawing, step: number, bars: number, pct: number): Drawing {
  const first = d.kind === 'hline' ? d.price : d.kind === 'text' ? d.at.price : d.a.price;
  const from = { t: 0, price: first };
  return moveDrawing(d, 'body', from, { t: bars * step, price: first * (1 + pct / 100) });
}
