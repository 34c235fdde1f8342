/**
 * Deterministic synthetic market data: a geometric random walk per asset from a seeded PRNG, so the
 * same --seed and --end give the same candles. Candles are valid by construction (low <= open, close
 * <= high) and go through the normal import pipeline, so re-seeding is idempotent.
 */
import type { Database } from '../db/types.ts';
import { gaussian, mulberry32 } from '../random.ts';
import { addAsset, findBySymbol, type AssetType } from './assets-repository.ts';
import { importCandles, type ImportSummary } from './import/importer.ts';
import type { RawCandle } from './import/validate.ts';
import { bucketStart, intervalMs, nextBucket, type Interval } from '../intervals.ts';
import type { SyntheticBar } from '../ohlcv.ts';

export interface DemoOptions {
  assets: number;
  days: number;
  interval: Interval;
  seed: number;
  /** Exclusive end (default: the start of the current UTC day). */
  end?: Date;
  /** Also store daily candles rolled up from a finer interval (so daily queries have data). */
  daily?: boolean;
  /** Keep only the last N days of the fine interval (the daily rollup still covers all days). */
  fineDays?: number;
}

export interface DemoSummary {
  assets: number;
  created_assets: number;
  candles: { interval: Interval; inserted: number; updated: number; skipped: number }[];
  seconds: number;
}

const UNIVERSE: { symbol: string; name: string; type: AssetType; exchange: string; sector?: string }[] = [
  { symbol: 'ACME', name: 'Acme Corp', type: 'stock', exchange: 'DEMO', sector: 'Industrials' },
  { symbol: 'GLOBX', name: 'Globex', type: 'stock', exchange: 'DEMO', sector: 'Technology' },
  { symbol: 'INITECH', name: 'Initech', type: 'stock', exchange: 'DEMO', sector: 'Technology' },
  { symbol: 'UMBR', name: 'Umbrella Health', type: 'stock', exchange: 'DEMO', sector: 'Health Care' },
  { symbol: 'STARK', name: 'Stark Industries', type: 'stock', exchange: 'DEMO', sector: 'Industrials' },
  { symbol: 'WAYNE', name: 'Wayne Enterprises', type: 'stock', exchange: 'DEMO', sector: 'Financials' },
  { symbol: 'TYRL', name: 'Tyrell Corp', type: 'stock', exchange: 'DEMO', sector: 'Technology' },
  { symbol: 'DEMOETF', name: 'Demo Broad Market ETF', type: 'etf', exchange: 'DEMO' },
  { symbol: 'BTCD', name: 'Demo Bitcoin', type: 'crypto', exchange: 'DEMO' },
  { symbol: 'EURD', name: 'Demo EUR/USD', type: 'forex', exchange: 'DEMO' },
  { symbol: 'GOLDD', name: 'Demo Gold', type: 'commodity', exchange: 'DEMO' },
];

export function demoAssets(
  n: number,
): { symbol: string; name: string; type: AssetType; exchange: string; sector?: string }[] {
  const out = UNIVERSE.slice(0, n);
  for (let i = out.length; i < n; i++)
    out.push({
      symbol: `DEMO${String(i + 1).padStart(3, '0')}`,
      name: `Demo Asset ${i + 1}`,
      type: 'stock',
      exchange: 'DEMO',
    });
  return out;
}

type Bar = SyntheticBar;

