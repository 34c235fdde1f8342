/**
 * /api/paper on both backends: start, list, status, run (again: nothing), trades equal to a backtest run
 * with the same settings, the account's portfolio under /api/portfolios, clear 400s, and every route
 * answering 404 to another user (and to a portfolio that is not a paper account).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { generateSeries } from '../../src/analysis/indicators/testing/series.ts';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/types.ts';
import { tokenFor } from '../helpers/auth.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { insertSeries } from '../helpers/candles.ts';

const DAY = 86_400_000;
const series = generateSeries(400, { seed: 5, stepMs: DAY, startTs: Date.UTC(2022, 0, 3), volatility: 0.02 });
const ENTRY = 'crosses_above(sma(close, $fast), sma(close, $slow))';
const EXIT = 'crosses_below(sma(close, $fast), sma(close, $slow))';
const FROM = new Date(series.ts[3]).toISOString();
const SETTINGS = { cash: 5000, commission: 0.002, slippage: 0.001, stop_loss: 0.1 };

forEachBackend('paper API', (open) => {
  let db: Database;
  let app: FastifyInstance;
  let alice: { authorization: string };
  let bob: { authorization: string };
  before(async () => {
    db = await open();
    const a = await db.query<{ id: string }>(
      "INSERT INTO assets (symbol, name, asset_type) VALUES ('PAPI', 'Paper API', 'stock') RETURNING id",
    );
    await insertSeries(db, a.rows[0].id, series, { interval: '1d' });
    app = await buildApp({ db, config: loadConfig({}) });
    alice = await tokenFor(app, { username: 'alice_paper' });
    bob = await tokenFor(app, { username: 'bob_paper' });
  });
  after(async () => {
    await app.close();
    await db.close();
  });
  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, who: { authorization: string }, payload?: object) =>
    app.inject({ method, url, headers: { authorization: who.authorization }, ...(payload ? { payload } : {}) });

  test('start, list, status, run, trades equal a backtest; another user gets 404 everywhere', async () => {
    const s = await call('POST', '/api/strategies', alice, {
      name: 'cross',
      entry: ENTRY,
      exit: EXIT,
      params: { fast: 5, slow: 20 },
    });
    assert.equal(s.statusCode, 201, s.body);
    const body = { name: 'swing', strategy: 'cross', symbol: 'PAPI', interval: '1d', from: FROM, ...SETTINGS };
    const started = await call('POST', '/api/paper', alice, body);
    assert.equal(started.statusCode, 201, started.body);
    const id = started.json().id as string;
    assert.deepEqual(
      [started.json().last_bar, started.json().cash, started.json().equity, started.json().position],
      [null, 5000, 5000, null],
    );
    const list = await call('GET', '/api/paper', alice);
    assert.deepEqual(
      list
        .json()
        .map((a: { id: string; name: string; symbol: string; from: string }) => [a.id, a.name, a.symbol, a.from]),
      [[id, 'swing', 'PAPI', FROM]],
    );
    assert.equal(list.json()[0].settings.stopLoss, 0.1);
    assert.deepEqual((await call('GET', '/api/paper', bob)).json(), []);

    const run = await call('POST', `/api/paper/${id}/run`, alice);
    assert.equal(run.statusCode, 200, run.body);
    assert.equal(run.json().bars, series.ts.length - 3);
    assert.deepEqual((await call('POST', `/api/paper/${id}/run`, alice)).json(), { ...run.json(), bars: 0, fills: 0 });

    const trades = (await call('GET', `/api/paper/${id}/trades`, alice)).json();
    const bt = await call('POST', '/api/backtests', alice, {
      strategy: 'cross',
      symbol: 'PAPI',
      interval: '1d',
      from: FROM,
      ...SETTINGS,
    });
    assert.equal(bt.statusCode, 201, bt.body);
    assert.ok(bt.json().trades.length >= 2, 'the scenario needs trades');
    assert.deepEqual(trades, bt.json().trades);
    const status = (await call('GET', `/api/paper/${id}`, alice)).json();
    assert.equal(status.equity, bt.json().final_equity);
    // Its portfolio is an ordinary one: the deposit and the fills are its transactions.
    const txs = (await call('GET', `/api/portfolios/${id}/transactions`, alice)).json();
    const closed = trades.filter((t: { exit_reason: string }) => t.exit_reason !== 'end').length;
    assert.equal(txs.length, 1 + trades.length + closed);

    // Another user, and a portfolio that is not a paper account: 404 on every route.
    const plain = (await call('POST', '/api/portfolios', alice, { name: 'plain' })).json().id as string;
    const routes: ['GET' | 'POST' | 'DELETE', string][] = [
      ['GET', '/api/paper/:id'],
      ['GET', '/api/paper/:id/trades'],
      ['POST', '/api/paper/:id/run'],
      ['DELETE', '/api/paper/:id'],
    ];
    for (const [method, url] of routes) {
      for (const [who, target] of [
        [bob, id],
        [alice, plain],
        [alice, '00000000-0000-4000-8000-000000000000'],
      ] as const) {
        const res = await call(method, url.replace(':id', target), who);
        assert.equal(res.statusCode, 404, `${method} ${url} ${target}: ${res.body}`);
        assert.match(res.headers['content-type'] as string, /application\/problem\+json/);
      }
    }
    // Bob cannot start an account on Alice's strategy.
    assert.equal((await call('POST', '/api/paper', bob, body)).statusCode, 404);
    assert.equal((await call('GET', `/api/paper/${id}`, alice)).json().equity, status.equity, 'nothing changed');

    const del = await call('DELETE', `/api/paper/${id}`, alice);
    assert.equal(del.statusCode, 204);
    assert.equal((await call('GET', `/api/portfolios/${id}`, alice)).statusCode, 404);
    assert.equal((await call('GET', `/api/portfolios/${plain}`, alice)).statusCode, 200);
  });

  test('bad input is a 400 naming the problem, and writes nothing', async () => {
    const base = { name: 'bad', strategy: 'cross', symbol: 'PAPI' };
    const cases: [object, number, RegExp][] = [
      [{ ...base, commission: 2 }, 400, /commission must be a number from 0 to 0.5, got 2/],
      [{ ...base, symbol: 'NOPE' }, 404, /NOPE/],
      [{ ...base, interval: '2d' }, 400, /interval/],
      [{ ...base, currency: 'dollars' }, 400, /currency/],
      [{ ...base, short: true }, 400, /short/],
      [{ ...base, name: 'plain' }, 409, /a portfolio named "plain" already exists/],
    ];
    for (const [b, status, re] of cases) {
      const res = await call('POST', '/api/paper', alice, b);
      assert.equal(res.statusCode, status, `${JSON.stringify(b)}: ${res.body}`);
      assert.match(String(res.json().detail), re, JSON.stringify(b));
    }
    assert.deepEqual((await call('GET', '/api/paper', alice)).json(), []);
  });
});
