/**
 * npm run bench:queries -- [--assets 500] [--candles 10000] [--days 365] [--runs 20] [--keep]
 * p50/p95 of the six common queries and the range query, ours vs the seed's literal SQL, on
 * assets × candles 1m candles plus daily candles, indicators and signals. Run on a scratch database.
 *
 * npm run bench:queries -- --daily-years 25 [--runs 20]
 * Decades of daily bars for one symbol in the seed's 7-day chunks (one chunk a week): the import's
 * rate, then the latest 30 candles, ours vs the seed's SQL, with planning and execution time.
 */
import type { Database } from '../src/db/types.ts';
import { candleRange } from '../src/market/candles-repository.ts';
import {
  activeSignals,
  latestCandles,
  latestIndicators,
  latestSignals,
  priceChanges,
  priceStats,
} from '../src/market/queries.ts';
import { refreshSeries } from '../src/market/candle-series.ts';
import { priceStatsPlan } from '../src/market/price-stats.ts';
import { type BarGroup, writeReport } from './report.ts';
import { SEED_SQL } from '../test/helpers/seed-sql.ts';
import { arg, describeDb, machine, openBenchDb, printTable, time } from './common.ts';
import { dailyYears } from './queries-daily.ts';

const assets = arg('assets', 500);
const candles = arg('candles', 10_000);
const days = arg('days', 365);
const runs = arg('runs', 20);
const PAGE = 100;
/** Shorter names for the chart's label column (about 25 characters fit). */
const CHART_LABELS: Record<string, string> = {
  'latest candles (1 asset, 1m, 30)': 'latest candles (1 asset)',
  'latest indicators (7 days, page of 100)': 'latest indicators (page)',
  'active signals (page of 100)': 'active signals (page)',
};

async function load(db: Database) {
  await db.exec(
    "DELETE FROM candles WHERE asset_id IN (SELECT id FROM assets WHERE exchange = 'BENCH'); DELETE FROM assets WHERE exchange = 'BENCH';",
  );
  await db.query(
    `INSERT INTO assets (symbol, name, asset_type, exchange) SELECT 'Q' || lpad(g::text, 4, '0'), 'bench', 'stock', 'BENCH' FROM generate_series(1, $1) g`,
    [assets],
  );
  const ids = (
    await db.query<{ id: string }>("SELECT id FROM assets WHERE exchange = 'BENCH' ORDER BY symbol")
  ).rows.map((r) => r.id);
  // 1m candles, a chunk of assets per statement so each stays small (the embedded heap is 2 GB).
  const end = Date.UTC(2026, 0, 1);
  const per = Math.max(1, Math.floor(500_000 / candles));
  for (let i = 0; i < ids.length; i += per) {
    await db.query(
      `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume)
       SELECT a, $2::timestamptz - (g * interval '1 minute'), '1m', p, p * 1.01, p * 0.99, p * (1 + sin(g) / 200), 100 + g % 50
       FROM unnest($1::uuid[]) a, generate_series(1, $3) g, LATERAL (SELECT 100 + 10 * sin(g / 100.0) AS p) x`,
      [ids.slice(i, i + per), new Date(end), candles],
    );
  }
  await db.query(
    `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume)
     SELECT a, $2::timestamptz - (g * interval '1 day'), '1d', p, p * 1.03, p * 0.97, p * (1 + sin(g) / 50), 10000
     FROM unnest($1::uuid[]) a, generate_series(1, $3) g, LATERAL (SELECT 100 + 10 * sin(g / 10.0) AS p) x`,
    [ids, new Date(end), days],
  );
  await db.query(
    `INSERT INTO indicators (asset_id, ts, indicator_type, name, value, timeframe)
     SELECT a, now() - (g * interval '6 hours'), 'sma', 'sma_20', g, '1d' FROM unnest($1::uuid[]) a, generate_series(1, 40) g`,
    [ids],
  );
  await db.query(
    `INSERT INTO signals (asset_id, ts, signal_type, strength, confidence, price, strategy, timeframe, is_active)
     SELECT a, now() - (g * interval '1 day'), 'buy', 0.5, 0.5, 100, 'bench', '1d', g % 3 <> 0 FROM unnest($1::uuid[]) a, generate_series(1, 20) g`,
    [ids],
  );
  // Plain SQL is not a tm write path: record the series as tm's writers (and tm analyze) do.
  await refreshSeries(db);
  // What the aggregate's refresh policy does on its next run (every 10 minutes, up to an hour ago).
  if ((await priceStatsPlan(db)).source === 'aggregate')
    await db.exec("CALL refresh_continuous_aggregate('candle_price_stats', NULL, now() - INTERVAL '1 hour')");
  if (db.backend === 'embedded') await db.exec('CHECKPOINT');
  await db.exec('ANALYZE');
  return ids;
}

