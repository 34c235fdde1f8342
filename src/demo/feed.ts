/**
 * The simulated demo feed: while `tm serve` runs, the demo assets (exchange DEMO) get a new 1m candle
 * every minute, and the coarser intervals stored for them (the starter demo's 1h and 1d) their current
 * bar extended with it. On start it first catches the demo up to now, over at most `catchUpMs`. Every
 * write goes through the import (importCandles), as a user's would: candle_series, the write log and
 * the live events follow. Simulated prices, said so in the log and in /health (`demo_feed`); never on
 * when a market data source is configured, and TM_DEMO_FEED=0 turns it off.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Database } from '../db/types.ts';
import type { Leader } from '../db/lease.ts';
import { INTERVALS, divides, intervalMs, nextBucket, type Interval } from '../intervals.ts';
import { assetsOnExchange } from '../market/assets-repository.ts';
import { seriesOfAsset } from '../market/candle-series.ts';
import { candleRange } from '../market/candles-repository.ts';
import { importCandles } from '../market/import/importer.ts';
import type { RawCandle } from '../market/import/validate.ts';
import { latestCandles } from '../market/queries.ts';
import { listSources } from '../sync/sources-repository.ts';
import { rollUp, walkMinutes, type FeedBar } from './feed-bars.ts';

export const DEMO_EXCHANGE = 'DEMO';
const MINUTE = 60_000;

export interface DemoFeedOptions {
  log?: (line: string) => void;
  /** The clock, epoch ms (tests inject one). */
  now?: () => number;
  /** Waits `ms`, or until `signal` aborts (tests inject one that advances their clock). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  seed?: number;
  /** The longest stretch a start catches up (default two days); older gaps stay gaps. */
  catchUpMs?: number;
  /** On a server shared by several tm serve processes: only the lease holder writes. */
  leader?: Leader;
  /** Called after each round with what it wrote. */
  onRound?: (r: FeedRound) => void;
}

export interface FeedRound {
  /** Candles written per interval. */
  written: Partial<Record<Interval, number>>;
  /** The newest simulated minute's open time, or null when nothing was due. */
  through: Date | null;
}

/** What /health shows while this process runs the feed. */
export interface DemoFeedStatus {
  simulated: true;
  exchange: string;
  assets: number;
  last_candle: string | null;
}

let status: DemoFeedStatus | null = null;

/** The running feed's status in this process, or null when it does not run here. */
export function demoFeedStatus(): DemoFeedStatus | null {
  return status;
}

/** Why the feed stays off, or null when it may run. */
export async function demoFeedBlocked(db: Database, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  if (env.TM_DEMO_FEED === '0' || env.TM_DEMO_FEED === 'false') return 'TM_DEMO_FEED=0';
  if ((await listSources(db)).length > 0) return 'a market data source is configured (tm sync)';
  if ((await assetsOnExchange(db, DEMO_EXCHANGE)).length === 0) return 'no demo assets';
  return null;
}

/**
 * One round: every closed minute since each demo asset's newest candle (at most `catchUpMs` back from
 * `now`), as 1m candles and as the current bars of the coarser intervals stored for it.
 */
