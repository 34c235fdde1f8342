/**
 * Issue 13, item 6: an anonymous client cannot stall the server. Expensive public routes are rate
 * limited per client, and /health answers from its own connection even when every pooled one is busy.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/types.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { serverDb, serverSkip } from '../helpers/db.ts';
import { insertAsset, insertCloses } from '../helpers/market.ts';

forEachBackend('rate limits on expensive public routes', (open) => {
  let db: Database;
  let app: FastifyInstance;
  before(async () => {
    db = await open();
    app = await buildApp({ db, config: loadConfig({ TM_BACKTESTS_PER_MINUTE: '2', TM_STATS_PER_MINUTE: '3' }) });
    const id = await insertAsset(db, 'RATE');
    await insertCloses(
      db,
      id,
      Array.from({ length: 300 }, (_, i) => 100 + 10 * Math.sin(i / 9)),
      { start: '2024-01-01T00:00:00Z', interval: '1d', stepMs: 86_400_000 },
    );
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  test('backtests: the third in a minute from one address is a 429 with Retry-After; another address is not limited', async () => {
    const backtest = (ip: string) =>
      app.inject({
        method: 'GET',
        url: '/api/signals/backtest?symbol=RATE&strategy=rsi-reversal',
        remoteAddress: ip,
      });
    assert.equal((await backtest('10.0.0.1')).statusCode, 200);
    assert.equal((await backtest('10.0.0.1')).statusCode, 200);
    const limited = await backtest('10.0.0.1');
    assert.equal(limited.statusCode, 429, limited.body);
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.equal(limited.json().status, 429);
    assert.equal((await backtest('10.0.0.2')).statusCode, 200);
  });

  test('price statistics and changes are limited too', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await app.inject({ method: 'GET', url: '/api/queries/price-stats', remoteAddress: '10.0.0.3' });
      codes.push(r.statusCode);
    }
    assert.deepEqual(codes, [200, 200, 200, 429]);
  });
});

describe('/health on its own connection [server]', { skip: serverSkip }, () => {
  let db: Database;
  let app: FastifyInstance;
  before(async () => {
    db = await serverDb({ max: 1 });
    app = await buildApp({ db, config: loadConfig({}) });
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  test('answers while every pooled connection is taken', { timeout: 60_000 }, async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let holding!: () => void;
    const taken = new Promise<void>((r) => {
      holding = r;
    });
    const session = db.session(async (s) => {
      await s.query('SELECT 1');
      holding();
      await held;
    });
    await taken;
    try {
      // Not a speed check: without its own connection /health would wait for the pool until `release`,
      // which comes only after the answer, so the test would time out instead of passing.
      const answer = await app.inject({ method: 'GET', url: '/health' });
      assert.equal(answer.statusCode, 200);
    } finally {
      release();
      await session;
    }
  });
});
