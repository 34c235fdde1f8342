/**
 * tm paper as a user runs it, on both backends: start, run (bars arriving between runs; a second run
 * changes nothing), trades, status, and the invariant: the account's trades and equity equal
 * `tm backtest run` with the same strategy, settings and start.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSeries } from '../../src/analysis/indicators/testing/series.ts';
import { openEmbedded } from '../../src/db/pglite.ts';
import { Migrator } from '../../src/db/migrate/migrator.ts';
import type { Queryable } from '../../src/db/types.ts';
import { insertSeries } from '../helpers/candles.ts';
import { serverDb, serverSkip, type ServerTestDb } from '../helpers/db.ts';
import { tm } from '../helpers/tm.ts';

const DAY = 86_400_000;
const series = generateSeries(600, { seed: 11, stepMs: DAY, startTs: Date.UTC(2022, 0, 3), volatility: 0.02 });
const FIRST = 400; // bars stored before the first run; the rest arrive before the second
const FROM = new Date(series.ts[10]).toISOString();
const SETTINGS = ['--cash', '10000', '--commission', '0.001', '--slippage', '0.0005', '--trailing-stop', '0.08'];

async function seed(q: Queryable): Promise<void> {
  await q.query("INSERT INTO users (username, email, password_hash) VALUES ('alice', 'alice@example.com', 'x')");
  const a = await q.query<{ id: string }>(
    "INSERT INTO assets (symbol, name, asset_type) VALUES ('PAP', 'Paper test', 'stock') RETURNING id",
  );
  await insertSeries(q, a.rows[0].id, series, { interval: '1d', to: FIRST });
}

async function addRest(q: Queryable): Promise<void> {
  const a = await q.query<{ id: string }>("SELECT id FROM assets WHERE symbol = 'PAP'");
  await insertSeries(q, a.rows[0].id, series, { interval: '1d', from: FIRST });
}

function scenario(env: () => NodeJS.ProcessEnv, withDb: (fn: (q: Queryable) => Promise<void>) => Promise<void>): void {
  const run = (args: string[]) => tm(args, env());
  const ok = async (args: string[]) => {
    const r = await run(args);
    assert.equal(r.code, 0, `tm ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };

  test('start, run as bars arrive, run again, trades and status equal tm backtest run', async () => {
    await ok([
      'strategies',
      'add',
      'cross',
      '--user',
      'alice',
      '--entry',
      'crosses_above(sma(close, $fast), sma(close, $slow))',
      '--exit',
      'crosses_below(sma(close, $fast), sma(close, $slow))',
      '--params',
      '{"fast": 5, "slow": 20}',
      '--json',
    ]);
    const started = await ok([
      'paper',
      'start',
      'paper1',
      '--user',
      'alice',
      '--strategy',
      'cross',
      '--symbol',
      'PAP',
      '--interval',
      '1d',
      '--from',
      FROM,
      ...SETTINGS,
      '--json',
    ]);
    assert.equal(started.name, 'paper1');
    const fresh = await ok(['paper', 'status', 'paper1', '--json']);
    assert.deepEqual([fresh.last_bar, fresh.cash, fresh.position, fresh.equity], [null, 10000, null, 10000]);

    const first = await ok(['paper', 'run', 'paper1', '--json']);
    assert.equal(first.bars, FIRST - 10);
    assert.equal(first.last_bar, new Date(series.ts[FIRST - 1]).toISOString());
    assert.deepEqual(await ok(['paper', 'run', 'paper1', '--json']), { ...first, bars: 0, fills: 0 });
    const txsBefore = await ok(['portfolio', 'transactions', 'paper1', '--json']);

    await withDb(addRest);
    const second = await ok(['paper', 'run', 'paper1', '--json']);
    assert.equal(second.bars, series.ts.length - FIRST);
    assert.deepEqual(await ok(['paper', 'run', 'paper1', '--json']), { ...second, bars: 0, fills: 0 });

    const trades = await ok(['paper', 'trades', 'paper1', '--json']);
    const status = await ok(['paper', 'status', 'paper1', '--json']);
    const bt = await ok([
      'backtest',
      'run',
      '--user',
      'alice',
      '--strategy',
      'cross',
      '--symbol',
      'PAP',
      '--interval',
      '1d',
      '--from',
      FROM,
      ...SETTINGS,
      '--json',
    ]);
    assert.ok(bt.trades.length >= 3, `the scenario needs trades, got ${bt.trades.length}`);
    assert.deepEqual(trades, bt.trades);
    assert.equal(status.equity, bt.final_equity);
    assert.equal(status.last_bar, bt.to);

    // Fills are the portfolio's transactions: a deposit, then a buy per trade and a sell per closed one.
    const txs = await ok(['portfolio', 'transactions', 'paper1', '--json']);
    const closed = bt.trades.filter((t: { exit_reason: string }) => t.exit_reason !== 'end').length;
    assert.equal(txs.length, 1 + bt.trades.length + closed);
    assert.equal(first.fills + second.fills, txs.length - 1);
    assert.deepEqual(txs.slice(0, txsBefore.length), txsBefore, 'fills already committed stay as they were');
    const pos = await ok(['portfolio', 'positions', 'paper1', '--json']);
    assert.ok(Math.abs(Number(pos.cash[0].amount) - status.cash) < 1e-6, `${pos.cash[0].amount} vs ${status.cash}`);
    const held = pos.positions.map((p: { quantity: string }) => Number(p.quantity)).filter((q: number) => q !== 0); // a position sold out stays listed with its realized P&L
    assert.deepEqual(held, status.position ? [status.position.size] : []);
    assert.ok(
      Math.abs(status.cash + (status.position?.size ?? 0) * (status.position?.last_price ?? 0) - status.equity) < 1e-6,
    );
  });

  test('clear errors', async () => {
    const cases: [string[], number, RegExp][] = [
      [['paper', 'start', 'x', '--user', 'alice', '--strategy', 'nope', '--symbol', 'PAP'], 1, /nope/],
      [['paper', 'start', 'x', '--user', 'alice', '--strategy', 'cross', '--symbol', 'ZZZ'], 1, /no asset "ZZZ"/],
      [
        ['paper', 'start', 'paper1', '--user', 'alice', '--strategy', 'cross', '--symbol', 'PAP'],
        1,
        /a portfolio named "paper1" already exists/,
      ],
      [
        ['paper', 'start', 'x', '--user', 'alice', '--strategy', 'cross', '--symbol', 'PAP', '--commission', '2'],
        1,
        /commission must be a number from 0 to 0.5, got 2/,
      ],
      [['paper', 'run', 'nope'], 1, /no portfolio named "nope"/],
    ];
    await ok(['portfolio', 'create', 'plain', '--user', 'alice', '--json']);
    cases.push([['paper', 'status', 'plain'], 1, /that portfolio is not a paper account/]);
    for (const [args, code, re] of cases) {
      const r = await run(args);
      assert.equal(r.code, code, `tm ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
    }
    const list = await ok(['portfolio', 'list', '--json']);
    assert.deepEqual(
      list.map((p: { name: string }) => p.name),
      ['paper1', 'plain'],
      'a refused start writes nothing',
    );
  });
}

describe('tm paper [embedded]', () => {
  let dir: string;
  const dataDir = () => path.join(dir, 'data');
  const withDb = async (fn: (q: Queryable) => Promise<void>) => {
    const db = await openEmbedded({ dataDir: dataDir() });
    try {
      await fn(db);
    } finally {
      await db.close();
    }
  };
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tm-paper-'));
    const db = await openEmbedded({ dataDir: dataDir() });
    try {
      await new Migrator(db).upgrade('head');
      await seed(db);
    } finally {
      await db.close();
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  scenario(() => ({ DATABASE_URL: '', TM_DATA_DIR: dataDir() }), withDb);
});

describe('tm paper [server]', { skip: serverSkip }, () => {
  let db: ServerTestDb;
  before(async () => {
    db = await serverDb();
    await seed(db);
  });
  after(async () => {
    await db.close();
  });
  scenario(
    () => ({ DATABASE_URL: db.url }),
    (fn) => fn(db),
  );
});
