/**
 * Price-alert evaluation cost on the embedded database: ASSETS assets with 1m candles, ITEMS items
 * with thresholds spread over them, then evaluateAlerts after each simulated import batch.
 *   npm run bench:alerts -- [assets=200] [items=2000] [candlesPerAsset=2000] [--out DIR]
 * Figures and chart: docs/bench/alerts.{json,svg}.
 */
import { performance } from 'node:perf_hooks';
import { evaluateAlerts } from '../src/accounts/alerts.ts';
import { Migrator } from '../src/db/migrate/migrator.ts';
import { openEmbedded } from '../src/db/pglite.ts';
import { writeReport, type BarGroup } from './report.ts';

// Positional sizes; --out DIR (report.ts) and its value are not among them.
const positional = process.argv.slice(2).filter((a, i, all) => a !== '--out' && all[i - 1] !== '--out');
const [assets = 200, items = 2000, perAsset = 2000] = positional.map(Number);
const db = await openEmbedded({ dataDir: 'memory://' });
const groups: BarGroup[] = [];
/** Prints one figure; `short` (the chart's label) puts it in the chart. */
const t = (label: string, ms: number, extra = '', short = '') => {
  console.log(`${label.padEnd(44)} ${ms.toFixed(1).padStart(9)} ms ${extra}`);
  if (short) groups.push({ label: short, bars: [{ series: 'evaluateAlerts', value: ms }], note: extra || undefined });
};

try {
  await new Migrator(db).upgrade('head');
  const t0 = performance.now();
  await db.query(`INSERT INTO users (username, email, password_hash)
    SELECT 'u' || g, 'u' || g || '@example.com', 'x' FROM generate_series(1, 100) g`);
  await db.query(`INSERT INTO watchlists (user_id, name, is_default) SELECT id, 'w', true FROM users`);
  await db.query(
    `INSERT INTO assets (symbol, name, asset_type) SELECT 'A' || g, 'A' || g, 'stock' FROM generate_series(1, $1::int) g`,
    [assets],
  );
  // Items: user k watches assets k, k+100, ... (unique per list), thresholds 95/105 around a 100 start.
  await db.query(
    `INSERT INTO watchlist_items (watchlist_id, asset_id, position, price_alert_high, price_alert_low)
     SELECT w.id, a.id, row_number() OVER (PARTITION BY w.id ORDER BY a.id) - 1, 105 + (n % 7), 95 - (n % 5)
     FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM assets) a
     JOIN (SELECT w.id, row_number() OVER (ORDER BY w.id) AS k FROM watchlists w) w ON true
     WHERE ((a.n + w.k) % greatest(1, (100 * $1::int) / $2::int)) = 0`,
    [assets, items],
  );
  const nItems = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM watchlist_items')).rows[0].n;
  // A random walk per asset, 1m candles.
  await db.query(
    `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume)
     SELECT a.id, timestamptz '2025-01-01' + (g * interval '1 minute'), '1m', p, p, p, p, 1
     FROM assets a, generate_series(0, $1::int - 1) g,
          LATERAL (SELECT 100 + 10 * sin(g / 50.0 + hashtext(a.id::text) % 100) AS p) x`,
    [perAsset],
  );
  await db.exec('CHECKPOINT');
  const setupMs = performance.now() - t0;
  t(`setup: ${assets} assets, ${nItems} items, ${assets * perAsset} candles`, setupMs);

  const ids = (await db.query<{ id: string }>('SELECT id FROM assets')).rows.map((r) => r.id);
  let s = performance.now();
  let ev = await evaluateAlerts(db, ids);
  t('first evaluation (creates states)', performance.now() - s, `${ev.length} events`, 'first evaluation');
  s = performance.now();
  ev = await evaluateAlerts(db, ids);
  t('re-evaluation, no new candles', performance.now() - s, `${ev.length} events`, 'no new candles');

  const runs: number[] = [];
  let events = 0;
  for (let batch = 0; batch < 10; batch++) {
    // An import batch: 60 new minutes per asset.
    await db.query(
      `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume)
       SELECT a.id, timestamptz '2025-01-01' + ((g) * interval '1 minute'), '1m', p, p, p, p, 1
       FROM assets a, generate_series($1::int, $1::int + 59) g,
            LATERAL (SELECT 100 + 10 * sin(g / 50.0 + hashtext(a.id::text) % 100) AS p) x`,
      [perAsset + batch * 60],
    );
    s = performance.now();
    events += (await evaluateAlerts(db, ids)).length;
    runs.push(performance.now() - s);
  }
  runs.sort((a, b) => a - b);
  t('after a 60-candle batch per asset (median of 10)', runs[5], `${events} events`, 'after a 60-candle batch');
  s = performance.now();
  ev = await evaluateAlerts(db, ids.slice(0, 1));
  t('one asset', performance.now() - s, '', 'one asset');
  writeReport({
    name: 'alerts',
    title: `Price-alert evaluation, embedded: ${assets} assets, ${nItems} items`,
    unit: 'ms',
    better: 'lower',
    groups,
    details: { assets, items: nItems, candlesPerAsset: perAsset, setupMs },
  });
} finally {
  await db.close();
}
