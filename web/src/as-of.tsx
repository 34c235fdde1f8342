/**
 * How old what a view shows is: "as of" its newest candle, marked stale when that candle is older than
 * STALE_INTERVALS intervals of the series shown (a 1h view is stale after 3 hours without a bar), and
 * "simulated" when the data is flagged as simulated, or the server runs its simulated demo feed.
 */
import { INTERVAL_SECONDS } from './chart/catalog.ts';
import { time } from './format.ts';
import { useSimulatedFeed } from './simulated.ts';

export const STALE_INTERVALS = 3;

/** Whether a newest candle at `ts` (epoch ms) is stale for `interval` at `now` (epoch ms). */
export function isStale(ts: number, interval: string, now = Date.now()): boolean {
  return now - ts > STALE_INTERVALS * (INTERVAL_SECONDS[interval] ?? 86_400) * 1000;
}

export function AsOf({
  ts,
  interval,
  simulated,
}: {
  ts: number | string | null | undefined;
  interval: string;
  simulated?: boolean;
}) {
  const feed = useSimulatedFeed();
  if (ts === null || ts === undefined) return null;
  const ms = typeof ts === 'number' ? ts : Date.parse(ts);
  const stale = isStale(ms, interval);
  return (
    <span class="as-of" data-testid="as-of" data-stale={stale}>
      as of {time(new Date(ms))}
      {stale && (
        <span class="badge stale" title={`no ${interval} candle for more than ${STALE_INTERVALS} intervals`}>
          stale
        </span>
      )}
      {(simulated || feed) && (
        <span class="badge simulated" title="from the simulated demo feed, not a market">
          simulated
        </span>
      )}
    </span>
  );
}
