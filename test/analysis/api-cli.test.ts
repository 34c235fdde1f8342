/** Indicators and signals as users reach them: the HTTP routes and the tm commands. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { runBacktest } from '../../src/analysis/service.ts';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/types.ts';
import { generateSeries } from '../../src/analysis/indicators/testing/series.ts';
import { rsi } from '../../src/analysis/indicators/rsi.ts';
import { macd } from '../../src/analysis/indicators/macd.ts';
import { embeddedDb } from '../helpers/db.ts';
import { insertSeries } from '../helpers/candles.ts';
import { adminHeaders } from '../helpers/auth.ts';
import { must } from '../helpers/must.ts';
import { TM_COMMAND_TIMEOUT_MS } from '../helpers/wait.ts';

const DAY = 86_400_000;
const series = generateSeries(400, { seed: 11, stepMs: DAY, startTs: Date.UTC(2023, 0, 2), volatility: 0.02 });

describe('analysis API [embedded]', () => {
  let db: Database;
  let app: FastifyInstance;
  let admin: { authorization: string };
  before(async () => {
    db = await embeddedDb();
    const a = await db.query<{ id: string }>(
      "INSERT INTO assets (symbol, name, asset_type) VALUES ('ANA', 'Analysis', 'stock') RETURNING id",
    );
    await insertSeries(db, a.rows[0].id, series);
    app = await buildApp({ db, config: loadConfig({}) });
    admin = await adminHeaders(app);
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  test('computing needs an admin; values are then listed with pagination', async () => {
    const anon = await app.inject({
      method: 'POST',
      url: '/api/indicators/compute',
      payload: { symbols: ['ANA'], types: ['rsi'] },
    });
    assert.equal(anon.statusCode, 401);
    const bad = await app.inject({
      method: 'POST',
      url: '/api/indicators/compute',
      headers: admin,
      payload: { symbols: ['ANA'], types: ['vwma'] },
    });
    assert.equal(bad.statusCode, 400);
    const badParams = await app.inject({
      method: 'POST',
      url: '/api/indicators/compute',
      headers: admin,
      payload: { symbols: ['ANA'], types: ['rsi'], params: { period: 0 } },
    });
    assert.equal(badParams.statusCode, 400);
    assert.match(badParams.json().detail, /period/);
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/indicators/compute',
      headers: admin,
      payload: { symbols: ['NOPE'], types: ['rsi'] },
    });
    assert.equal(unknown.statusCode, 404);
    const ok = await app.inject({
      method: 'POST',
      url: '/api/indicators/compute',
      headers: admin,
      payload: { symbols: ['ANA'], types: ['rsi', 'macd'] },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    const expectedRsi = rsi(series.close, 14).filter((v) => !Number.isNaN(v)).length;
    const expectedMacd = macd(series.close).histogram.filter((v) => !Number.isNaN(v)).length;
    assert.equal(ok.json().written, expectedRsi + expectedMacd);
    const page = await app.inject({ method: 'GET', url: '/api/indicators?symbol=ANA&name=rsi_14&limit=5&offset=2' });
    assert.equal(page.statusCode, 200);
    const body = page.json();
    assert.equal(body.total, expectedRsi);
    assert.equal(body.items.length, 5);
    // Newest first: item 0 at offset 2 is the third-newest bar.
    assert.equal(new Date(body.items[0].ts).getTime(), series.ts[series.ts.length - 3]);
    const want = rsi(series.close, 14)[series.ts.length - 3];
    assert.ok(Math.abs(body.items[0].value - want) < 1e-9 * Math.abs(want));
  });

  test('signals: generate (admin), list, backtest', async () => {
    const user = await app.inject({ method: 'POST', url: '/api/signals/generate', payload: { all: true } });
    assert.equal(user.statusCode, 401);
    const gen = await app.inject({
      method: 'POST',
      url: '/api/signals/generate',
      headers: admin,
      payload: { all: true, strategies: ['rsi-reversal', 'ma-crossover'] },
    });
    assert.equal(gen.statusCode, 200, gen.body);
    const inserted = gen.json().inserted as number;
    assert.ok(inserted > 0);
    const list = await app.inject({ method: 'GET', url: '/api/signals?symbol=ANA&limit=1000' });
    assert.equal(list.json().total, inserted);
    assert.ok(
      list
        .json()
        .items.every(
          (s: { rationale: string; strategy: string }) =>
            s.rationale.length > 20 && ['rsi-reversal', 'ma-crossover'].includes(s.strategy),
        ),
    );
    const active = await app.inject({ method: 'GET', url: '/api/signals?active=true' });
    assert.equal(active.json().total, 0, 'historical signals have expired');
    const bt = await app.inject({
      method: 'GET',
      url: '/api/signals/backtest?symbol=ANA&strategy=rsi-reversal&horizon=5',
    });
    assert.equal(bt.statusCode, 200, bt.body);
    const r = bt.json();
    assert.equal(r.bars, 400);
    assert.equal(r.horizon, 5);
    assert.equal(r.count + r.pending, r.signals);
    if (r.count > 0) assert.ok(r.hitRate >= 0 && r.hitRate <= 1);
    assert.ok(r.maxDrawdown >= 0 && r.maxDrawdown <= 1);
    const badStrategy = await app.inject({ method: 'GET', url: '/api/signals/backtest?symbol=ANA&strategy=astrology' });
    assert.equal(badStrategy.statusCode, 400);
    // Times as the importer reads them (epoch seconds here), and the strategy's parameters as JSON.
    const from = series.ts[100] / 1000;
    const tuned = await app.inject({
      method: 'GET',
      url: `/api/signals/backtest?symbol=ANA&strategy=ma-crossover&from=${from}&params=${encodeURIComponent('{"fast":5,"slow":15}')}`,
    });
    assert.equal(tuned.statusCode, 200, tuned.body);
    assert.equal(tuned.json().bars, 300);
    const badJson = await app.inject({
      method: 'GET',
      url: '/api/signals/backtest?symbol=ANA&strategy=ma-crossover&params=%7Bfast',
    });
    assert.equal(badJson.statusCode, 400);
    assert.match(badJson.json().detail, /params: not valid JSON/);
    const badParam = await app.inject({
      method: 'GET',
      url: `/api/signals/backtest?symbol=ANA&strategy=ma-crossover&params=${encodeURIComponent('{"fast":1}')}`,
    });
    assert.equal(badParam.statusCode, 400);
    // The public route bounds the bars one request may cover.
    await assert.rejects(
      runBacktest(db, { symbol: 'ANA', strategy: 'rsi-reversal', interval: '1d', maxBars: 100 }),
      /the range holds 400 1d candles of ANA; a backtest here takes at most 100: narrow it with from\/to/,
    );
    // Bad input is a UserError (a 400) found before the backtest runs; what the backtest throws is not wrapped.
    await assert.rejects(runBacktest(db, { symbol: 'ANA', strategy: 'rsi-reversal', interval: '1d', horizon: 0 }), {
      name: 'UserError',
      message: 'horizon must be an integer >= 1, got 0',
    });
  });
});

describe('tm indicators and tm signals', () => {
  let dir: string;
  const tm = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(process.execPath, [path.resolve('bin/tm.js'), ...args], {
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: '', TM_DATA_DIR: path.join(dir, 'data'), ...env },
      timeout: TM_COMMAND_TIMEOUT_MS,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const csv = () => path.join(dir, 'ana.csv');
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tm-analysis-cli-'));
    const lines = ['Date,Open,High,Low,Close,Volume'];
    for (let i = 0; i < 120; i++)
      lines.push(
        [
          new Date(series.ts[i]).toISOString().slice(0, 10),
          series.open[i],
          series.high[i],
          series.low[i],
          series.close[i],
          series.volume[i],
        ].join(','),
      );
    writeFileSync(csv(), `${lines.join('\n')}\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('calc computes from a CSV without a database, one row per bar', () => {
    const r = tm(['indicators', 'calc', '--csv', csv(), '--type', 'rsi', '--params', '{"period":14}']);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trim().split('\n');
    assert.equal(rows[0], 'ts,value');
    assert.equal(rows.length, 121);
    const want = rsi(series.close.subarray(0, 120), 14);
    assert.equal(rows[14].split(',')[1], '', 'warm-up is empty');
    const [ts, v] = rows[15].split(',');
    assert.equal(ts, new Date(series.ts[14]).toISOString());
    assert.ok(Math.abs(Number(v) - want[14]) < 1e-9 * want[14]);
    const json = tm(['indicators', 'calc', '--csv', csv(), '--type', 'macd', '--format', 'json']);
    const parsed = JSON.parse(json.stdout) as { value: number | null; value2: number | null; value3: number | null }[];
    assert.equal(parsed.length, 120);
    const m = macd(series.close.subarray(0, 120));
    assert.ok(Math.abs(must(parsed[119].value3) - m.histogram[119]) < 1e-9);
    assert.equal(tm(['indicators', 'calc', '--csv', csv(), '--type', 'rsi', '--format', 'xml']).code, 2);
    const badType = tm(['indicators', 'calc', '--csv', csv(), '--type', 'vwma']);
    assert.equal(badType.code, 1);
    assert.match(badType.stderr, /unknown indicator type "vwma"/);
  });

  test('import, compute (twice: incremental), generate and backtest on a data dir', () => {
    const imp = tm(['import', 'candles', csv(), '--symbol', 'ANA', '--asset-type', 'stock']);
    assert.equal(imp.code, 0, imp.stderr);
    const first = tm(['indicators', 'compute', '--symbol', 'ANA', '--types', 'sma,rsi', '--json']);
    assert.equal(first.code, 0, first.stderr);
    const res = JSON.parse(first.stdout) as { name: string; written: number }[];
    assert.deepEqual(
      res.map((x) => [x.name, x.written]),
      [
        ['sma_20', 101],
        ['rsi_14', 106],
      ],
    );
    const again = JSON.parse(
      tm(['indicators', 'compute', '--symbol', 'ANA', '--types', 'sma,rsi', '--json']).stdout,
    ) as { written: number }[];
    assert.deepEqual(
      again.map((x) => x.written),
      [0, 0],
    );
    const list = tm(['indicators', 'list', '--symbol', 'ANA', '--name', 'rsi_14', '--limit', '3', '--json']);
    assert.equal(JSON.parse(list.stdout).items.length, 3);
    const gen = tm(['signals', 'generate', '--all', '--json']);
    assert.equal(gen.code, 0, gen.stderr);
    const bt = tm(['signals', 'backtest', '--symbol', 'ANA', '--strategy', 'ma-crossover']);
    assert.equal(bt.code, 0, bt.stderr);
    assert.match(bt.stdout, /^ma-crossover on ANA 1d: 120 bars/);
    assert.match(bt.stdout, /hit rate .*max drawdown/);
    const none = tm(['indicators', 'compute', '--types', 'rsi']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /give a symbol \(--symbol S\) or --all/);
  });
});
