/**
 * The user's drawings on the price pane, drawn by a series primitive (lightweight-charts' plugin API):
 * horizontal lines, trend lines, rectangles and text notes. Points are times and prices, so the same
 * drawings land on every interval: a time maps to the bar that holds it (or, past either end, to where
 * a bar of that time would be).
 */
import type {
  IPrimitivePaneRenderer,
  IPrimitivePaneView,
  ISeriesApi,
  ISeriesPrimitive,
  Logical,
  SeriesAttachedParameter,
  SeriesType,
  Time,
} from 'lightweight-charts';
import type { Bar } from './types.ts';

export interface DrawingPoint {
  t: number;
  price: number;
}
export type Drawing =
  | { id: string; kind: 'hline'; price: number }
  | { id: string; kind: 'trend'; a: DrawingPoint; b: DrawingPoint }
  | { id: string; kind: 'rect'; a: DrawingPoint; b: DrawingPoint }
  | { id: string; kind: 'text'; at: DrawingPoint; text: string };

type Shape =
  | { kind: 'hline'; y: number; label: string }
  | { kind: 'trend' | 'rect'; x1: number; y1: number; x2: number; y2: number }
  | { kind: 'text'; x: number; y: number; text: string };

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

class Renderer implements IPrimitivePaneRenderer {
  constructor(
    private shapes: Shape[],
    private color: string,
  ) {}

  draw(target: Parameters<IPrimitivePaneRenderer['draw']>[0]): void {
    target.useMediaCoordinateSpace(({ context: ctx, mediaSize }) => {
      ctx.save();
      ctx.strokeStyle = this.color;
      ctx.fillStyle = this.color;
      ctx.lineWidth = 1.5;
      ctx.font = '12px system-ui, sans-serif';
      for (const s of this.shapes) {
        if (s.kind === 'hline') {
          ctx.setLineDash([6, 4]);
          ctx.beginPath();
          ctx.moveTo(0, s.y);
          ctx.lineTo(mediaSize.width, s.y);
          ctx.stroke();
          ctx.setLineDash([]);
          ctx.fillText(s.label, 4, s.y - 4);
        } else if (s.kind === 'trend') {
          ctx.beginPath();
          ctx.moveTo(s.x1, s.y1);
          ctx.lineTo(s.x2, s.y2);
          ctx.stroke();
        } else if (s.kind === 'rect') {
          ctx.globalAlpha = 0.15;
          ctx.fillRect(Math.min(s.x1, s.x2), Math.min(s.y1, s.y2), Math.abs(s.x2 - s.x1), Math.abs(s.y2 - s.y1));
          ctx.globalAlpha = 1;
          ctx.strokeRect(Math.min(s.x1, s.x2), Math.min(s.y1, s.y2), Math.abs(s.x2 - s.x1), Math.abs(s.y2 - s.y1));
        } else if (s.kind === 'text') {
          ctx.fillText(s.text, s.x + 4, s.y - 4);
          ctx.beginPath();
          ctx.arc(s.x, s.y, 3, 0, Math.PI * 2);
          ctx.fill();
        }
      }
      ctx.restore();
    });
  }
}

export class DrawingsPrimitive implements ISeriesPrimitive<Time> {
  private params: SeriesAttachedParameter<Time, SeriesType> | null = null;
  private drawings: Drawing[] = [];
  private bars: Bar[] = [];
  private shapes: Shape[] = [];
  private readonly view: IPrimitivePaneView = { renderer: () => new Renderer(this.shapes, this.color) };

  constructor(
    private color: string,
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

  count(): number {
    return this.drawings.length;
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return [this.view];
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
        if (yy !== null) out.push({ kind: 'hline', y: yy, label: this.formatPrice(d.price) });
      } else if (d.kind === 'text') {
        const [xx, yy] = [x(d.at.t), y(d.at.price)];
        if (xx !== null && yy !== null) out.push({ kind: 'text', x: xx, y: yy, text: d.text });
      } else {
        const [x1, y1, x2, y2] = [x(d.a.t), y(d.a.price), x(d.b.t), y(d.b.price)];
        if (x1 !== null && y1 !== null && x2 !== null && y2 !== null) out.push({ kind: d.kind, x1, y1, x2, y2 });
      }
    }
    this.shapes = out;
  }
}
