/** /api/alerts/rules and user strategy signals over the API, on both backends: a user reaches their own rules, firings and strategy signals only. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { evaluateConditionAlerts } from '../../src/alerts/condition-alerts.ts';
import { generateSeries } from '../../src/analysis/indicators/testing/series.ts';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/types.ts';
import { tokenFor } from '../helpers/auth.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { insertSeries } from '../helpers/candles.ts';

const DAY = 86_400_000;
const series = generateSeries(300, { seed: 3, stepMs: DAY, startTs: Date.UTC(2023, 0, 2), volatility: 0.02 });

forEachBackend('condition alerts API', (open) => {
  let db: Database;
  let app: FastifyInstance;
  let assetId: string;
  let alice: { authorization: string; userId: string };
  let bob: { authorization: string; userId: string };
  before(async () => {
    db = await open();
    const a = await db.query<{ id: string }>(
      "INSERT INTO assets (symbol, name, asset_type) VALUES ('RAPI', 'Rules API', 'stock') RETURNING id",
    );
    assetId = a.rows[0].id;
    await insertSeries(db, assetId, series, { to: 200 });
    app = await buildApp({ db, config: loadConfig({}) });
    alice = await tokenFor(app, { username: 'alice_rules' });
    bob = await tokenFor(app, { username: 'bob_rules' });
  });
  after(async () => {
    await app.close();
    await db.close();
  });
  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    who?: { authorization: string },
    payload?: object,
  ) =>
    app.inject({
      method,
      url,
      headers: who ? { authorization: who.authorization } : {},
      ...(payload ? { payload } : {}),
    });

  let ruleId = '';

  test('a rule that does not parse is a 400 naming the column; an unknown asset a 404', async () => {
    const bad = await call('POST', '/api/alerts/rules', alice, {
      symbol: 'RAPI',
      interval: '1d',
      when: 'rsi(close, ) < 30',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().detail, /expected a number at column 11/);
    const unknown = await call('POST', '/api/alerts/rules', alice, { symbol: 'NOPE', when: 'close > 1' });
    assert.equal(unknown.statusCode, 404);
  });

  test('anonymous callers are refused', async () => {
    assert.equal((await call('GET', '/api/alerts/rules')).statusCode, 401);
    assert.equal(
      (await call('POST', '/api/alerts/rules', undefined, { symbol: 'RAPI', when: 'close > 1' })).statusCode,
      401,
    );
  });

  test('the owner adds and lists a rule; it starts at the newest closed bar', async () => {
    // A level every bar crosses at some point: the median close.
    const sorted = Array.from(series.close).sort((x, y) => x - y);
    const when = `close > ${sorted[150]}`;
    const r = await call('POST', '/api/alerts/rules', alice, { symbol: 'RAPI', interval: '1d', when });
    assert.equal(r.statusCode, 201);
    const body = r.json();
    ruleId = body.id;
    assert.equal(body.rule, when);
    assert.equal(new Date(body.last_ts).getTime(), series.ts[199]);
    const list = await call('GET', '/api/alerts/rules', alice);
    assert.deepEqual(
      list.json().map((x: { id: string }) => x.id),
      [ruleId],
    );
    assert.equal((await call('GET', `/api/alerts/rules/${ruleId}`, alice)).statusCode, 200);
  });

  test("another user cannot see, read, list the firings of, or delete someone else's rule", async () => {
    assert.deepEqual((await call('GET', '/api/alerts/rules', bob)).json(), []);
    assert.equal((await call('GET', `/api/alerts/rules/${ruleId}`, bob)).statusCode, 404);
    assert.equal((await call('GET', `/api/alerts/rules/events?rule=${ruleId}`, bob)).statusCode, 404);
    assert.equal((await call('DELETE', `/api/alerts/rules/${ruleId}`, bob)).statusCode, 404);
    assert.equal((await call('GET', `/api/alerts/rules/${ruleId}`, alice)).statusCode, 200, 'still there');
  });

  test('the owner turns a rule off and on and changes its condition; nobody else can', async () => {
    const off = await call('PATCH', `/api/alerts/rules/${ruleId}`, alice, { enabled: false });
    assert.equal(off.statusCode, 200, off.body);
    assert.equal(off.json().enabled, false);
    assert.equal((await call('PATCH', `/api/alerts/rules/${ruleId}`, bob, { enabled: true })).statusCode, 404);
    assert.equal((await call('PATCH', `/api/alerts/rules/${ruleId}`, bob, { when: 'close > 1' })).statusCode, 404);
    assert.equal((await call('GET', `/api/alerts/rules/${ruleId}`, alice)).json().enabled, false, 'unchanged by bob');
    const bad = await call('PATCH', `/api/alerts/rules/${ruleId}`, alice, { when: 'rsi(close, ) < 30' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().detail, /column 11/);
    assert.equal((await call('PATCH', `/api/alerts/rules/${ruleId}`, alice, {})).statusCode, 400);
    const sorted = Array.from(series.close).sort((x, y) => x - y);
    const when = `close > ${sorted[150]}`;
    const on = await call('PATCH', `/api/alerts/rules/${ruleId}`, alice, { enabled: true, when });
    assert.equal(on.statusCode, 200, on.body);
    assert.equal(on.json().enabled, true);
    assert.equal(on.json().rule, when);
    assert.equal(new Date(on.json().last_ts).getTime(), series.ts[199], 'starts at the newest closed bar');
  });

  test('price alerts: a user lists the thresholds of their own watchlists only, with when each fired', async () => {
    const list = await call('POST', '/api/watchlists', alice, { name: 'alerts page' });
    const item = await call('POST', `/api/watchlists/${list.json().id}/items`, alice, {
      asset_id: assetId,
      price_alert_high: 1_000_000,
    });
    assert.equal(item.statusCode, 201, item.body);
    await call('POST', `/api/watchlists/${list.json().id}/items`, alice, {
      asset_id: (
        await db.query<{ id: string }>(
          "INSERT INTO assets (symbol, name, asset_type) VALUES ('RNOA', 'No alert', 'stock') RETURNING id",
        )
      ).rows[0].id,
    });
    const mine = await call('GET', '/api/alerts/price', alice);
    assert.equal(mine.statusCode, 200);
    assert.deepEqual(
      mine
        .json()
        .map((a: { symbol: string; price_alert_high: number; fired_count: number }) => [
          a.symbol,
          a.price_alert_high,
          a.fired_count,
        ]),
      [['RAPI', 1_000_000, 0]],
    );
    assert.deepEqual((await call('GET', '/api/alerts/price', bob)).json(), []);
    assert.equal((await call('GET', '/api/alerts/price')).statusCode, 401);
    const patch = await call('PATCH', `/api/watchlists/${list.json().id}/items/${item.json().id}`, bob, {
      price_alert_high: 5,
    });
    assert.equal(patch.statusCode, 404, "bob cannot change alice's threshold");
    const bobOff = await call('PATCH', `/api/watchlists/${list.json().id}/items/${item.json().id}`, bob, {
      price_alert_enabled: false,
    });
    assert.equal(bobOff.statusCode, 404, "bob cannot turn alice's alert off");
    const off = await call('PATCH', `/api/watchlists/${list.json().id}/items/${item.json().id}`, alice, {
      price_alert_enabled: false,
    });
    assert.equal(off.statusCode, 200, off.body);
    assert.equal(off.json().price_alert_enabled, false);
    assert.equal((await call('GET', '/api/alerts/price', alice)).json()[0].price_alert_enabled, false);
  });

  test('firings are listed for their owner only', async () => {
    await insertSeries(db, assetId, series, { from: 200, to: 300 });
    const fired = await evaluateConditionAlerts(db, { assetIds: [assetId] });
    assert.ok(fired.length >= 1, 'the close crosses its median level');
    const mine = await call('GET', `/api/alerts/rules/events?rule=${ruleId}&limit=100`, alice);
    assert.equal(mine.statusCode, 200);
    assert.equal(mine.json().total, fired.length);
    const theirs = await call('GET', '/api/alerts/rules/events', bob);
    assert.equal(theirs.json().total, 0);
  });

  test('the owner deletes the rule; its firings stay in the history', async () => {
    assert.equal((await call('DELETE', `/api/alerts/rules/${ruleId}`, alice)).statusCode, 204);
    assert.equal((await call('GET', `/api/alerts/rules/${ruleId}`, alice)).statusCode, 404);
    const history = await call('GET', '/api/alerts/rules/events', alice);
    assert.ok(history.json().total >= 1);
    assert.equal(history.json().items[0].alert_id, null);
  });

  test("a user's strategy signals: generated by an administrator for the user, listed for their owner only", async () => {
    const admin = await tokenFor(app, { admin: true });
    const saved = await call('POST', '/api/strategies', alice, {
      name: 'dip',
      entry: 'crosses_below(rsi(close, 14), 40)',
      exit: 'crosses_above(rsi(close, 14), 60)',
    });
    assert.equal(saved.statusCode, 201);
    const body = { symbols: ['RAPI'], interval: '1d', user: 'alice_rules', strategies: ['dip'] };
    assert.equal((await call('POST', '/api/signals/generate', alice, body)).statusCode, 403);
    const gen = await call('POST', '/api/signals/generate', admin, body);
    assert.equal(gen.statusCode, 200, gen.body);
    const inserted = gen.json().inserted;
    assert.ok(inserted > 0);
    assert.equal(gen.json().results[0].strategy, 'alice_rules/dip');
    const withParams = await call('POST', '/api/signals/generate', admin, { ...body, params: { x: 1 } });
    assert.equal(withParams.statusCode, 400);
    const url = '/api/signals?strategy=alice_rules/dip&limit=500';
    const mine = await call('GET', url, alice);
    assert.equal(mine.json().total, inserted);
    assert.equal(mine.json().items[0].strategy_version, 1);
    assert.equal((await call('GET', url, bob)).json().total, 0);
    assert.equal((await call('GET', url)).json().total, 0, 'anonymous');
  });
});
