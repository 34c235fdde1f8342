/**
 * The pieces working together over HTTP: a user's watchlist alert fires when an admin posts crossing
 * candles, and the write log makes stored indicators recompute from a re-imported candle.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/types.ts';
import { computeIndicators, indicatorSpecs } from '../../src/analysis/compute-indicators.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { adminHeaders } from '../helpers/auth.ts';

const day = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString();
const candle = (i: number, close: number) => ({
  ts: day(i),
  open: close,
  high: close + 1,
  low: close - 1,
  close,
  volume: 1000,
});

forEachBackend('ingest flow', (open) => {
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

  test('register, login, watch an asset with an alert; posted candles that cross it list one alert', async () => {
    const asset = await app.inject({
      method: 'POST',
      url: '/api/assets',
      headers: admin,
      payload: { symbol: 'acme', name: 'Acme Corp', asset_type: 'stock' },
    });
    assert.equal(asset.statusCode, 201, asset.body);
    const assetId = asset.json().id as string;
    const reg = await app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { username: 'trader', email: 'trader@example.com', password: 'correct horse battery' },
    });
    assert.equal(reg.statusCode, 202, reg.body);
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'trader', password: 'correct horse battery' },
    });
    assert.equal(login.statusCode, 200, login.body);
    const user = { authorization: `Bearer ${login.json().access_token}` };
    const wl = await app.inject({ method: 'POST', url: '/api/watchlists', headers: user, payload: { name: 'Main' } });
    assert.equal(wl.statusCode, 201, wl.body);
    const item = await app.inject({
      method: 'POST',
      url: `/api/watchlists/${wl.json().id}/items`,
      headers: user,
      payload: { asset_id: assetId, price_alert_high: 110 },
    });
    assert.equal(item.statusCode, 201, item.body);

    const quiet = await app.inject({
      method: 'POST',
      url: '/api/candles',
      headers: admin,
      payload: { symbol: 'ACME', interval: '1d', candles: [candle(0, 100), candle(1, 105)] },
    });
    assert.equal(quiet.statusCode, 200, quiet.body);
    assert.equal(quiet.json().inserted, 2);
    assert.equal(quiet.json().alerts_fired, 0);
    const cross = await app.inject({
      method: 'POST',
      url: '/api/candles',
      headers: admin,
      payload: { symbol: 'ACME', interval: '1d', candles: [candle(2, 112), candle(3, 115)] },
    });
    assert.equal(cross.json().alerts_fired, 1, 'one crossing, one alert');
    const alerts = await app.inject({ method: 'GET', url: '/api/alerts', headers: user });
    assert.equal(alerts.statusCode, 200);
    const items = alerts.json().items as { direction: string; threshold: number; price: number; symbol: string }[];
    assert.equal(items.length, 1);
    assert.equal(items[0].direction, 'above');
    assert.equal(items[0].threshold, 110);
    assert.equal(items[0].price, 112);
    // Another user sees none of it.
    const other = await app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { username: 'other', email: 'other@example.com', password: 'another long password' },
    });
    assert.equal(other.statusCode, 202);
    const otherLogin = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'other', password: 'another long password' },
    });
    const otherAlerts = await app.inject({
      method: 'GET',
      url: '/api/alerts',
      headers: { authorization: `Bearer ${otherLogin.json().access_token}` },
    });
    assert.deepEqual(otherAlerts.json().items, []);
  });

  test('every import batch is logged, and a re-imported candle makes stored indicators recompute from it', async () => {
    const candles = Array.from({ length: 60 }, (_, i) => candle(10 + i, 100 + Math.sin(i / 3) * 5));
    const first = await app.inject({
      method: 'POST',
      url: '/api/candles',
      headers: admin,
      payload: { symbol: 'RECO', asset_type: 'stock', interval: '1d', candles },
    });
    assert.equal(first.json().inserted, 60, first.body);
    const assetId = first.json().written[0].asset_id as string;
    const log = await db.query<{ rows: number }>('SELECT rows FROM candle_writes WHERE asset_id = $1', [assetId]);
    assert.deepEqual(
      log.rows.map((r) => r.rows),
      [60],
    );
    const specs = indicatorSpecs(['sma'], { period: 5 });
    const r1 = await computeIndicators(db, [assetId], '1d', specs);
    assert.equal(r1[0].written, 56);
    const changed = [{ ...candles[40], close: 150, high: 151 }];
    const second = await app.inject({
      method: 'POST',
      url: '/api/candles',
      headers: admin,
      payload: { symbol: 'RECO', interval: '1d', candles: changed },
    });
    assert.equal(second.json().updated, 1, second.body);
    const r2 = await computeIndicators(db, [assetId], '1d', specs);
    assert.equal(r2[0].recomputed, true);
    assert.equal(r2[0].from?.toISOString(), candles[40].ts);
    const sma = await db.query<{ value: number }>(
      "SELECT value FROM indicators WHERE asset_id = $1 AND name = 'sma_5' AND ts = $2",
      [assetId, candles[40].ts],
    );
    const expected = (candles.slice(36, 40).reduce((n, c) => n + c.close, 0) + 150) / 5;
    assert.ok(Math.abs(sma.rows[0].value - expected) < 1e-9, `${sma.rows[0].value} vs ${expected}`);
  });
});
