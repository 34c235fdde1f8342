/** The chart page's heading (symbol, last price, change, data time) and its empty state. */
import { AsOf } from '../as-of.tsx';
import { pct, price, time } from '../format.ts';
import { Loading } from '../ui.tsx';
import type { Bar } from './types.ts';

export function ChartHeading(p: { symbol: string; interval: string; bars: Bar[]; empty: boolean; simulated: boolean }) {
  const lastBar = p.bars[p.bars.length - 1];
  const prevBar = p.bars[p.bars.length - 2];
  const dayChange = lastBar && prevBar ? ((lastBar.close - prevBar.close) / prevBar.close) * 100 : null;
  return (
    <h1>
      {p.symbol}{' '}
      {lastBar ? (
        <>
          <span class="muted" data-testid="chart-price">
            {price(lastBar.close)}
          </span>{' '}
          <span class={dayChange && dayChange < 0 ? 'down' : 'up'} data-testid="chart-change">
            {pct(dayChange)}
          </span>{' '}
          <AsOf ts={lastBar.time * 1000} interval={p.interval} simulated={p.simulated} />
        </>
      ) : (
        p.empty && (
          <span class="muted" data-testid="chart-price">
            no {p.interval} data
          </span>
        )
      )}
    </h1>
  );
}

export function EmptyChart({
  symbol,
  interval,
  onPick,
}: {
  symbol: string;
  interval: string;
  onPick: (i: string) => void;
}) {
  return (
    <div class="overlay" data-testid="chart-empty">
      <div class="empty-state">
        <p>
          <strong>
            No {interval} candles for {symbol}.
          </strong>
        </p>
        <p>Nothing of this interval is stored, and there are no finer candles to build it from.</p>
        <p>
          Try{' '}
          {['1h', '1d']
            .filter((i) => i !== interval)
            .map((i) => (
              <button key={i} type="button" class="link" onClick={() => onPick(i)}>
                {i}
              </button>
            ))}
        </p>
      </div>
    </div>
  );
}

/** What lies over the chart while it loads, when it is empty, and at the oldest bar. */
export function ChartNotes(p: {
  symbol: string;
  interval: string;
  loading: boolean;
  empty: boolean;
  older: string;
  atStart: boolean;
  first: Bar | undefined;
  onPick: (i: string) => void;
}) {
  return (
    <>
      {p.loading && (
        <div class="overlay">
          <Loading what="Loading candles" />
        </div>
      )}
      {p.empty && <EmptyChart symbol={p.symbol} interval={p.interval} onPick={p.onPick} />}
      {p.older === 'loading' && <div class="older">Loading older bars…</div>}
      {p.older === 'done' && p.atStart && p.first && (
        <div class="older" data-testid="no-older">
          No older data: the first {p.interval} bar is {time(p.first.time)}.
        </div>
      )}
    </>
  );
}
