/**
 * bench:queries --daily-years N: one symbol with N years of daily bars in the seed's 7-day chunks.
 * Prints the import rate (tm's import path) and the latest 30 candles, ours vs the seed's SQL: the
 * client's time (planning included) and EXPLAIN ANALYZE's planning and execution times.
 */
import type { Database } from '../src/db/types.ts';
import { importCandles } from '../src/market/import/importer.ts';
import type { RawCandle } from '../src/market/import/validate.ts';
import { SEED_SQL, latestCandles } from '../src/market/queries.ts';
import { describeDb, machine, printTable, time } from './common.ts';

const DAY = 86_400_000;

async function* bars(symbol: string, days: number, start: number): AsyncIterable<RawCandle> {
  for (let i = 0; i < days; i++) {
    const p = 50 + 20 * Math.sin(i / 90) + i / 200;
    yield {
      line: i + 1,
      symbol,
      ts: new Date(start + i * DAY).toISOString(),
      open: p,
      high: p * 1.02,
      low: p * 0.98,
      close: p * 1.005,
      volume: 1e6 + (i % 1000),
    };
  }
}

async function explainTimes(
  db: Database,
  sql: string,
  params: unknown[],
): Promise<{ planning: number; execution: number; chunks: number }> {
  const r = await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
  const raw = r.rows[0]['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as {
    'Planning Time': number;
    'Execution Time': number;
  }[];
  const text = JSON.stringify(plan);
  return {
    planning: plan[0]['Planning Time'],
    execution: plan[0]['Execution Time'],
    chunks: new Set(text.match(/_hyper_\d+_\d+_chunk/g) ?? []).size,
  };
}

export async function dailyYears(db: Database, years: number, runs: number): Promise<void> {
  const days = Math.round(years * 365.25);
  const symbol = `DAILY${years}`;
  console.log(
    `bench:queries --daily-years ${years} — ${days} daily bars of ${symbol}, ${runs} runs — ${await describeDb(db)} — ${machine()}`,
  );
  await db.query('DELETE FROM candles WHERE asset_id IN (SELECT id FROM assets WHERE symbol = $1)', [symbol]);
  const start = Date.UTC(2026, 0, 1) - days * DAY;
  const t0 = performance.now();
  await importCandles(db, bars(symbol, days, start), { interval: '1d', createAssetType: 'stock' });
  const secs = (performance.now() - t0) / 1000;
  const assetId = (await db.query<{ id: string }>('SELECT id FROM assets WHERE symbol = $1', [symbol])).rows[0].id;
  const chunks = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'candles'",
  );
  console.log(
    `imported ${days} bars in ${secs.toFixed(1)} s (${Math.round(days / secs)} rows/s); candles has ${chunks.rows[0].n} chunks`,
  );
  await db.exec('ANALYZE candles');

  // The statement latestCandles sends (its first window), for EXPLAIN.
  const ours = await time(() => latestCandles(db, { assetId, interval: '1d', limit: 30 }), runs);
  const seed = await time(() => db.query(SEED_SQL.latestCandles, [assetId, '1d', 30]), runs);
  const lower = new Date(start + (days - 1) * DAY - Math.max(2 * 30 * DAY, 14 * DAY));
  const oursPlan = await explainTimes(
    db,
    `SELECT ts, open, high, low, close, volume FROM candles
       WHERE asset_id = $1 AND "interval" = $2 AND ts >= $5 ORDER BY ts DESC LIMIT $3 OFFSET $4`,
    [assetId, '1d', 30, 0, lower],
  );
  const seedPlan = await explainTimes(db, SEED_SQL.latestCandles, [assetId, '1d', 30]);
  const ms = (v: number) => v.toFixed(1);
  printTable([
    {
      query: 'latest 30 daily candles: ours',
      'p50 ms': ms(ours.p50),
      'p95 ms': ms(ours.p95),
      'planning ms': ms(oursPlan.planning),
      'execution ms': ms(oursPlan.execution),
      'chunks in plan': oursPlan.chunks,
    },
    {
      query: "latest 30 daily candles: seed's SQL",
      'p50 ms': ms(seed.p50),
      'p95 ms': ms(seed.p95),
      'planning ms': ms(seedPlan.planning),
      'execution ms': ms(seedPlan.execution),
      'chunks in plan': seedPlan.chunks,
    },
  ]);
  await db.query('DELETE FROM candles WHERE asset_id = $1', [assetId]);
  await db.query('DELETE FROM assets WHERE id = $1', [assetId]);
}
