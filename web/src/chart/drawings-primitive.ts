/**
 * The user's drawings on the price pane, drawn by a series primitive (lightweight-charts' plugin API):
 * horizontal lines, trend lines, rays, rectangles, Fibonacci retracements and text notes. Points are
 * times and prices, so the same drawings land on every interval: a time maps to the bar that holds it
 * (or, past either end, to where a bar of that time would be). The primitive's hitTest tells the chart
 * which drawing is under the mouse (its cursor), and `hit` tells the editor which part (a point or the body).
 */
import type {
  IPrimitivePaneRenderer,
  IPrimitivePaneView,
  ISeriesApi,
  ISeriesPrimitive,
  Logical,
  PrimitiveHoveredItem,
  SeriesAttachedParameter,
  SeriesType,
  Time,
} from 'lightweight-charts';
import { FIB_LEVELS, fibPrice, type Shape, shapeHit } from './drawing-geometry.ts';
import type { Bar } from './types.ts';

export { FIB_LEVELS, fibPrice } from './drawing-geometry.ts';

export interface DrawingPoint {
  t: number;
  price: number;
}
export type Drawing =
  | { id: string; kind: 'hline'; price: number }
  | { id: string; kind: 'trend' | 'ray' | 'rect' | 'fib'; a: DrawingPoint; b: DrawingPoint }
  | { id: string; kind: 'text'; at: DrawingPoint; text: string };

/** Which part of a drawing is under a point: one of its end points, or the drawing itself. */
export type Part = 'a' | 'b' | 'body';

/** The bar index (fractional past the ends) where time `t` falls. */
export function logicalOf(bars: Bar[], t: number): number | null {
  const n = bars.length;
  if (n === 0) return null;
  const step = n > 1 ? bars[n - 1].time - bars[n - 2].time : 60;
  if (t < bars[0].time) return (t - bars[0].time) / step;
  if (t >= bars[n - 1].time) return n - 1 + (t - bars[n - 1].time) / step;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bars[mid].time <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

type Ctx = CanvasRenderingContext2D;

function line(ctx: Ctx, x1: number, y1: number, x2: number, y2: number): void {
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x2, y2);
  ctx.stroke();
}

/** Where a ray from (x1, y1) through (x2, y2) leaves a box of the given size. */
export function rayEnd(s: { x1: number; y1: number; x2: number; y2: number }, w: number, h: number): [number, number] {
  const dx = s.x2 - s.x1;
  const dy = s.y2 - s.y1;
  const len = Math.hypot(dx, dy);
  if (len === 0) return [s.x2, s.y2];
  const k = (w + h) * 2;
  return [s.x1 + (dx / len) * k, s.y1 + (dy / len) * k];
}

class Renderer implements IPrimitivePaneRenderer {
  constructor(
    private shapes: Shape[],
    private selected: string | null,
    private color: string,
    private handleFill: string,
  ) {}

  draw(target: Parameters<IPrimitivePaneRenderer['draw']>[0]): void {
    target.useMediaCoordinateSpace(({ context: ctx, mediaSize }) => {
      ctx.save();
      ctx.strokeStyle = this.color;
      ctx.fillStyle = this.color;
      ctx.font = '12px system-ui, sans-serif';
      for (const s of this.shapes) {
        ctx.lineWidth = s.id === this.selected ? 2.5 : 1.5;
        if (s.kind === 'hline') {
          ctx.setLineDash([6, 4]);
          line(ctx, 0, s.y, mediaSize.width, s.y);
          ctx.setLineDash([]);
          ctx.fillText(s.label, 4, s.y - 4);
        } else if (s.kind === 'trend') {
          line(ctx, s.x1, s.y1, s.x2, s.y2);
        } else if (s.kind === 'ray') {
          const [ex, ey] = rayEnd(s, mediaSize.width, mediaSize.height);
          line(ctx, s.x1, s.y1, ex, ey);
        } else if (s.kind === 'rect') {
          const [x, y, w, h] = [
            Math.min(s.x1, s.x2),
            Math.min(s.y1, s.y2),
            Math.abs(s.x2 - s.x1),
            Math.abs(s.y2 - s.y1),
          ];
          ctx.globalAlpha = 0.15;
          ctx.fillRect(x, y, w, h);
          ctx.globalAlpha = 1;
          ctx.strokeRect(x, y, w, h);
        } else if (s.kind === 'fib') {
          const [left, right] = [Math.min(s.x1, s.x2), Math.max(s.x1, s.x2)];
          ctx.setLineDash([3, 3]);
          line(ctx, s.x1, s.y1, s.x2, s.y2);
          ctx.setLineDash([]);
          for (const l of s.levels) {
            line(ctx, left, l.y, right, l.y);
            ctx.fillText(l.label, left + 2, l.y - 3);
          }
        } else if (s.kind === 'text') {
          ctx.fillText(s.text, s.x + 4, s.y - 4);
          ctx.beginPath();
          ctx.arc(s.x, s.y, 3, 0, Math.PI * 2);
          ctx.fill();
        }
        if (s.id === this.selected) this.handles(ctx, s);
      }
      ctx.restore();
    });
  }

