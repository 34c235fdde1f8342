/**
 * Issue 23, on both backends: credentials in logged URLs (item 9), unknown query parameters of
 * /api/events (9), far candle dates (10) and symbols a spreadsheet would run as formulas (3).
 * Each test failed before its fix.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/types.ts';
import { adminHeaders } from '../helpers/auth.ts';
import { forEachBackend } from '../helpers/backends.ts';

const candle = (ts: string) => ({ ts, open: 10, high: 12, low: 9, close: 11, volume: 100 });

forEachBackend('API hardening, round three', (open) => {
  let db: Database;
  let app: FastifyInstance;
  let admin: { authorization: string };
  const lines: string[] = [];
  const call = (o: InjectOptions) => app.inject(o);
  before(async () => {
    db = await open();
    const logStream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        cb();
      },
    });
    app = await buildApp({
      db,
      config: loadConfig({ TM_MIN_CANDLE_TIME: '1990-01-01', TM_MAX_CANDLE_AHEAD_SECONDS: '3600' }),
      logger: true,
      logStream,
      webDir: false,
    });
    admin = await adminHeaders(app);
    const asset = await call({
      method: 'POST',
      url: '/api/assets',
      headers: admin,
      payload: { symbol: 'FAR', name: 'Far', asset_type: 'stock' },
    });
    assert.equal(asset.statusCode, 201, asset.body);
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  test('credentials in query strings never reach the log, whatever the route', async () => {
    const secrets = ['tok-aaaa1111', 'key-bbbb2222', 'pw-cccc3333', 'sec-dddd4444', 'tok-eeee5555'];
    const urls = [
      `/api/assets?access_token=${secrets[0]}&limit=5`,
      `/api/assets?API_KEY=${secrets[1]}`,
      `/api/nowhere?password=${secrets[2]}&x=1`,
      `/health?client_secret=${secrets[3]}`,
      `/api/assets?access%5Ftoken=${secrets[4]}`,
    ];
    for (const url of urls) await call({ method: 'GET', url });
    const all = lines.join('\n');
    for (const s of secrets) assert.equal(all.includes(s), false, `the log holds ${s}`);
    const logged = lines.map((l) => (JSON.parse(l) as { req?: { url?: string } }).req?.url).filter(Boolean);
    assert.ok(logged.includes('/api/assets?access_token=[Redacted]&limit=5'), logged.join(' | '));
    assert.ok(logged.includes('/api/nowhere?password=[Redacted]&x=1'), logged.join(' | '));
  });

  test('/api/events refuses unknown query parameters with a 400 naming them', async () => {
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const ctl = new AbortController();
    try {
      const r = await fetch(`${base}/api/events?access_token=tok-ffff6666`, { signal: ctl.signal });
      assert.equal(r.status, 400);
      assert.match(((await r.json()) as { detail: string }).detail, /access_token/);
    } finally {
      ctl.abort();
    }
    assert.equal(lines.join('\n').includes('tok-ffff6666'), false);
  });

  test('POST /api/candles refuses candles outside TM_MIN_CANDLE_TIME .. now + TM_MAX_CANDLE_AHEAD_SECONDS, naming the item', async () => {
    const tomorrow = new Date(Date.now() + 86_400_000 * 2).toISOString().slice(0, 10);
    for (const [ts, item] of [
      ['0001-01-01', 1],
      ['9999-12-31', 1],
      ['1989-12-31', 1],
      [tomorrow, 1],
    ] as const) {
      const r = await call({
        method: 'POST',
        url: '/api/candles',
        headers: admin,
        payload: { symbol: 'FAR', candles: [candle('2024-01-02'), candle(ts)] },
      });
      assert.equal(r.statusCode, 422, `${ts}: ${r.body}`);
      assert.match(r.json().detail, new RegExp(`item ${item}: time_range: .*outside the accepted range 1990-01-01`));
    }
    const stored = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM candles c JOIN assets a ON a.id = c.asset_id WHERE a.symbol = 'FAR'",
    );
    assert.equal(stored.rows[0].n, 0, 'nothing half-written');
    const ok = await call({
      method: 'POST',
      url: '/api/candles',
      headers: admin,
      payload: { symbol: 'FAR', candles: [candle('1990-01-01'), candle('2024-01-02')] },
    });
    assert.equal(ok.statusCode, 200, ok.body);
  });

  test('symbols a spreadsheet would run as formulas are refused by the API and by the import', async () => {
    for (const symbol of ["=CMD|' /C CALC'!A0", '@SUM(1+1)', '+1+1', '-2+3', '\t=1+1']) {
      const r = await call({
        method: 'POST',
        url: '/api/assets',
        headers: admin,
        payload: { symbol, name: 'x', asset_type: 'stock' },
      });
      assert.equal(r.statusCode, 400, `${symbol}: ${r.body}`);
      assert.match(r.json().detail, /must not start with =, \+, -, @/);
    }
    const whole = await call({
      method: 'POST',
      url: '/api/candles',
      headers: admin,
      payload: { symbol: '@SUM(1+1)', asset_type: 'stock', candles: [candle('2024-01-02')] },
    });
    assert.equal(whole.statusCode, 400, whole.body);
    assert.match(whole.json().detail, /symbol "@SUM\(1\+1\)" must not start with/);
    const perItem = await call({
      method: 'POST',
      url: '/api/candles',
      headers: admin,
      payload: { asset_type: 'stock', candles: [{ ...candle('2024-01-02'), symbol: "=CMD|' /C CALC'!A0" }] },
    });
    assert.equal(perItem.statusCode, 422, perItem.body);
    assert.match(perItem.json().detail, /item 0: symbol: symbol "=CMD\|' \/C CALC'!A0" must not start with/);
    const listed = await db.query<{ symbol: string }>("SELECT symbol FROM assets WHERE symbol ~ '^[=+@-]'");
    assert.deepEqual(listed.rows, []);
  });
});
