/** /api/strategies/check and /preview: what the web editor asks while the user types, on both backends. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { generateSeries } from '../../src/analysis/indicators/testing/series.ts';
import { runSweep } from '../../src/analysis/backtest/index.ts';
import { checkSettings } from '../../src/analysis/backtest/settings.ts';
import { evaluateRules, parseRule } from '../../src/analysis/strategy/index.ts';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/types.ts';
import { tokenFor } from '../helpers/auth.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { insertSeries } from '../helpers/candles.ts';

const DAY = 86_400_000;
const series = generateSeries(300, { seed: 4, stepMs: DAY, startTs: Date.UTC(2023, 0, 2), volatility: 0.02 });
const ENTRY = 'crosses_above(sma(close, $fast), sma(close, 20))';
const EXIT = 'rsi(close, 14) > 60';

forEachBackend('strategy editor API', (open) => {
  let db: Database;
  let app: FastifyInstance;
  let alice: { authorization: string };
  before(async () => {
    db = await open();
    const a = await db.query<{ id: string }>(
      "INSERT INTO assets (symbol, name, asset_type) VALUES ('PREV', 'Preview', 'stock') RETURNING id",
    );
    await insertSeries(db, a.rows[0].id, series, { interval: '1d' });
    app = await buildApp({ db, config: loadConfig({}) });
    alice = await tokenFor(app, { username: 'alice_editor' });
  });
  after(async () => {
    await app.close();
    await db.close();
  });
  const post = (url: string, payload: object) =>
    app.inject({ method: 'POST', url, headers: { authorization: alice.authorization }, payload });

  test('check lists every problem with its field and column; valid rules have none', async () => {
    const bad = await post('/api/strategies/check', { entry: 'rsi(close, ) < 30', exit: 'close > $x', params: {} });
    assert.equal(bad.statusCode, 200, bad.body);
    assert.deepEqual(bad.json().problems, [
      { field: 'entry', message: 'expected a number at column 11', column: 11 },
      { field: 'exit', message: 'parameter $x at column 9 has no default in params', column: 9 },
    ]);
    const badParams = await post('/api/strategies/check', {
      entry: 'close > 1',
      exit: 'close < 1',
      params: { x: 'a' },
    });
    assert.deepEqual(badParams.json().problems, [
      { field: 'params', message: 'params: x must be a number, got "a"', column: null },
    ]);
    const ok = await post('/api/strategies/check', { entry: ENTRY, exit: EXIT, params: { fast: 5 } });
    assert.deepEqual(ok.json().problems, []);
    const anon = await app.inject({ method: 'POST', url: '/api/strategies/check', payload: { entry: 'a', exit: 'b' } });
    assert.equal(anon.statusCode, 401);
  });

  test('preview: the last N bars and where each rule is true, as the evaluator says', async () => {
    const res = await post('/api/strategies/preview', {
      entry: ENTRY,
      exit: EXIT,
      params: { fast: 5 },
      symbol: 'PREV',
      bars: 120,
    });
    assert.equal(res.statusCode, 200, res.body);
    const p = res.json();
    assert.equal(p.bars.time.length, 120);
    const last = series.ts.length;
    const tail = {
      ts: series.ts.slice(last - 120),
      open: series.open.slice(last - 120),
      high: series.high.slice(last - 120),
      low: series.low.slice(last - 120),
      close: series.close.slice(last - 120),
      volume: series.volume.slice(last - 120),
    };
    assert.deepEqual(
      p.bars.time,
      Array.from(tail.ts, (t) => t / 1000),
    );
    assert.deepEqual(p.bars.close, Array.from(tail.close));
    const [entry, exit] = evaluateRules([parseRule(ENTRY), parseRule(EXIT)], {
      bars: tail,
      interval: '1d',
      params: { fast: 5 },
    });
    const at = (truth: Uint8Array) => p.bars.time.filter((_: number, i: number) => truth[i] === 1);
    assert.ok(at(entry).length > 0 && at(exit).length > 0, 'both rules fire somewhere');
    assert.deepEqual(p.entry, at(entry));
    assert.deepEqual(p.exit, at(exit));

    const bad = await post('/api/strategies/preview', { entry: 'close >', exit: EXIT, symbol: 'PREV' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().detail, /^entry rule: .* at column 8$/);
    const tooMany = await post('/api/strategies/preview', {
      entry: ENTRY,
      exit: EXIT,
      params: { fast: 5 },
      symbol: 'PREV',
      bars: 5001,
    });
    assert.equal(tooMany.statusCode, 400);
  });

  test('a sweep over HTTP runs on worker threads and equals the in-process sweep; over TM_SWEEP_MAX_WORK is a 400', async () => {
    const saved = await post('/api/strategies', { name: 'sw', entry: ENTRY, exit: EXIT, params: { fast: 5 } });
    assert.equal(saved.statusCode, 201, saved.body);
    const res = await post('/api/backtests/sweep', {
      strategy: 'sw',
      symbol: 'PREV',
      grid: 'fast=3..7:2',
      metric: 'return_pct',
    });
    assert.equal(res.statusCode, 200, res.body);
    const r = res.json();
    assert.equal(r.combinations, 3);
    assert.deepEqual(r.grid, ['fast']);
    const want = runSweep({
      entry: ENTRY,
      exit: EXIT,
      bars: series,
      interval: '1d',
      params: { fast: 5 },
      combinations: [{ fast: 3 }, { fast: 5 }, { fast: 7 }],
      settings: checkSettings({ commission: 0.001 }),
      split: Math.round(300 * 0.7),
      metric: 'return_pct',
    });
    assert.deepEqual(r.results, want);
    const wf = await post('/api/backtests/sweep', {
      strategy: 'sw',
      symbol: 'PREV',
      grid: 'fast=3..7:2',
      walk_forward: 2,
    });
    assert.equal(wf.statusCode, 200, wf.body);
    assert.equal(wf.json().windows.length, 2);
    assert.equal(wf.json().windows[1].out_of_sample.to, new Date(series.ts[299]).toISOString());

    const capped = await buildApp({ db, config: loadConfig({ TM_SWEEP_MAX_WORK: '800' }) });
    try {
      const over = await capped.inject({
        method: 'POST',
        url: '/api/backtests/sweep',
        headers: { authorization: alice.authorization },
        payload: { strategy: 'sw', symbol: 'PREV', grid: 'fast=3..7:2' },
      });
      assert.equal(over.statusCode, 400);
      assert.equal(
        over.json().detail,
        '3 combinations × 300 bars is more than the 800 bar-runs a sweep over the API may do (TM_SWEEP_MAX_WORK): use larger steps or a shorter range',
      );
    } finally {
      await capped.close();
    }
  });
});
