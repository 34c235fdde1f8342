/** tm strategies and tm backtest as a user runs them, on both backends. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBacktest } from '../../src/analysis/backtest/index.ts';
import { generateSeries } from '../../src/analysis/indicators/testing/series.ts';
import { openEmbedded } from '../../src/db/pglite.ts';
import { Migrator } from '../../src/db/migrate/migrator.ts';
import type { Queryable } from '../../src/db/types.ts';
import { insertSeries } from '../helpers/candles.ts';
import { serverDb, serverSkip, type ServerTestDb } from '../helpers/db.ts';
import { tm } from '../helpers/tm.ts';

const DAY = 86_400_000;
const series = generateSeries(600, { seed: 5, stepMs: DAY, startTs: Date.UTC(2022, 0, 3), volatility: 0.02 });
const ENTRY = 'crosses_above(sma(close, $fast), sma(close, $slow))';
const EXIT = 'crosses_below(sma(close, $fast), sma(close, $slow))';

async function seed(q: Queryable): Promise<void> {
  for (const name of ['alice', 'bob']) {
    await q.query("INSERT INTO users (username, email, password_hash) VALUES ($1, $1 || '@example.com', 'x')", [name]);
  }
  const a = await q.query<{ id: string }>(
    "INSERT INTO assets (symbol, name, asset_type) VALUES ('STR', 'Strategy test', 'stock') RETURNING id",
  );
  await insertSeries(q, a.rows[0].id, series, { interval: '1d' });
}

function scenario(env: () => NodeJS.ProcessEnv): void {
  const run = async (args: string[]) => tm(args, env());
  const ok = async (args: string[]) => {
    const r = await run(args);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };

  test('strategies add (a second add is a new version), list, show; bad rules point at the column', async () => {
    const v1 = await ok([
      'strategies',
      'add',
      'cross',
      '--user',
      'alice',
      '--entry',
      ENTRY,
      '--exit',
      EXIT,
      '--params',
      '{"fast": 5, "slow": 20}',
      '--json',
    ]);
    assert.equal(v1.version, 1);
    const v2 = await ok([
      'strategies',
      'add',
      'cross',
      '--user',
      'alice',
      '--entry',
      ENTRY,
      '--exit',
      EXIT,
      '--params',
      '{"fast": 10, "slow": 30}',
      '--description',
      'SMA cross',
      '--json',
    ]);
    assert.equal(v2.version, 2);
    const bad = await run([
      'strategies',
      'add',
      'rsi',
      '--user',
      'alice',
      '--entry',
      'rsi(close, ) < 30',
      '--exit',
      'close > 1',
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /entry rule: expected a number at column 11/);
    const noDefault = await run([
      'strategies',
      'add',
      'p',
      '--user',
      'alice',
      '--entry',
      'close > $x',
      '--exit',
      'close < 1',
    ]);
    assert.match(noDefault.stderr, /parameter \$x at column 9 has no default/);
    const list = await ok(['strategies', 'list', '--user', 'alice', '--json']);
    assert.deepEqual(
      list.map((s: { name: string; version: number }) => [s.name, s.version]),
      [['cross', 2]],
    );
    assert.deepEqual(await ok(['strategies', 'list', '--user', 'bob', '--json']), []);
    const show = await ok(['strategies', 'show', 'cross', '--user', 'alice', '--json']);
    assert.deepEqual(
      show.versions.map((v: { version: number }) => v.version),
      [2, 1],
    );
  });

  test('backtest run equals the engine on the same bars, is stored and listed for its owner only', async () => {
    const r = await ok([
      'backtest',
      'run',
      '--user',
      'alice',
      '--strategy',
      'cross',
      '--symbol',
      'STR',
      '--interval',
      '1d',
      '--commission',
      '0.001',
      '--slippage',
      '0.0005',
      '--stop-loss',
      '0.05',
      '--params',
      '{"fast": 8}',
      '--json',
    ]);
    const want = runBacktest({
      entry: ENTRY,
      exit: EXIT,
      bars: series,
      interval: '1d',
      params: { fast: 8, slow: 30 },
      settings: { commission: 0.001, slippage: 0.0005, stopLoss: 0.05 },
    });
    assert.equal(r.strategy_version, 2);
    assert.ok(want.trades.length > 3);
    assert.deepEqual(r.trades, want.trades);
    for (const k of [
      'final_equity',
      'return_pct',
      'buy_and_hold_return_pct',
      'max_drawdown_pct',
      'sharpe',
      'sortino',
      'win_rate',
      'profit_factor',
      'exposure_pct',
    ] as const) {
      assert.equal(r[k], want[k], k);
    }
    assert.equal(r.from, new Date(series.ts[0]).toISOString());
    assert.match(r.trades[0].entry_time, /^\d{4}-\d\d-\d\dT00:00:00\.000Z$/);

    const runs = await ok(['backtest', 'list', '--user', 'alice', '--json']);
    assert.deepEqual(
      runs.map((x: { id: string }) => x.id),
      [r.id],
    );
    assert.deepEqual(runs[0].params, { fast: 8, slow: 30 });
    const stored = await ok(['backtest', 'show', r.id, '--user', 'alice', '--json']);
    assert.equal(stored.equity.length, series.close.length);
    assert.equal(stored.equity.at(-1), want.final_equity);
    assert.deepEqual(stored.trades, want.trades);
    const other = await run(['backtest', 'show', r.id, '--user', 'bob']);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /no backtest run/);
  });

  test('bad settings and unknown parameters are refused by name; remove deletes the strategy', async () => {
    const bad = await run([
      'backtest',
      'run',
      '--user',
      'alice',
      '--strategy',
      'cross',
      '--symbol',
      'STR',
      '--commission',
      '-1',
    ]);
    assert.match(bad.stderr, /commission must be a number from 0 to 0.5, got -1/);
    const unknown = await run([
      'backtest',
      'run',
      '--user',
      'alice',
      '--strategy',
      'cross',
      '--symbol',
      'STR',
      '--params',
      '{"x": 1}',
    ]);
    assert.match(unknown.stderr, /strategy "cross" has no parameter x/);
    const removed = await run(['strategies', 'remove', 'cross', '--user', 'alice']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual(await ok(['strategies', 'list', '--user', 'alice', '--json']), []);
    assert.deepEqual(await ok(['backtest', 'list', '--user', 'alice', '--json']), []);
  });
}

describe('tm strategies and tm backtest [embedded]', () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tm-strategies-'));
    const db = await openEmbedded({ dataDir: path.join(dir, 'data') });
    try {
      await new Migrator(db).upgrade('head');
      await seed(db);
    } finally {
      await db.close();
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  scenario(() => ({ DATABASE_URL: '', TM_DATA_DIR: path.join(dir, 'data') }));
});

describe('tm strategies and tm backtest [server]', { skip: serverSkip }, () => {
  let db: ServerTestDb;
  before(async () => {
    db = await serverDb();
    await seed(db);
  });
  after(async () => {
    await db.close();
  });
  scenario(() => ({ DATABASE_URL: db.url }));
});