const { db, cleanup } = await openBenchDb();
try {
  if (process.argv.includes('--daily-years')) {
    await dailyYears(db, arg('daily-years', 25), runs);
  } else await common(db);
} finally {
  await cleanup();
}

async function common(db: Database) {
  const dbInfo = await describeDb(db);
  console.log(
    `bench:queries — ${assets} assets × ${candles} 1m candles + ${days} daily, ${runs} runs — ${dbInfo} — ${machine()}`,
  );
  const t0 = performance.now();
  const ids = await load(db);
  console.log(`loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const one = ids[Math.floor(ids.length / 2)];
  const cases: [string, () => Promise<unknown>, () => Promise<unknown>][] = [
    [
      'latest candles (1 asset, 1m, 30)',
      () => latestCandles(db, { assetId: one, interval: '1m', limit: 30 }),
      () => db.query(SEED_SQL.latestCandles, [one, '1m', 30]),
    ],
    // The two long lists: ours is the API's first page (100 rows) in the seed's order; the seed's returns every row.
    [
      'latest indicators (7 days, page of 100)',
      () => latestIndicators(db, { days: 7, limit: PAGE }),
      () => db.query(SEED_SQL.latestIndicators),
    ],
    ['active signals (page of 100)', () => activeSignals(db, { limit: PAGE }), () => db.query(SEED_SQL.activeSignals)],
    ['latest signal per asset', () => latestSignals(db), () => db.query(SEED_SQL.latestSignals)],
    ['price stats (1d)', () => priceStats(db, { interval: '1d' }), () => db.query(SEED_SQL.priceStats)],
    ['price changes (1d)', () => priceChanges(db, { interval: '1d' }), () => db.query(SEED_SQL.priceChanges)],
  ];
  const rows: Record<string, string | number>[] = [];
  const groups: BarGroup[] = [];
  const ms = (v: number) => v.toFixed(1);
  for (const [name, ours, seed] of cases) {
    const a = await time(ours, runs);
    const b = await time(seed, runs);
    const speedup = b.p50 / a.p50;
    groups.push({
      label: CHART_LABELS[name] ?? name,
      bars: [
        { series: 'ours', value: a.p50 },
        { series: "seed's SQL", value: b.p50 },
      ],
      note: `${speedup.toFixed(1)}× ${speedup >= 5 || a.p50 <= 5 ? '✓' : '✗'}${a.p50 <= 5 ? ' (≤5 ms)' : ''}`,
    });
    rows.push({
      query: name,
      'ours p50 ms': ms(a.p50),
      'ours p95 ms': ms(a.p95),
      'seed p50 ms': ms(b.p50),
      'seed p95 ms': ms(b.p95),
    });
  }
  const end = new Date(Date.UTC(2026, 0, 1));
  const dayAgo = new Date(end.getTime() - 86_400_000);
  const stored = await time(
    () => candleRange(db, { assetId: one, interval: '1m', from: dayAgo, to: end, limit: 10_000 }),
    runs,
  );
  const rolled = await time(
    () => candleRange(db, { assetId: one, interval: '1h', from: dayAgo, to: end, limit: 10_000 }),
    runs,
  );
  rows.push({
    query: 'range 1m, 1 day (stored)',
    'ours p50 ms': ms(stored.p50),
    'ours p95 ms': ms(stored.p95),
    'seed p50 ms': '-',
    'seed p95 ms': '-',
  });
  rows.push({
    query: 'range 1h, 1 day (rollup of 1m)',
    'ours p50 ms': ms(rolled.p50),
    'ours p95 ms': ms(rolled.p95),
    'seed p50 ms': '-',
    'seed p95 ms': '-',
  });
  printTable(rows);
  writeReport({
    name: `queries-${db.backend}`,
    title: `Common queries, ${db.backend}: ours vs the seed's SQL (${assets} assets × ${candles} 1m + ${days} 1d)`,
    unit: 'ms (p50)',
    better: 'lower',
    scale: 'group',
    groups,
    details: { database: dbInfo, assets, candles, days, runs, priceStats: await priceStatsPlan(db), table: rows },
  });
  if (process.argv.includes('--keep')) return; // the data stays for EXPLAIN
  await db.exec(
    "DELETE FROM candles WHERE asset_id IN (SELECT id FROM assets WHERE exchange = 'BENCH'); DELETE FROM assets WHERE exchange = 'BENCH';",
  );
}
