/**
 * Notification delivery: EVENTS price-alert events (one statement, as the importer fires them) to a
 * webhook on a local receiver, sent by the delivery worker tm serve runs.
 *   npm run bench:notify -- [--events 10000] [--concurrency 16]
 * Embedded by default; DATABASE_URL for a server (a scratch database: it adds BENCH rows).
 * Prints deliveries/s and event -> delivery latency (p50/p99: the event's commit to the receiver's 2xx).
 * Figures and chart: docs/bench/notify-<backend>.{json,svg} (--out DIR elsewhere).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { evaluateAlerts } from '../src/accounts/alerts.ts';
import { refreshSeries } from '../src/market/candle-series.ts';
import { createChannel } from '../src/notify/channels.ts';
import { notifySettings } from '../src/notify/settings.ts';
import { startDeliveryWorker } from '../src/notify/worker.ts';
import { arg, openBenchDb } from './common.ts';
import { writeReport } from './report.ts';

const events = arg('events', 10_000);
const concurrency = arg('concurrency', 16);
const { db, cleanup } = await openBenchDb();
let received = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received++;
    res.writeHead(204).end();
  });
});
await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

try {
  const t0 = performance.now();
  const user = await db.query<{ id: string }>(
    `INSERT INTO users (username, email, password_hash) VALUES ('bench_notify', 'bench_notify@example.com', 'x')
     ON CONFLICT DO NOTHING RETURNING id`,
  );
  if (!user.rows[0]) throw new Error('user bench_notify exists: use a scratch database');
  const userId = user.rows[0].id;
  const wl = await db.query<{ id: string }>(
    `INSERT INTO watchlists (user_id, name) VALUES ($1, 'bench') RETURNING id`,
    [userId],
  );
  const assets = await db.query<{ id: string }>(
    `INSERT INTO assets (symbol, name, asset_type, exchange)
     SELECT 'BENCHN' || g, 'bench', 'stock', 'BENCH' FROM generate_series(1, $1::int) g RETURNING id`,
    [events],
  );
  const ids = assets.rows.map((r) => r.id);
  await db.query(
    `INSERT INTO watchlist_items (watchlist_id, asset_id, position, price_alert_high)
     SELECT $1, id, row_number() OVER (ORDER BY id) - 1, 110 FROM unnest($2::uuid[]) id`,
    [wl.rows[0].id, ids],
  );
  const candles = (ts: string, close: number) =>
    db.query(
      `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume)
       SELECT id, $2, '1m', $3, $3, $3, $3, 1 FROM unnest($1::uuid[]) id`,
      [ids, ts, close],
    );
  await candles('2025-01-01T00:00:00Z', 100);
  for (let i = 0; i < ids.length; i += 1000) await refreshSeries(db, ids.slice(i, i + 1000));
  for (let i = 0; i < ids.length; i += 1000) await evaluateAlerts(db, ids.slice(i, i + 1000));
  await createChannel(db, userId, { kind: 'webhook', target: url }, { allowPrivate: true, isAdmin: false });
  await candles('2025-01-01T00:01:00Z', 120);
  for (let i = 0; i < ids.length; i += 1000) await refreshSeries(db, ids.slice(i, i + 1000));
  console.log(`setup: ${events} assets and alert items: ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  let s = performance.now();
  let fired = 0;
  for (let i = 0; i < ids.length; i += 1000) fired += (await evaluateAlerts(db, ids.slice(i, i + 1000))).length;
  console.log(`${fired} alert events with their outbox rows: ${(performance.now() - s).toFixed(0)} ms`);

  s = performance.now();
  // One local receiver stands for many destinations: the per-destination limit would cap the figure at 4.
  const settings = { ...notifySettings({}), allowPrivate: true, concurrency, perDestination: concurrency, pollMs: 50 };
  const worker = startDeliveryWorker(db, { log: (l) => console.log(l), settings });
  while (received < fired) await new Promise((r) => setTimeout(r, 20));
  await worker.stop();
  const secs = (performance.now() - s) / 1000;
  const lat = await db.query<{ p50: number; p99: number; n: number }>(
    `SELECT count(*)::int AS n,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM delivered_at - created_at))::float8 * 1000 AS p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM delivered_at - created_at))::float8 * 1000 AS p99
     FROM notification_deliveries WHERE user_id = $1 AND status = 'delivered'`,
    [userId],
  );
  const l = lat.rows[0];
  console.log(`backend: ${db.backend}; concurrency ${concurrency}`);
  console.log(`delivered ${l.n} of ${fired} in ${secs.toFixed(2)} s: ${(l.n / secs).toFixed(0)} deliveries/s`);
  console.log(`event -> delivery: p50 ${l.p50.toFixed(0)} ms, p99 ${l.p99.toFixed(0)} ms (all events fired at once)`);
  writeReport({
    name: `notify-${db.backend}`,
    title: `Notification delivery: ${fired} events to a local webhook, ${db.backend}`,
    unit: 'ms from the event to the receiver',
    better: 'lower',
    groups: [
      { label: 'p50', bars: [{ series: 'latency', value: l.p50 }] },
      { label: 'p99', bars: [{ series: 'latency', value: l.p99 }] },
    ],
    details: { events: fired, delivered: l.n, seconds: secs, perSecond: l.n / secs, concurrency, backend: db.backend },
  });
} finally {
  server.close();
  await cleanup();
}
