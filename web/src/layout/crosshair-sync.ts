/**
 * One crosshair across a layout's charts: the mouse (or the arrow keys) on one chart puts the others'
 * crosshairs on their bar holding the same time (lightweight-charts: subscribeCrosshairMove, then
 * setCrosshairPosition on the others). Charts of other intervals show the bar that contains the time;
 * a chart whose bars do not reach it hides its crosshair. Each chart's element carries the time its
 * crosshair is on in `data-crosshair` (empty when hidden), for tests and for nothing else.
 */
import type { MouseEventParams, Time } from 'lightweight-charts';
import type { ChartView } from '../chart/view.ts';

interface Member {
  view: ChartView;
  el: HTMLElement;
  off: () => void;
}

export class CrosshairSync {
  private members = new Map<number, Member>();

  add(key: number, view: ChartView, el: HTMLElement): void {
    this.remove(key);
    // Only the user's own moves lead (a position set by this class has no source event); leaving a
    // chart is the DOM's mouseleave.
    const onMove = (p: MouseEventParams<Time>) => {
      if (p.sourceEvent && typeof p.time === 'number') this.from(key, p.time);
    };
    const onLeave = () => this.from(key, null);
    view.chart.subscribeCrosshairMove(onMove);
    el.addEventListener('mouseleave', onLeave);
    this.members.set(key, {
      view,
      el,
      off: () => {
        view.chart.unsubscribeCrosshairMove(onMove);
        el.removeEventListener('mouseleave', onLeave);
      },
    });
  }

  remove(key: number): void {
    this.members.get(key)?.off();
    this.members.delete(key);
  }

  /** Chart `key`'s crosshair is at `t` (epoch seconds; null: gone): the others follow. */
  from(key: number, t: number | null): void {
    for (const [k, m] of this.members) {
      if (k === key) {
        m.el.dataset.crosshair = t === null ? '' : String(t);
        if (t === null) m.view.clearCrosshair();
        continue;
      }
      const shown = m.view.crosshairTo(t);
      m.el.dataset.crosshair = shown === null ? '' : String(shown);
    }
  }
}
