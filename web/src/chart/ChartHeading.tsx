/** The chart page's heading (symbol, last price, change, data time) and its empty state. */
import { AsOf } from '../as-of.tsx';
import { pct, price } from '../format.ts';
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
