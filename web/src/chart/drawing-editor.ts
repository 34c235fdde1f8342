/**
 * Editing drawings on the chart itself: a click on a drawing selects it (its handles show), a drag moves
 * it or one of its end points, a click elsewhere deselects. While a drag runs the chart does not pan
 * (the editor takes the press before the chart sees it); the drawing follows the pointer and is saved
 * once, when it is let go.
 */
import { moveDrawing } from './drawing-geometry.ts';
import type { Drawing, DrawingPoint, DrawingsPrimitive, Part } from './drawings-primitive.ts';

export interface EditorHooks {
  /** The time and price at a point of the price pane (null outside it). */
  pointAt: (x: number, y: number) => DrawingPoint | null;
  /** True while a drawing tool places points: clicks are then the tool's. */
  placing: () => boolean;
  list: () => Drawing[];
  /** Shows a list without saving it (the drawing being dragged). */
  preview: (list: Drawing[]) => void;
  select: (id: string | null) => void;
  moved: (d: Drawing) => void;
  /** A tap while a tool is active: a point of the drawing (the chart cancels the click a tap would make). */
  place: (x: number, y: number) => void;
}

type Press = MouseEvent | TouchEvent;

export class DrawingEditor {
  private drag: { id: string; part: Part; from: DrawingPoint; orig: Drawing; now: Drawing | null } | null = null;
  /** A drag ends with a mouseup, then the browser's click on the same element: that click is the drag's. */
  private swallowClick = false;
  /** Where a touch began while a tool is active (a tap places a point) and when the last tap placed one. */
  private tap: { x: number; y: number } | null = null;
  private tappedAt = 0;

  constructor(
    private el: HTMLElement,
    private prim: DrawingsPrimitive,
    private hooks: EditorHooks,
  ) {
    el.addEventListener('mousedown', this.down, true);
    el.addEventListener('touchstart', this.down, { capture: true, passive: false });
    el.addEventListener('click', this.click);
  }

  private at(e: Press): { x: number; y: number } | null {
    const p = 'touches' in e ? (e.touches[0] ?? e.changedTouches[0]) : e;
    if (!p) return null;
    const box = this.el.getBoundingClientRect();
    return { x: p.clientX - box.left, y: p.clientY - box.top };
  }

  /** True just after a tap placed a point: a click the browser still makes of it is the same point. */
  tappedRecently(): boolean {
    return Date.now() - this.tappedAt < 800;
  }

  private tapEnd = (e: TouchEvent) => {
    window.removeEventListener('touchend', this.tapEnd);
    const start = this.tap;
    const xy = this.at(e);
    this.tap = null;
    if (!start || !xy || Math.hypot(xy.x - start.x, xy.y - start.y) > 10 || !this.hooks.placing()) return;
    this.tappedAt = Date.now();
    this.hooks.place(xy.x, xy.y);
  };

  private down = (e: Press) => {
    if (this.hooks.placing() && e.type === 'touchstart') {
      this.tap = this.at(e);
      window.addEventListener('touchend', this.tapEnd);
      return;
    }
    if (this.hooks.placing() || ('button' in e && e.button !== 0)) return;
    const xy = this.at(e);
    const h = xy && this.prim.hit(xy.x, xy.y);
    const from = xy && this.hooks.pointAt(xy.x, xy.y);
    const orig = h && this.hooks.list().find((d) => d.id === h.id);
    if (!h || !from || !orig) return;
    // The chart never sees this press: it would pan under the drawing.
    e.stopPropagation();
    if (e.type === 'touchstart') e.preventDefault();
    this.hooks.select(h.id);
    this.drag = { id: h.id, part: h.part, from, orig, now: null };
    window.addEventListener('mousemove', this.move);
    window.addEventListener('mouseup', this.up);
    window.addEventListener('touchmove', this.move, { passive: false });
    window.addEventListener('touchend', this.up);
  };

  private move = (e: Press) => {
    const d = this.drag;
    const xy = this.at(e);
    const to = d && xy && this.hooks.pointAt(xy.x, xy.y);
    if (!d || !to) return;
    if (e.type === 'touchmove') e.preventDefault();
    d.now = moveDrawing(d.orig, d.part, d.from, to);
    const now = d.now;
    this.hooks.preview(this.hooks.list().map((x) => (x.id === d.id ? now : x)));
  };

  private up = (e: Press) => {
    window.removeEventListener('mousemove', this.move);
    window.removeEventListener('mouseup', this.up);
    window.removeEventListener('touchmove', this.move);
    window.removeEventListener('touchend', this.up);
    const d = this.drag;
    this.drag = null;
    this.swallowClick = e.type === 'mouseup' && e.target instanceof Node && this.el.contains(e.target);
    if (d?.now && JSON.stringify(d.now) !== JSON.stringify(d.orig)) this.hooks.moved(d.now);
  };

  private click = (e: MouseEvent) => {
    if (this.swallowClick) {
      this.swallowClick = false;
      return;
    }
    if (this.hooks.placing()) return;
    const xy = this.at(e);
    const h = xy && this.prim.hit(xy.x, xy.y);
    this.hooks.select(h ? h.id : null);
  };
}