  /** The selected drawing's handles: a square at each point that can be dragged. */
  private handles(ctx: Ctx, s: Shape): void {
    const at: [number, number][] =
      s.kind === 'hline'
        ? [[12, s.y]]
        : s.kind === 'text'
          ? [[s.x, s.y]]
          : [
              [s.x1, s.y1],
              [s.x2, s.y2],
            ];
    ctx.lineWidth = 2;
    for (const [x, y] of at) {
      ctx.fillStyle = this.handleFill;
      ctx.fillRect(x - 5, y - 5, 10, 10);
      ctx.strokeRect(x - 5, y - 5, 10, 10);
    }
  }
}

export class DrawingsPrimitive implements ISeriesPrimitive<Time> {
  private params: SeriesAttachedParameter<Time, SeriesType> | null = null;
  private drawings: Drawing[] = [];
  private bars: Bar[] = [];
  private shapes: Shape[] = [];
  private selected: string | null = null;
  private readonly view: IPrimitivePaneView = {
    renderer: () => new Renderer(this.shapes, this.selected, this.color, this.handleFill),
  };

  constructor(
    private color: string,
    private handleFill: string,
    private formatPrice: (p: number) => string,
  ) {}

  attached(p: SeriesAttachedParameter<Time, SeriesType>): void {
    this.params = p;
  }

  detached(): void {
    this.params = null;
  }

  set(drawings: Drawing[], bars: Bar[]): void {
    this.drawings = drawings;
    this.bars = bars;
    this.params?.requestUpdate();
  }

  select(id: string | null): void {
    this.selected = id;
    this.params?.requestUpdate();
  }

  count(): number {
    return this.drawings.length;
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return [this.view];
  }

  /** The drawing and part under a point of the pane (handles of the selected drawing first). */
  hit(x: number, y: number): { id: string; part: Part } | null {
    this.updateAllViews();
    const w = this.params?.chart.timeScale().width() ?? 0;
    // The selected drawing's handles first, then the drawings from the top (the last drawn) down.
    const order = [
      ...this.shapes.filter((s) => s.id === this.selected),
      ...this.shapes.filter((s) => s.id !== this.selected).reverse(),
    ];
    for (const s of order) {
      const part = shapeHit(s, x, y, w);
      if (part) return { id: s.id, part };
    }
    return null;
  }

  /** The plugin API's hit test: the chart shows a move cursor over a drawing. */
  hitTest(x: number, y: number): PrimitiveHoveredItem | null {
    const h = this.hit(x, y);
    if (!h) return null;
    return {
      externalId: h.id,
      zOrder: 'top',
      cursorStyle: h.part === 'body' ? 'move' : 'crosshair',
      hitTestPriority: h.part === 'body' ? 1 : 2,
    };
  }

  /** Recomputes the shapes' coordinates (the chart calls it before drawing). */
  updateAllViews(): void {
    const p = this.params;
    if (!p) return;
    const series = p.series as ISeriesApi<SeriesType>;
    const ts = p.chart.timeScale();
    const x = (t: number) => {
      const l = logicalOf(this.bars, t);
      return l === null ? null : ts.logicalToCoordinate(l as Logical);
    };
    const y = (price: number) => series.priceToCoordinate(price);
    const out: Shape[] = [];
    for (const d of this.drawings) {
      if (d.kind === 'hline') {
        const yy = y(d.price);
        if (yy !== null) out.push({ id: d.id, kind: 'hline', y: yy, label: this.formatPrice(d.price) });
      } else if (d.kind === 'text') {
        const [xx, yy] = [x(d.at.t), y(d.at.price)];
        if (xx !== null && yy !== null) out.push({ id: d.id, kind: 'text', x: xx, y: yy, text: d.text });
      } else {
        const [x1, y1, x2, y2] = [x(d.a.t), y(d.a.price), x(d.b.t), y(d.b.price)];
        if (x1 === null || y1 === null || x2 === null || y2 === null) continue;
        if (d.kind !== 'fib') {
          out.push({ id: d.id, kind: d.kind, x1, y1, x2, y2 });
          continue;
        }
        const levels = [];
        for (const level of FIB_LEVELS) {
          const price = fibPrice(d.a.price, d.b.price, level);
          const ly = y(price);
          if (ly !== null) levels.push({ y: ly, label: `${+(level * 100).toFixed(1)} % ${this.formatPrice(price)}` });
        }
        out.push({ id: d.id, kind: 'fib', x1, y1, x2, y2, levels });
      }
    }
    this.shapes = out;
  }
}
