/**
 * Signals of the asset and interval (markers and the active list), fetched again when a new one arrives live.
 * Asked once the candles are in (`after`): the first paint does not wait for them.
 */
import { useEffect, useState } from 'preact/hooks';
import { get, qs } from '../api.ts';
import { errorText } from '../hooks.ts';
import { refetchOn } from '../live.ts';
import type { Signal } from './view.ts';

export function useSignals(
  symbol: string,
  interval: string,
  assetId: string | null,
  after = true,
): { signals: Signal[]; error: string | null; loaded: boolean } {
  const [signals, setSignals] = useState<Signal[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [loaded, setLoaded] = useState(false);
  useEffect(() => setLoaded(false), [symbol, interval]);
  useEffect(() => {
    if (!after) return;
    let live = true;
    get<{ items: Signal[] }>(`/api/signals?${qs({ symbol, interval, limit: 1000 })}`).then(
      (r) => {
        if (!live) return;
        setError(null);
        setSignals(r.items);
        setLoaded(true);
      },
      (err: unknown) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [symbol, interval, tick, after]);
  useEffect(
    () =>
      refetchOn(
        'signal',
        () => setTick((t) => t + 1),
        (s) => s.asset_id === assetId && s.timeframe === interval,
      ),
    [assetId, interval],
  );
  return { signals, error, loaded };
}
