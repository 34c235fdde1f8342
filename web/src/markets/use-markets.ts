/**
 * /api/markets for one interval, loaded again (coalesced) whenever candles that feed that interval
 * change live: the rows, change %, volume and sparkline are always the server's, as after a reload.
 */
import { useEffect, useRef } from 'preact/hooks';
import { get } from '../api.ts';
import { type Loaded, useLoad } from '../hooks.ts';
import { feeds, onCandlesChanged } from '../live.ts';

export interface MarketRow {
  id: string;
  symbol: string;
  name: string;
  asset_type: string;
  exchange: string | null;
  last_ts: string | null;
  last_price: number | null;
  change_pct: number | null;
  volume: number | null;
  closes: number[];
  /** Set by a simulated demo feed (when the API says so). */
  simulated?: boolean;
}

export function useMarkets(
  interval: string,
  points = 30,
  only?: (assetId: string) => boolean,
): Loaded<{ items: MarketRow[]; interval: string }> {
  // The answer names its interval: a view shows which one its numbers are for, not which one is asked.
  const markets = useLoad(
    () =>
      get<{ items: MarketRow[] }>(`/api/markets?interval=${interval}&points=${points}`).then((r) => ({
        ...r,
        interval,
      })),
    [interval, points],
  );
  const onlyRef = useRef(only);
  onlyRef.current = only;
  const reload = useRef(markets.reload);
  reload.current = markets.reload;
  useEffect(
    () =>
      onCandlesChanged(
        (e) => feeds(e.interval, interval) && (!onlyRef.current || onlyRef.current(e.asset_id)),
        () => reload.current(),
      ),
    [interval, points],
  );
  return markets;
}
