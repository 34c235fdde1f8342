/** /api/strategies and /api/backtests: a user's own strategies and runs, with the CLI's settings, on both backends. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { runBacktest } from '../../src/analysis/backtest/index.ts';
import { generateSeries } from '../../src/analysis/indicators/testing/series.ts';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/types.ts';
import { tokenFor } from '../helpers/auth.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { insertSeries } from '../helpers/candles.ts';

const DAY = 86_400_000;
const series = generateSeries(500, { seed: 9, stepMs: DAY, startTs: Date.UTC(2022, 0, 3), volatility: 0.02 });
const ENTRY = 'crosses_above(sma(close, $fast), sma(close, $slow))';
const EXIT = 'crosses_below(sma(close, $fast), sma(close, $slow))';

forEachBackend('strategies and backtests API', (open) => {
  let db: Database;
  let app: FastifyInstance;
  let alice: { authorization: string };
  let bob: { authorization: string };
  before(async () => {
    db = await open();
    const a = await db.query<{ id: string }>(
      "INSERT INTO assets (symbol, name, asset_type) VALUES ('SAPI', 'Strategy API', 'stock') RETURNING id",
    );
    await insertSeries(db, a.rows[0].id, series, { interval: '1d' });
    app = await buildApp({ db, config: loadConfig({ TM_BACKTESTS_PER_MINUTE: '4' }) });
    alice = await tokenFor(app, { username: 'alice_strat' });
    bob = await tokenFor(app, { username: 'bob_strat' });
  });
  after(async () => {
    await app.close();
    await db.close();
  });
  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, who: { authorization: string }, payload?: object) =>
    app.inject({ method, url, headers: { authorization: who.authorization }, ...(payload ? { payload } : {}) });

  test('add (again: a new version), list, show; a bad rule is a 400 naming the column', async () => {
    const v1 = await call('POST', '/api/strategies', alice, {
      name: 'cross',
      entry: ENTRY,
      exit: EXIT,
      params: { fast: 5, slow: 20 },
    });
    assert.equal(v1.statusCode, 201, v1.body);
    assert.equal(v1.json().version, 1);
    const v2 = await call('POST', '/api/strategies', alice, {
      name: 'cross',
      entry: ENTRY,
      exit: EXIT,
      params: { fast: 10, slow: 30 },
      description: 'SMA cross',
    });
    assert.equal(v2.json().version, 2);
    assert.deepEqual(v2.json().params, { fast: 10, slow: 30 });

    const bad = await call('POST', '/api/strategies', alice, {
      name: 'rsi',
      entry: 'rsi(close, ) < 30',
      exit: 'close > 1',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.headers['content-type'] as string, /application\/problem\+json/);
    assert.equal(bad.json().detail, 'entry rule: expected a number at column 11');
    const noDefault = await call('POST', '/api/strategies', alice, {
      name: 'p',
      entry: 'close > $x',
      exit: 'close < 1',
    });
    assert.equal(noDefault.statusCode, 400);
    assert.match(noDefault.json().detail, /parameter \$x at column 9 has no default/);

    const list = await call('GET', '/api/strategies', alice);
    assert.deepEqual(
      list.json().map((s: { name: string; version: number }) => [s.name, s.version]),
      [['cross', 2]],
    );
    assert.deepEqual((await call('GET', '/api/strategies', bob)).json(), []);
    const show = await call('GET', '/api/strategies/cross', alice);
    assert.deepEqual(
      show.json().versions.map((v: { version: number }) => v.version),
      [2, 1],
    );
    assert.equal((await call('GET', '/api/strategies/cross', bob)).statusCode, 404);
    assert.equal((await call('DELETE', '/api/strategies/cross', bob)).statusCode, 404);
  });

  test('a run equals the engine with the CLI defaults, is stored and shown to its owner only', async () => {
    const res = await call('POST', '/api/backtests', alice, {
      strategy: 'cross',
      symbol: 'SAPI',
      slippage: 0.0005,
      stop_loss: 0.05,
      params: { fast: 8 },
    });
    assert.equal(res.statusCode, 201, res.body);
    const r = res.json();
    const want = runBacktest({
      entry: ENTRY,
      exit: EXIT,
      bars: series,
      interval: '1d',
      params: { fast: 8, slow: 30 },
      settings: { commission: 0.001, slippage: 0.0005, stopLoss: 0.05 },
    });
    assert.ok(want.trades.length > 2);
    assert.deepEqual(r.trades, want.trades);
    assert.equal(r.final_equity, want.final_equity);
    assert.equal(r.sharpe, want.sharpe);
    assert.equal(r.strategy_version, 2);

    const list = await call('GET', '/api/backtests', alice);
    assert.deepEqual(
      list.json().map((x: { id: string }) => x.id),
      [r.id],
    );
    assert.deepEqual((await call('GET', '/api/backtests', bob)).json(), []);
    const shown = await call('GET', `/api/backtests/${r.id}`, alice);
    assert.equal(shown.statusCode, 200);
    assert.equal(shown.json().equity.length, series.close.length);
    assert.equal(shown.json().equity.at(-1), want.final_equity);
    assert.equal((await call('GET', `/api/backtests/${r.id}`, bob)).statusCode, 404);
    assert.equal((await call('POST', '/api/backtests', bob, { strategy: 'cross', symbol: 'SAPI' })).statusCode, 404);
  });

  test('bad settings are refused by name; the limiter answers 429; remove deletes the runs too', async () => {
    const bad = await call('POST', '/api/backtests', alice, { strategy: 'cross', symbol: 'SAPI', commission: -1 });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().detail, 'commission must be a number from 0 to 0.5, got -1');
    // 4 a minute per client address: the two runs before, the refused one and this are the four.
    const third = await call('POST', '/api/backtests', alice, { strategy: 'cross', symbol: 'SAPI', params: { x: 1 } });
    assert.equal(third.statusCode, 400);
    assert.match(third.json().detail, /strategy "cross" has no parameter x/);
    const limited = await call('POST', '/api/backtests', alice, { strategy: 'cross', symbol: 'SAPI' });
    assert.equal(limited.statusCode, 429);
    assert.ok(limited.headers['retry-after']);

    assert.equal((await call('DELETE', '/api/strategies/cross', alice)).statusCode, 204);
    assert.deepEqual((await call('GET', '/api/strategies', alice)).json(), []);
    assert.deepEqual((await call('GET', '/api/backtests', alice)).json(), []);
  });
  test('a run over more bars than TM_BACKTEST_MAX_BARS is a 400 naming the cap; a narrower range runs (the database store counts the runs before: this app allows 10)', async () => {
    const capped = await buildApp({ db, config: loadConfig({ TM_BACKTEST_MAX_BARS: '100' }) });
    try {
      await call('POST', '/api/strategies', alice, {
        name: 'capped',
        entry: ENTRY,
        exit: EXIT,
        params: { fast: 5, slow: 20 },
      });
      const post = (payload: object) =>
        capped.inject({
          method: 'POST',
          url: '/api/backtests',
          headers: { authorization: alice.authorization },
          payload,
        });
      const over = await post({ strategy: 'capped', symbol: 'SAPI' });
      assert.equal(over.statusCode, 400, over.body);
      assert.match(over.headers['content-type'] as string, /application\/problem\+json/);
      assert.equal(
        over.json().detail,
        'SAPI has more than 100 1d bars in that range; a backtest over the API reads at most 100 (TM_BACKTEST_MAX_BARS): narrow from/to',
      );
      // Exactly the cap passes: the 100 bars from the 401st on.
      const from = new Date(series.ts[400]).toISOString();
      const ok = await post({ strategy: 'capped', symbol: 'SAPI', from });
      assert.equal(ok.statusCode, 201, ok.body);
      assert.equal(ok.json().bars, 100);
    } finally {
      await capped.close();
    }
  });
});
