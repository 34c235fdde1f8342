/**
 * Portfolio positions and performance on a long history: ASSETS assets with YEARS of daily candles and
 * TRANSACTIONS transactions spread over them, then tm's positions and performance (whole history and
 * the last year), each timed RUNS times (median), after a first call that builds the daily closes. Embedded by default; DATABASE_URL for a server
 * (a scratch database: it adds users, assets and candles).
 *   npm run bench:portfolio -- [--years 10] [--assets 50] [--transactions 5000] [--runs 3]
 */
import { performance as clock } from 'node:perf_hooks';
import { refreshSeries } from '../src/market/candle-series.ts';
import { createPortfolio, getPortfolio } from '../src/portfolio/portfolios.ts';
import { positions } from '../src/portfolio/positions.ts';
import { performance } from '../src/portfolio/performance.ts';
import { arg, describeDb, machine, openBenchDb } from './common.ts';

const years = arg('years', 10);
const assets = arg('assets', 50);
const transactions = arg('transactions', 5000);
const runs = arg('runs', 3);
const DAY = 86_400_000;
const end = Date.UTC(2026, 0, 1);
const start = end - Math.round(years * 365.25) * DAY;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

// A run that ends before its last figure (a promise that never settled) says so and fails.
let finished = false;
process.on('exit', () => {
  if (finished) return;
  console.error('bench:portfolio ended before its last figure: a database call never settled');
  process.exitCode = 1;
});

const { db, cleanup } = await openBenchDb();
try {
  console.log(`${await describeDb(db)}; ${machine()}`);
  const tag = `pb${Date.now().toString(36)}`;
  let t0 = clock.now();
  const u = await db.query<{ id: string }>(
    `INSERT INTO users (username, email, password_hash) VALUES ($1, $1 || '@example.com', 'x') RETURNING id`,
    [tag],
  );
  const ids = await db.query<{ id: string }>(
    `INSERT INTO assets (symbol, name, asset_type, exchange)
     SELECT $1 || g, $1 || g, 'stock', 'BENCH' FROM generate_series(1, $2::int) g RETURNING id`,
    [tag.toUpperCase(), assets],
  );
  const assetIds = ids.rows.map((r) => r.id);
  // One asset at a time: the embedded backend's statements stay small. A random walk per asset.
  for (const [i, id] of assetIds.entries()) {
    await db.query(
      `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume)
       SELECT $1, ts, '1d', c, c, c, c, 1000 FROM (
         SELECT ts, round((50 + 20 * sin(n / (30.0 + $4::int)) + n * 0.01)::numeric, 2)::float8 AS c
         FROM generate_series($2::timestamptz, $3::timestamptz, interval '1 day') WITH ORDINALITY AS g(ts, n)) x`,
      [id, new Date(start).toISOString(), new Date(end).toISOString(), i],
    );
  }
  await refreshSeries(db, assetIds);
  const p = await createPortfolio(db, u.rows[0].id, { name: 'bench' });
  // Every 3rd trade of an asset sells half of what the two before it bought: never more than held.
  await db.query(
    `INSERT INTO portfolio_transactions (portfolio_id, type, ts, asset_id, quantity, price, fee, currency)
     SELECT $1::uuid, 'deposit', to_timestamp($2::float8 / 1000), NULL, 1, 10000000, 0, 'USD'
     UNION ALL
     SELECT $1::uuid, CASE WHEN (g / $4::int) % 3 = 2 THEN 'sell' ELSE 'buy' END,
            to_timestamp(($2::float8 + (g + 1)::float8 * ($3::float8 - $2::float8) / ($5::int + 1)) / 1000),
            ($6::uuid[])[g % $4::int + 1], 10, 50, 1, 'USD'
     FROM generate_series(0, $5::int - 2) g`,
    [p.id, start, end - DAY, assets, transactions, assetIds],
  );
  console.log(
    `setup: ${assets} assets × ${years} years of daily candles, ${transactions} transactions in ${((clock.now() - t0) / 1000).toFixed(1)} s`,
  );

  const portfolio = await getPortfolio(db, u.rows[0].id, p.id);
  const time = async (label: string, fn: () => Promise<unknown>) => {
    const ms: number[] = [];
    for (let r = 0; r < runs; r++) {
      t0 = clock.now();
      await fn();
      ms.push(clock.now() - t0);
    }
    ms.sort((a, b) => a - b);
    console.log(
      `${label.padEnd(44)} median ${ms[Math.floor(ms.length / 2)].toFixed(0).padStart(6)} ms (runs: ${ms.map((m) => m.toFixed(0)).join(', ')})`,
    );
  };
  await time('positions (FIFO, newest closes)', () => positions(db, portfolio));
  const to = day(end - DAY);
  // The first call builds the daily closes of every priced series (later calls read them).
  t0 = clock.now();
  await performance(db, portfolio, { to, benchmark: assetIds[0] });
  console.log(
    `${'performance, first call (builds daily closes)'.padEnd(44)} ${(clock.now() - t0).toFixed(0).padStart(13)} ms`,
  );
  await time(`performance, whole history (${years} years)`, () =>
    performance(db, portfolio, { to, benchmark: assetIds[0] }),
  );
  await time('performance, last year', () => performance(db, portfolio, { from: day(end - 366 * DAY), to }));
  await time('performance, last 30 days', () => performance(db, portfolio, { from: day(end - 31 * DAY), to }));
  finished = true;
} catch (err) {
  finished = true; // the error is reported as it is
  throw err;
} finally {
  await cleanup();
}
