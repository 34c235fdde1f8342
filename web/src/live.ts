/**
 * The live event stream (/api/events, Server-Sent Events). Read with fetch rather than EventSource so the
 * access token goes in the Authorization header (alerts are per user); the last event id is sent back on
 * reconnect (Last-Event-ID), so nothing is missed across a dropped connection.
 */
import { refresh, token } from './api.ts';
import { INTERVAL_SECONDS } from './chart/catalog.ts';
import { notify } from './ui.tsx';

export interface CandleEvent {
  asset_id: string;
  symbol: string;
  interval: string;
  ts: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}
/** Candles of a series were written, corrected or deleted from from_ts to to_ts: refetch what shows them. */
export interface CandlesEvent {
  asset_id: string;
  symbol: string;
  interval: string;
  from_ts: string;
  to_ts: string;
}
export interface SignalEvent {
  asset_id: string;
  symbol: string;
  timeframe: string;
  ts: string;
  signal_type: string;
  strategy: string;
  confidence: number;
  price: number;
}
export interface AlertEvent {
  id: string;
  asset_id: string;
  symbol: string;
  direction: 'above' | 'below';
  threshold: number;
  price: number;
  triggered_at: string;
}
interface Events {
  candles: CandlesEvent;
  candle: CandleEvent;
  signal: SignalEvent;
  alert: AlertEvent;
}
type Handler<K extends keyof Events> = (e: Events[K]) => void;

const handlers: { [K in keyof Events]: Set<Handler<K>> } = {
  candles: new Set(),
  candle: new Set(),
  signal: new Set(),
  alert: new Set(),
};
let lastId = '';
let controller: AbortController | null = null;
/** off: not started; connecting: the first connection; live: open; reconnecting: lost, trying again; offline: the browser has no network. */
export type LiveState = 'off' | 'connecting' | 'live' | 'reconnecting' | 'offline';
let status: LiveState = 'off';
/** The newest candle time the server has (from the stream's ready event, then each candle written), epoch ms. */
let newest: number | null = null;
const statusListeners = new Set<() => void>();
/** Views to refetch when the stream opens without resuming (see onResync). */
const resyncListeners = new Set<() => void>();

function setStatus(next: LiveState): void {
  if (next === 'reconnecting' && typeof navigator !== 'undefined' && navigator.onLine === false) next = 'offline';
  if (next === status) return;
  status = next;
  for (const l of statusListeners) l();
}
function seeNewest(ts: string | null | undefined): void {
  const t = ts ? Date.parse(ts) : Number.NaN;
  if (Number.isNaN(t) || (newest !== null && t <= newest)) return;
  newest = t;
  for (const l of statusListeners) l();
}
/** Calls `l` whenever the stream's state or the newest data time changes. */
export function onLiveStatus(l: () => void): () => void {
  statusListeners.add(l);
  return () => statusListeners.delete(l);
}
export function newestData(): number | null {
  return newest;
}

/**
 * Calls `fn` whenever the stream opens without resuming from a cursor: the first connection, or one that
 * had seen no event before it dropped. What a view loaded before that may have changed with no event to
 * say so, so it refetches. (A resumed stream replays what it missed instead.)
 */
function onResync(fn: () => void): () => void {
  resyncListeners.add(fn);
  return () => resyncListeners.delete(fn);
}

/** Calls `fn` (a refetch) on every `kind` event that `match` accepts, and when the stream opens without resuming. */
export function refetchOn<K extends keyof Events>(
  kind: K,
  fn: () => void,
  match: (e: Events[K]) => boolean = () => true,
): () => void {
  const off = on(kind, (e) => {
    if (match(e)) fn();
  });
  const offResync = onResync(fn);
  return () => {
    off();
    offResync();
  };
}

export function on<K extends keyof Events>(kind: K, h: Handler<K>): () => void {
  handlers[kind].add(h);
  return () => handlers[kind].delete(h);
}
/** Changed candles, coalesced: `fn` runs once per burst (`ms` quiet) with the earliest and latest times, epoch ms. */
export function onCandlesChanged(
  match: (e: CandlesEvent) => boolean,
  fn: (span: { from: number; to: number }) => void,
  ms = 150,
): () => void {
  let span: { from: number; to: number } | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const add = (from: number, to: number) => {
    span = span ? { from: Math.min(span.from, from), to: Math.max(span.to, to) } : { from, to };
    clearTimeout(timer);
    timer = setTimeout(() => {
      const s = span;
      span = null;
      if (s) fn(s);
    }, ms);
  };
  const off = on('candles', (e) => {
    if (match(e)) add(Date.parse(e.from_ts), Date.parse(e.to_ts));
  });
  // Opened without a resume: anything may have changed, so the whole span.
  const offResync = onResync(() => add(0, Date.now()));
  return () => {
    clearTimeout(timer);
    off();
    offResync();
  };
}

/** Whether candles of `written` can change what a view of `shown` draws (the same, or a finer one rolled up). */
export function feeds(written: string, shown: string): boolean {
  return written === shown || (INTERVAL_SECONDS[written] ?? Number.POSITIVE_INFINITY) < (INTERVAL_SECONDS[shown] ?? 0);
}

export function liveStatus(): LiveState {
  return status;
}

function dispatch(kind: string, data: string): void {
  if (kind === 'ready') {
    const ready = JSON.parse(data) as { resumed?: boolean; newest_candle_ts?: string | null };
    setStatus('live');
    seeNewest(ready.newest_candle_ts);
    if (!ready.resumed) for (const l of resyncListeners) l();
    return;
  }
  if (!(kind in handlers)) return;
  const payload = JSON.parse(data) as never;
  if (kind === 'candle') seeNewest((payload as CandleEvent).ts);
  for (const h of handlers[kind as keyof Events]) (h as (p: never) => void)(payload);
}

async function connect(signal: AbortSignal): Promise<void> {
  let delay = 1000;
  let first = true;
  while (!signal.aborted) {
    setStatus(first ? 'connecting' : 'reconnecting');
    first = false;
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (token()) headers.authorization = `Bearer ${token()}`;
      if (lastId) headers['last-event-id'] = lastId;
      const res = await fetch('/api/events', { headers, signal });
      if (res.status === 401 && (await refresh())) continue;
      if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
      delay = 1000;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let cut = buf.indexOf('\n\n');
        while (cut >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          let kind = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) kind = line.slice(6).trim();
            else if (line.startsWith('data:')) data += line.slice(5).trimStart();
            else if (line.startsWith('id:')) lastId = line.slice(3).trim();
          }
          if (data) dispatch(kind, data);
          cut = buf.indexOf('\n\n');
        }
      }
    } catch {
      if (signal.aborted) return;
    }
    setStatus('reconnecting');
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 30_000);
  }
}

export function startLive(): void {
  stopLive();
  controller = new AbortController();
  void connect(controller.signal);
}

export function stopLive(): void {
  controller?.abort();
  controller = null;
  setStatus('off');
}

// The browser says when the network goes and comes back: say offline at once, and reconnect on return.
if (typeof window !== 'undefined') {
  window.addEventListener('offline', () => {
    if (controller) setStatus('offline');
  });
  window.addEventListener('online', () => {
    if (controller) startLive();
  });
}

// A resumed stream may repeat an alert from its overlap window: show each once.
const shownAlerts = new Set<string>();
on('alert', (a) => {
  if (shownAlerts.has(a.id)) return;
  shownAlerts.add(a.id);
  notify(`Alert: ${a.symbol}`, `${a.symbol} went ${a.direction} ${a.threshold} (price ${a.price})`);
});
