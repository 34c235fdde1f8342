/**
 * The admin sync API (both backends), /health naming a failing provider, and tm serve keeping a
 * linked asset current from the local provider server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openEmbedded } from '../../src/db/pglite.ts';
import { Migrator } from '../../src/db/migrate/migrator.ts';
import type { Database } from '../../src/db/types.ts';
import { addSource } from '../../src/sync/sources.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { adminHeaders, tokenFor } from '../helpers/auth.ts';
import { startFakeMarkets, type FakeMarkets } from '../helpers/fake-markets.ts';

const T0 = Date.parse('2024-01-01T00:00:00Z');
let fake: FakeMarkets;
const saved = { ...process.env };
before(async () => {
  fake = await startFakeMarkets();
  fake.markets.set('APIUSDT', { listedFrom: T0, missing: (t) => t === T0 + 5 * 3_600_000 });
  fake.markets.set('LIVEUSDT', { listedFrom: T0 });
  // The API creates providers from the process environment.
  Object.assign(process.env, { TM_BINANCE_URL: fake.url, TM_COINBASE_URL: fake.url, TM_SYNC_RETRY_BASE_MS: '5' });
});
after(async () => {
  process.env = saved;
  await fake.close();
});

forEachBackend('admin sync API', (open) => {
  let db: Database;
  let app: FastifyInstance;
  let admin: { authorization: string };
  before(async () => {
    db = await open();
    app = await buildApp({ db, config: loadConfig({}) });
    admin = await adminHeaders(app);
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  test('sources, backfill, status, gaps, remove; admins only', async () => {
    const user = await tokenFor(app);
    const denied = await app.inject({
      method: 'GET',
      url: '/api/admin/sync/status',
      headers: { authorization: user.authorization },
    });
    assert.equal(denied.statusCode, 403);
    const add = await app.inject({
      method: 'POST',
      url: '/api/admin/sync/sources',
      headers: admin,
      payload: { asset: 'APIUSDT', provider: 'binance', intervals: ['1h'] },
    });
    assert.equal(add.statusCode, 201, add.body);
    assert.equal(add.json().asset, 'APIUSDT:BINANCE');
    const bad = await app.inject({
      method: 'POST',
      url: '/api/admin/sync/sources',
      headers: admin,
      payload: { asset: 'X', provider: 'kraken', intervals: ['1w'] },
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().detail, /kraken does not serve 1w candles/);

    const fill = await app.inject({
      method: 'POST',
      url: '/api/admin/sync/backfill',
      headers: admin,
      payload: { asset: 'APIUSDT', interval: '1h', from: '2024-01-01', to: '2024-01-02' },
    });
    assert.equal(fill.statusCode, 200, fill.body);
    assert.deepEqual([fill.json().inserted, fill.json().gaps, fill.json().requests], [23, 1, 1]);
    const gaps = await app.inject({
      method: 'GET',
      url: '/api/admin/sync/gaps?asset=APIUSDT&interval=1h',
      headers: admin,
    });
    assert.deepEqual(
      gaps.json().map((g: { from_ts: string; to_ts: string }) => [g.from_ts, g.to_ts]),
      [['2024-01-01T05:00:00.000Z', '2024-01-01T06:00:00.000Z']],
    );
    const status = await app.inject({ method: 'GET', url: '/api/admin/sync/status', headers: admin });
    assert.deepEqual(
      status.json().map((s: { asset: string; state: string; gaps: number }) => [s.asset, s.state, s.gaps]),
      [['APIUSDT:BINANCE', 'ok', 1]],
    );
    const del = await app.inject({ method: 'DELETE', url: '/api/admin/sync/sources/APIUSDT', headers: admin });
    assert.equal(del.statusCode, 200);
    assert.equal(
      (await app.inject({ method: 'GET', url: '/api/admin/sync/sources', headers: admin })).json().length,
      0,
    );
  });

  test('linking refuses a symbol with markup and Polygon without a key, creating nothing', async () => {
    const link = (body: object) =>
      app.inject({ method: 'POST', url: '/api/admin/sync/sources', headers: admin, payload: body });
    const markup = await link({ asset: '<B>X</B>', provider: 'binance', intervals: ['1h'] });
    assert.equal(markup.statusCode, 400);
    assert.match(markup.json().detail, /must be a symbol of letters, digits/);
    const savedKey = { key: process.env.POLYGON_API_KEY, file: process.env.TM_POLYGON_API_KEY_FILE };
    delete process.env.POLYGON_API_KEY;
    delete process.env.TM_POLYGON_API_KEY_FILE;
    try {
      const polygon = await link({ asset: 'NOKEY', provider: 'polygon', intervals: ['1d'] });
      assert.equal(polygon.statusCode, 400);
      assert.match(polygon.json().detail, /Polygon needs an API key: set POLYGON_API_KEY/);
    } finally {
      if (savedKey.key !== undefined) process.env.POLYGON_API_KEY = savedKey.key;
      if (savedKey.file !== undefined) process.env.TM_POLYGON_API_KEY_FILE = savedKey.file;
    }
    const assets = await db.query<{ symbol: string }>(
      "SELECT symbol FROM assets WHERE symbol IN ('<B>X</B>', 'NOKEY', '<B>X</B>')",
    );
    assert.deepEqual(assets.rows, [], 'no asset was created');
    // A symbol with an exchange and a dot is fine.
    const ok = await link({ asset: 'BRK.B:NYSE', provider: 'binance', market: 'APIUSDT', intervals: ['1h'] });
    assert.equal(ok.statusCode, 201, ok.body);
  });

  test('/health is degraded and names a provider that keeps failing, without its error text; the admin doctor tells it', async () => {
    await addSource(db, { asset: 'NOPE-USD', provider: 'coinbase', intervals: ['1h'] });
    for (let i = 0; i < 3; i++) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/admin/sync/backfill',
        headers: admin,
        payload: { asset: 'NOPE-USD', interval: '1h', from: '2024-01-01', to: '2024-01-02' },
      });
      assert.equal(r.statusCode, 404);
      assert.match(r.json().detail, /Coinbase does not list the product "NOPE-USD"/);
    }
    const h = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(h.json().status, 'degraded');
    assert.deepEqual(h.json().sync, { status: 'failing', failing_providers: ['coinbase'] });
    assert.doesNotMatch(h.body, /does not list/);
    // The admin doctor route has the sync check of tm doctor, error included (administrators only).
    const doctor = await app.inject({ method: 'GET', url: '/api/admin/db/doctor', headers: admin });
    assert.equal(doctor.statusCode, 200, doctor.body);
    const check = doctor.json().checks.find((c: { check: string }) => c.check === 'sync from coinbase');
    assert.equal(check?.status, 'warning');
    assert.match(
      check?.detail ?? '',
      /1 of 1 market interval\(s\) keep failing: .*does not list the product "NOPE-USD"/,
    );
  });
});

test('tm serve keeps a linked asset current', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-sync-serve-'));
  const dataDir = path.join(dir, 'data');
  const template = process.env.TM_TEST_PGLITE_TEMPLATE;
  let db = await openEmbedded({ dataDir, ...(template ? { loadDataDir: new Blob([readFileSync(template)]) } : {}) });
  try {
    if (!template) await new Migrator(db).upgrade('head');
    await addSource(db, { asset: 'LIVEUSDT', provider: 'binance', intervals: ['1m', '1h'] });
  } finally {
    await db.close();
  }
  const child = spawn(process.execPath, [path.resolve('bin/tm.js'), 'serve', '--port', '0'], {
    env: { ...process.env, DATABASE_URL: '', TM_DATA_DIR: dataDir, TM_LOG: '0', TM_SYNC_TICK_MS: '500' },
  });
  let stderr = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no sync within 60 s:\n${stderr}`)), 60_000);
      child.stderr.on('data', (d) => {
        stderr += d;
        if (
          /sync: LIVEUSDT:BINANCE 1m from binance: \d+ new/.test(stderr) &&
          /LIVEUSDT:BINANCE 1h from binance/.test(stderr)
        ) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await new Promise<number | null>((r) => child.on('close', r)), 0, stderr);
  db = await openEmbedded({ dataDir });
  try {
    const r = await db.query<{ interval: string; hi: Date }>(
      `SELECT "interval"::text AS "interval", max(ts) AS hi FROM candles GROUP BY 1 ORDER BY 1`,
    );
    const now = Date.now();
    const latest = Object.fromEntries(r.rows.map((x) => [x.interval, x.hi.getTime()]));
    assert.ok(now - latest['1m'] < 3 * 60_000, `latest 1m candle ${new Date(latest['1m']).toISOString()}`);
    assert.ok(now - latest['1h'] < 2 * 3_600_000 + 60_000, `latest 1h candle ${new Date(latest['1h']).toISOString()}`);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
