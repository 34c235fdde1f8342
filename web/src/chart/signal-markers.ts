/** The chart's signal markers: one per bar and direction, with every signal of a bar kept for the hover box. */
import type { SeriesMarker, Time, UTCTimestamp } from 'lightweight-charts';
import type { Bar, Signal } from './types.ts';

export interface SignalMarks {
  byTime: Map<number, Signal[]>;
  markers: SeriesMarker<Time>[];
}

export function signalMarkers(signals: Signal[], bars: Bar[]): SignalMarks {
  const byTime = new Map<number, Signal[]>();
  const barTimes = new Set(bars.map((b) => b.time));
  // Several strategies may agree on a bar: one marker per direction, the strongest shade.
  const byKey = new Map<string, { time: number; buy: boolean; strong: boolean }>();
  for (const s of signals) {
    const t = Math.floor(Date.parse(s.ts) / 1000);
    if (!barTimes.has(t)) continue;
    const list = byTime.get(t) ?? [];
    list.push(s);
    byTime.set(t, list);
    const buy = s.signal_type.endsWith('buy');
    if (!buy && !s.signal_type.endsWith('sell')) continue;
    const key = `${t}:${buy}`;
    const m = byKey.get(key) ?? { time: t, buy, strong: false };
    m.strong ||= s.signal_type.startsWith('strong');
    byKey.set(key, m);
  }
  // No text on markers: labels of neighbouring bars overlapped and were cut at the edge. Strength is
  // the marker's size and shade; the hover box names each signal.
  const markers: SeriesMarker<Time>[] = [...byKey.values()].map((m) => ({
    time: m.time as UTCTimestamp,
    position: m.buy ? 'belowBar' : 'aboveBar',
    shape: m.buy ? 'arrowUp' : 'arrowDown',
    color: m.buy ? (m.strong ? '#15803d' : '#22c55e') : m.strong ? '#b91c1c' : '#ef4444',
    size: m.strong ? 2 : 1,
  }));
  markers.sort((a, b) => (a.time as number) - (b.time as number));
  return { byTime, markers };
}