/** One asset's series at `interval` over [start, end). Deterministic in (seed, asset index). */
export function* randomWalk(
  seed: number,
  index: number,
  interval: Interval,
  start: number,
  end: number,
): Generator<Bar> {
  const rand = mulberry32(seed * 7919 + index * 104729 + 1);
  let price = 10 + rand() * 490;
  const yearMs = 365 * 86_400_000;
  const dt = intervalMs(interval) / yearMs;
  const sigma = 0.15 + rand() * 0.5; // annual volatility
  const mu = (rand() - 0.4) * 0.3; // annual drift
  const baseVolume = 1e4 + rand() * 1e6;
  const first = bucketStart(interval, start) < start ? nextBucket(interval, bucketStart(interval, start)) : start;
  for (let ts = first; ts < end; ts = nextBucket(interval, ts)) {
    const open = price;
    const close = open * Math.exp((mu - (sigma * sigma) / 2) * dt + sigma * Math.sqrt(dt) * gaussian(rand));
    const wiggle = sigma * Math.sqrt(dt) * 0.5;
    const high = Math.max(open, close) * (1 + Math.abs(gaussian(rand)) * wiggle);
    const low = Math.min(open, close) * (1 - Math.min(0.5, Math.abs(gaussian(rand)) * wiggle));
    const volume = Math.round(
      baseVolume * dt * 252 * Math.exp(0.5 * gaussian(rand)) * (1 + Math.abs(close / open - 1) * 20),
    );
    const round = (v: number) => Math.round(v * 10_000) / 10_000;
    const [o, c] = [round(open), round(close)];
    yield {
      ts,
      open: o,
      high: Math.max(round(high), o, c),
      low: Math.min(round(low), o, c),
      close: c,
      volume,
      trades: Math.max(1, Math.round(volume / 120)),
    };
    price = close;
  }
}

/** Daily bars from finer ones (which must arrive in time order). */
function* rollupDaily(bars: Iterable<Bar>): Generator<Bar> {
  let cur: Bar | undefined;
  for (const b of bars) {
    const day = bucketStart('1d', b.ts);
    if (cur && cur.ts === day) {
      cur.high = Math.max(cur.high, b.high);
      cur.low = Math.min(cur.low, b.low);
      cur.close = b.close;
      cur.volume += b.volume;
      cur.trades += b.trades;
    } else {
      if (cur) yield cur;
      cur = { ...b, ts: day };
    }
  }
  if (cur) yield cur;
}

/** The intervals seedDemo stores: the chosen one, and the daily rollup when that is finer than 1d. */
export function demoIntervals(o: Pick<DemoOptions, 'interval' | 'daily'>): Interval[] {
  const daily = (o.daily ?? true) && intervalMs(o.interval) < intervalMs('1d');
  return daily ? [o.interval, '1d'] : [o.interval];
}

export async function seedDemo(
  db: Database,
  opts: DemoOptions,
  onProgress?: (line: string) => void,
): Promise<DemoSummary> {
  const t0 = performance.now();
  const end = bucketStart('1d', (opts.end ?? new Date()).getTime());
  const start = end - opts.days * 86_400_000;
  const fineStart = opts.fineDays !== undefined ? Math.max(start, end - opts.fineDays * 86_400_000) : start;
  const assets = demoAssets(opts.assets);
  let created = 0;
  for (const a of assets) {
    if ((await findBySymbol(db, { symbol: a.symbol, exchange: a.exchange })).length) continue;
    await addAsset(db, {
      symbol: a.symbol,
      name: a.name,
      asset_type: a.type,
      exchange: a.exchange,
      sector: a.sector ?? null,
    });
    created++;
  }
  const withDaily = demoIntervals(opts).includes('1d') && opts.interval !== '1d';
  const summaries: DemoSummary['candles'] = [];
  const run = async (interval: Interval, rows: () => AsyncIterable<RawCandle>) => {
    const s: ImportSummary = await importCandles(db, rows(), { interval, onConflict: 'update' });
    summaries.push({ interval, inserted: s.inserted, updated: s.updated, skipped: s.skipped });
    onProgress?.(`demo: ${interval}: ${s.inserted} inserted, ${s.updated} updated, ${s.skipped} unchanged`);
  };
  const toRaw = (symbol: string, b: Bar, line: number): RawCandle => ({ line, symbol, ...b });
  await run(opts.interval, async function* () {
    let line = 0;
    for (const [i, a] of assets.entries()) {
      for (const b of randomWalk(opts.seed, i, opts.interval, start, end))
        if (b.ts >= fineStart) yield toRaw(`${a.symbol}:${a.exchange}`, b, ++line);
    }
  });
  if (withDaily) {
    await run('1d', async function* () {
      let line = 0;
      for (const [i, a] of assets.entries()) {
        for (const b of rollupDaily(randomWalk(opts.seed, i, opts.interval, start, end)))
          yield toRaw(`${a.symbol}:${a.exchange}`, b, ++line);
      }
    });
  }
  return {
    assets: assets.length,
    created_assets: created,
    candles: summaries,
    seconds: Math.round((performance.now() - t0) / 10) / 100,
  };
}
