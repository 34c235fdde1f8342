/**
 * The whole flow through Debian's pgbouncer in transaction pooling mode (three server connections for
 * many clients, so a client's consecutive transactions move between them): migrate through
 * DATABASE_DIRECT_URL, import, the common queries, an alert, a compression job, doctor. Sessions
 * (migration lock, import staging) go to the direct URL; everything else is pooled.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openServer } from '../../src/db/server.ts';
import type { Database } from '../../src/db/types.ts';
import { withDatabase } from '../../src/db/url.ts';
import { adminHeaders, tokenFor } from '../helpers/auth.ts';
import { serverDb, timescaleServerSkip, type ServerTestDb } from '../helpers/db.ts';
import { pgbouncerSkip, startPgbouncer, type Bouncer } from '../helpers/pgbouncer.ts';
import { tm } from '../helpers/tm.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
const day = (i: number) => new Date(T0 + i * DAY).toISOString();

describe('through pgbouncer in transaction mode [server]', { skip: timescaleServerSkip ?? pgbouncerSkip }, () => {
  let bouncer: Bouncer;
  let direct: ServerTestDb;
  let env: NodeJS.ProcessEnv;
  let work: string;
  let db: Database;
  let app: FastifyInstance;

  before(async () => {
    bouncer = await startPgbouncer(process.env.TM_TEST_PG_URL as string, { poolSize: 3 });
    direct = await serverDb({ migrated: false });
    // pgbouncer 1.18 drops tm's startup option -c TimeZone=UTC: the database's setting stands in.
    await direct.exec(`ALTER DATABASE ${direct.name} SET timezone TO 'UTC'`);
    env = { DATABASE_URL: withDatabase(bouncer.url, direct.name), DATABASE_DIRECT_URL: direct.url };
    work = mkdtempSync(path.join(os.tmpdir(), 'tm-pgbouncer-test-'));
  });
  after(async () => {
    await app?.close();
    await db?.close();
    await direct?.close();
    bouncer?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const run = async (args: string[]) => {
    const r = await tm(args, env);
    assert.equal(r.code, 0, `tm ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  test('the CLI: migrate (direct URL), import, common queries, a compression job, doctor', async () => {
    await run(['migrate', 'upgrade', 'head']);
    const file = path.join(work, 'acme.csv');
    const rows = Array.from({ length: 400 }, (_, i) => `${day(i)},${100 + i},${101 + i},${99 + i},${100 + i},1000`);
    writeFileSync(file, `ts,open,high,low,close,volume\n${rows.join('\n')}\n`);
    const imported = JSON.parse(
      await run(['import', 'candles', file, '--symbol', 'ACME', '--asset-type', 'stock', '--json']),
    );
    assert.equal(imported.inserted, 400);

    const stats = JSON.parse(await run(['query', 'price-stats', '--interval', '1d', '--json']));
    assert.equal(stats[0].symbol, 'ACME');
    assert.equal(stats[0].candle_count, 400);
    const latest = JSON.parse(await run(['query', 'latest-candles', '--symbol', 'ACME', '--limit', '2', '--json']));
    assert.deepEqual(
      latest.map((c: { close: number }) => c.close),
      [499, 498],
    );

    const policy = JSON.parse(await run(['compression', 'policy', 'add', '--after', '30d', '--json']));
    const job = JSON.parse(await run(['jobs', 'run', String(policy.job_id), '--json']));
    assert.equal(job.succeeded, true);
    const status = JSON.parse(await run(['compression', 'status', '--json']));
    assert.ok(status.compressed_chunks > 0, JSON.stringify(status));

    const doctor = await tm(['doctor', '--json'], env);
    const checks = JSON.parse(doctor.stdout).checks as { check: string; status: string }[];
    assert.equal(checks.find((c) => c.check === 'session time zone')?.status, 'ok', doctor.stdout);
    assert.equal(checks.find((c) => c.check === 'migrations')?.status ?? 'ok', 'ok', doctor.stdout);
  });

  test('the API: an import that crosses a watchlist alert fires it; the common queries under concurrency', async () => {
    db = await openServer(env.DATABASE_URL as string, { directUrl: direct.url, max: 12 });
    app = await buildApp({ db, config: loadConfig({ TM_STATS_PER_MINUTE: '100000' }) });
    const admin = await adminHeaders(app);
    const user = await tokenFor(app);
    const asset = (await app.inject({ method: 'GET', url: '/api/assets/ACME' })).json();
    const wl = await app.inject({
      method: 'POST',
      url: '/api/watchlists',
      headers: { authorization: user.authorization },
      payload: { name: 'Main' },
    });
    assert.equal(wl.statusCode, 201, wl.body);
    const item = await app.inject({
      method: 'POST',
      url: `/api/watchlists/${wl.json().id}/items`,
      headers: { authorization: user.authorization },
      payload: { asset_id: asset.id, price_alert_high: 600 },
    });
    assert.equal(item.statusCode, 201, item.body);
    const candle = (i: number, close: number) => ({
      ts: day(i),
      open: close,
      high: close + 1,
      low: close - 1,
      close,
      volume: 10,
    });
    const cross = await app.inject({
      method: 'POST',
      url: '/api/candles',
      headers: admin,
      payload: { symbol: 'ACME', interval: '1d', candles: [candle(400, 550), candle(401, 610)] },
    });
    assert.equal(cross.statusCode, 200, cross.body);
    assert.equal(cross.json().inserted, 2);
    assert.equal(cross.json().alerts_fired, 1);
    const alerts = await app.inject({
      method: 'GET',
      url: '/api/alerts',
      headers: { authorization: user.authorization },
    });
    assert.equal(alerts.json().items[0].price, 610);

    const urls = [
      '/api/queries/latest-candles?symbol=ACME&interval=1d&limit=5',
      '/api/queries/latest-indicators?days=7',
      '/api/queries/active-signals',
      '/api/queries/latest-signals',
      '/api/queries/price-stats?interval=1d',
      '/api/queries/price-changes?interval=1d',
      `/api/candles?symbol=ACME&interval=1w&from=${day(0)}`,
      '/api/markets?interval=1d',
    ];
    const all = await Promise.all(
      Array.from({ length: 48 }, (_, i) => app.inject({ method: 'GET', url: urls[i % urls.length] })),
    );
    assert.deepEqual(
      all.filter((r) => r.statusCode !== 200).map((r) => r.body),
      [],
    );
    const changes = all[5].json().items;
    assert.equal(changes[0].symbol, 'ACME');
    assert.equal(changes[0].current_price, 610);
    // Pooled connections carry no session state: the time zone every one of them runs with is UTC.
    const zones = await Promise.all(
      Array.from({ length: 12 }, () => db.query<{ tz: string }>("SELECT current_setting('TimeZone') AS tz")),
    );
    assert.deepEqual([...new Set(zones.map((z) => z.rows[0].tz))], ['UTC']);
  });
});
