/**
 * The live stream's state in the header, in words (the dot's colour only repeats them): connected,
 * connecting, reconnecting or offline, and the time of the newest candle the server has.
 */
import { useEffect, useState } from 'preact/hooks';
import { time } from './format.ts';
import { type LiveState, liveStatus, newestData, onLiveStatus } from './live.ts';

const WORDS: Record<LiveState, string> = {
  off: 'Not connected',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

export function LiveStatus() {
  const [, setTick] = useState(0);
  useEffect(() => onLiveStatus(() => setTick((t) => t + 1)), []);
  const state = liveStatus();
  const newest = newestData();
  return (
    <p class={`live-status ${state}`} role="status" data-testid="live-status" data-state={state}>
      <span class="dot" aria-hidden="true" />
      <span>{WORDS[state]}</span>
      {newest !== null && (
        <span class="newest" data-testid="live-newest" data-ts={new Date(newest).toISOString()}>
          {' '}
          · data to {time(new Date(newest))}
        </span>
      )}
    </p>
  );
}