export async function feedDemo(db: Database, now: number, o: { seed?: number; catchUpMs?: number } = {}) {
  const seed = o.seed ?? 42;
  const end = Math.floor(now / MINUTE) * MINUTE;
  const floor = end - Math.ceil((o.catchUpMs ?? 2 * 86_400_000) / MINUTE) * MINUTE;
  const rows = new Map<Interval, RawCandle[]>();
  const add = (interval: Interval, ref: string, bars: FeedBar[]) => {
    const list = rows.get(interval) ?? [];
    for (const b of bars) list.push({ line: list.length + 1, symbol: ref, ...b });
    rows.set(interval, list);
  };
  let through: number | null = null;
  const assets = await assetsOnExchange(db, DEMO_EXCHANGE);
  for (const [index, a] of assets.entries()) {
    const series = await seriesOfAsset(db, a.id);
    const stored = INTERVALS.filter((i) => series.has(i));
    if (stored.length === 0) continue;
    const last1m = series.get('1m')?.last_ts.getTime();
    const cursor =
      last1m !== undefined
        ? last1m + MINUTE
        : Math.max(...stored.map((i) => nextBucket(i, (series.get(i) as { last_ts: Date }).last_ts.getTime())));
    const from = Math.max(Math.ceil(cursor / MINUTE) * MINUTE, floor);
    if (from >= end) continue;
    const finest = stored[0];
    const [last] = await latestCandles(db, { assetId: a.id, interval: finest, limit: 1 });
    const minutes = walkMinutes(seed, index, from, end, last.close, last.volume / (intervalMs(finest) / MINUTE));
    const ref = `${a.symbol}:${DEMO_EXCHANGE}`;
    add('1m', ref, minutes);
    for (const i of stored.filter((x) => x !== '1m' && divides('1m', x))) {
      const have = await candleRange(db, {
        assetId: a.id,
        interval: i,
        from: new Date(from - intervalMs(i)),
        to: new Date(end),
        limit: 10_000,
      });
      const byBucket = new Map(
        have.candles.map((c) => [c.ts.getTime(), { ...c, ts: c.ts.getTime(), trades: c.trades ?? 0 }]),
      );
      add(i, ref, rollUp(minutes, i, byBucket));
    }
    through = Math.max(through ?? 0, end - MINUTE);
  }
  const written: FeedRound['written'] = {};
  // The 1m candles first: a reader between the two imports sees the coarser bars behind, never ahead.
  for (const [interval, list] of [...rows].sort((x, y) => intervalMs(x[0]) - intervalMs(y[0]))) {
    const s = await importCandles(
      db,
      (async function* () {
        yield* list;
      })(),
      { interval, onConflict: 'update' },
    );
    written[interval] = s.inserted + s.updated;
  }
  return { written, through: through === null ? null : new Date(through) } satisfies FeedRound;
}

const sleepFor = async (ms: number, signal: AbortSignal) => {
  try {
    await delay(ms, undefined, { signal });
  } catch (err) {
    if (!(err instanceof Error && err.name === 'AbortError')) throw err;
  }
};

/**
 * Runs the feed until stop(): a round at once (the catch-up), then one a little after each minute
 * closes. A round that fails is logged and the next one tries again. Stops for good when a market data
 * source gets configured.
 */
export function startDemoFeed(db: Database, o: DemoFeedOptions = {}): { stop(): Promise<void>; done: Promise<void> } {
  const log = o.log ?? (() => undefined);
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? sleepFor;
  const stopping = new AbortController();
  const run = async () => {
    const assets = (await assetsOnExchange(db, DEMO_EXCHANGE)).length;
    status = { simulated: true, exchange: DEMO_EXCHANGE, assets, last_candle: null };
    log(
      `demo feed: SIMULATED prices for ${assets} demo assets (exchange ${DEMO_EXCHANGE}), a 1m candle a minute; TM_DEMO_FEED=0 turns it off`,
    );
    while (!stopping.signal.aborted) {
      try {
        if ((await listSources(db)).length > 0) {
          log('demo feed: stopped: a market data source is configured');
          break;
        }
        if (!o.leader || (await o.leader())) {
          const r = await feedDemo(db, now(), o);
          if (r.through) status = { ...(status as DemoFeedStatus), last_candle: r.through.toISOString() };
          o.onRound?.(r);
        }
      } catch (err) {
        // The database away, a write refused: the next round tries again.
        log(`demo feed: round failed, next minute tries again: ${(err as Error).message}`);
      }
      // A second after the next minute closes.
      await sleep(MINUTE - (now() % MINUTE) + 1_000, stopping.signal);
    }
    status = null;
  };
  const done = run();
  return {
    done,
    async stop() {
      stopping.abort();
      await done;
    },
  };
}
