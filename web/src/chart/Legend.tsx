/** The chart's legend (the bar under the crosshair, else the newest) and the list of active signals. */
import { useMemo } from 'preact/hooks';
import { price, time, volume } from '../format.ts';
import type { CompareLine } from './use-compare.ts';
import type { Bar, Crosshair, Signal } from './view.ts';

/**
 * One line of fixed height above the chart: what it shows changes under the mouse, its size never does
 * (a growing legend pushed the chart down, so the bar under the cursor changed and the page flickered).
 */
export function Legend({
  cross,
  lastBar,
  compare = [],
}: {
  cross: Crosshair | null;
  lastBar: Bar | undefined;
  /** Compared symbols: each one's close at the shown bar's time, beside its line's colour. */
  compare?: CompareLine[];
}) {
  const shown = cross?.bar ?? lastBar;
  const closes = useMemo(
    () => compare.map((l) => ({ l, at: new Map((l.bars ?? []).map((b) => [b.time, b.close])) })),
    [compare],
  );
  return (
    <div class="legend" data-testid="legend" aria-live="off">
      {shown ? (
        <>
          <span>{time(shown.time)}</span> <span>O {price(shown.open)}</span> <span>H {price(shown.high)}</span>{' '}
          <span>L {price(shown.low)}</span> <span>C {price(shown.close)}</span> <span>V {volume(shown.volume)}</span>
          {cross?.values.map((v) => (
            <span key={v.label}>
              {v.label} {price(v.value)}
            </span>
          ))}
          {shown &&
            closes.map(({ l, at }) => (
              <span key={l.symbol} data-testid="legend-compare" data-symbol={l.symbol}>
                <span class="swatch" style={{ background: l.color }} aria-hidden="true" /> {l.symbol}{' '}
                {price(at.get(shown.time) ?? null)}
              </span>
            ))}
        </>
      ) : (
        <span>&nbsp;</span>
      )}
    </div>
  );
}

/** The signals of the bar under the crosshair, in a box over the chart's corner (it moves nothing). */
export function SignalBox({ cross }: { cross: Crosshair | null }) {
  if (!cross?.signals.length) return null;
  return (
    <div class="signal-box">
      {cross.signals.map((s) => (
        <div class="signal-detail" key={s.id} data-testid="signal-detail">
          <strong class={s.signal_type.includes('buy') ? 'up' : 'down'}>{s.signal_type.replace('_', ' ')}</strong>{' '}
          {s.strategy} · confidence {(s.confidence * 100).toFixed(0)} % · price {price(s.price)} · target{' '}
          {price(s.target_price)} · stop {price(s.stop_loss)}
          <div class="muted">{s.rationale}</div>
        </div>
      ))}
    </div>
  );
}

export function ActiveSignals({ signals, interval }: { signals: Signal[]; interval: string }) {
  const active = signals.filter((s) => s.is_active);
  return (
    <section>
      <h2>Active signals</h2>
      {active.length === 0 ? (
        <p class="muted">No active {interval} signal.</p>
      ) : (
        <ul class="signals" data-testid="active-signals">
          {active.slice(0, 10).map((s) => (
            <li key={s.id}>
              <strong class={s.signal_type.includes('buy') ? 'up' : 'down'}>{s.signal_type.replace('_', ' ')}</strong>{' '}
              {s.strategy} at {price(s.price)} ({time(s.ts)}), target {price(s.target_price)}, stop {price(s.stop_loss)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
