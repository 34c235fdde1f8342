/** tm backtest sweep as a user runs it, on both backends: ranking, the out-of-sample split, errors by name. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBacktest, walkForwardSpans } from '../../src/analysis/backtest/index.ts';
import { generateSeries } from '../../src/analysis/indicators/testing/series.ts';
import { openEmbedded } from '../../src/db/pglite.ts';
import { Migrator } from '../../src/db/migrate/migrator.ts';
import type { Queryable } from '../../src/db/types.ts';
import type { CandleSeries } from '../../src/ohlcv.ts';
import { insertSeries } from '../helpers/candles.ts';
import { serverDb, serverSkip, type ServerTestDb } from '../helpers/db.ts';
import { tm } from '../helpers/tm.ts';

const DAY = 86_400_000;
const series = generateSeries(400, { seed: 7, stepMs: DAY, startTs: Date.UTC(2022, 0, 3), volatility: 0.02 });
const ENTRY = 'crosses_above(sma(close, $fast), sma(close, $slow))';
const EXIT = 'crosses_below(sma(close, $fast), sma(close, $slow))';
// No indicator: no warm-up, so each part alone gives the same signals as the whole series.
const BAR_ENTRY = 'close > open * $k';
const BAR_EXIT = 'close < open';
const SPLIT = 280; // 0.7 of 400 bars

const slice = (from: number, to: number): CandleSeries => ({
  ts: series.ts.slice(from, to),
  open: series.open.slice(from, to),
  high: series.high.slice(from, to),
  low: series.low.slice(from, to),
  close: series.close.slice(from, to),
  volume: series.volume.slice(from, to),
});

async function seed(q: Queryable): Promise<void> {
  await q.query("INSERT INTO users (username, email, password_hash) VALUES ('sweeper', 'sweeper@example.com', 'x')");
  const a = await q.query<{ id: string }>(
    "INSERT INTO assets (symbol, name, asset_type) VALUES ('SWP', 'Sweep test', 'stock') RETURNING id",
  );
  await insertSeries(q, a.rows[0].id, series, { interval: '1d' });
}

type Figures = Record<string, number | null>;
type Result = { rank: number; params: Record<string, number>; in_sample: Figures; out_of_sample: Figures };

function scenario(env: () => NodeJS.ProcessEnv): void {
  const run = async (args: string[]) => tm(args, env());
  const ok = async (args: string[]) => {
    const r = await run(args);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const sweep = ['backtest', 'sweep', '--user', 'sweeper', '--symbol', 'SWP', '--interval', '1d'];
  const same = (got: Figures, want: ReturnType<typeof runBacktest>, what: string) => {
    assert.equal(got.trades, want.trades.length, `${what} trades`);
    for (const k of ['final_equity', 'return_pct', 'max_drawdown_pct', 'sharpe', 'win_rate', 'exposure_pct'] as const) {
      assert.equal(got[k], want[k], `${what} ${k}`);
    }
  };

  test('every combination runs, ranked by the in-sample metric; in-sample figures equal a run over that part', async () => {
    for (const [name, entry, exit, params] of [
      ['cross', ENTRY, EXIT, '{"fast": 10, "slow": 30}'],
      ['bar', BAR_ENTRY, BAR_EXIT, '{"k": 1}'],
    ]) {
      const add = await run([
        'strategies',
        'add',
        name,
        '--user',
        'sweeper',
        '--entry',
        entry,
        '--exit',
        exit,
        '--params',
        params,
      ]);
      assert.equal(add.code, 0, add.stderr);
    }
    const r = await ok([
      ...sweep,
      '--strategy',
      'cross',
      '--grid',
      'fast=5..15:5,slow=20..40:10',
      '--top',
      '100',
      '--commission',
      '0.001',
      '--stop-loss',
      '0.05',
      '--json',
    ]);
    assert.equal(r.combinations, 9);
    assert.equal(r.results.length, 9);
    assert.deepEqual(r.in_sample, {
      from: new Date(series.ts[0]).toISOString(),
      to: new Date(series.ts[SPLIT - 1]).toISOString(),
      bars: SPLIT,
    });
    assert.equal(r.out_of_sample.bars, 400 - SPLIT);
    const results = r.results as Result[];
    assert.deepEqual(results.map((x) => `${x.params.fast}/${x.params.slow}`).sort(), [
      '10/20',
      '10/30',
      '10/40',
      '15/20',
      '15/30',
      '15/40',
      '5/20',
      '5/30',
      '5/40',
    ]);
    const sharpes = results.map((x) => x.in_sample.sharpe).filter((s) => s !== null) as number[];
    assert.deepEqual(
      sharpes,
      [...sharpes].sort((a, b) => b - a),
    );
    assert.deepEqual(
      results.map((x) => x.rank),
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    for (const x of results) {
      const settings = { commission: 0.001, stopLoss: 0.05 };
      const want = runBacktest({
        entry: ENTRY,
        exit: EXIT,
        bars: slice(0, SPLIT),
        interval: '1d',
        params: x.params,
        settings,
      });
      same(x.in_sample, want, `${x.params.fast}/${x.params.slow} in-sample`);
      assert.ok(x.out_of_sample.sharpe !== undefined && x.out_of_sample.trades !== undefined);
    }

    const top = await ok([
      ...sweep,
      '--strategy',
      'bar',
      '--grid',
      'k=1..1.01:0.005',
      '--train',
      '0.7',
      '--metric',
      'return_pct',
      '--top',
      '2',
      '--json',
    ]);
    assert.equal(top.combinations, 3);
    assert.equal(top.results.length, 2);
    const best = top.results as Result[];
    assert.ok((best[0].in_sample.return_pct as number) >= (best[1].in_sample.return_pct as number));
    for (const x of best) {
      const args = {
        entry: BAR_ENTRY,
        exit: BAR_EXIT,
        interval: '1d' as const,
        params: x.params,
        settings: { commission: 0.001 },
      };
      same(x.in_sample, runBacktest({ ...args, bars: slice(0, SPLIT) }), `k=${x.params.k} in-sample`);
      same(x.out_of_sample, runBacktest({ ...args, bars: slice(SPLIT, 400) }), `k=${x.params.k} out-of-sample`);
    }
    const text = await run([...sweep, '--strategy', 'bar', '--grid', 'k=1..1.01:0.005', '--top', '1']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /3 combinations ranked by in-sample sharpe/);
    assert.match(text.stdout, /in sharpe +out sharpe/);
    assert.equal(text.stderr, '', 'no progress bar without a terminal');
  });

  test('walk-forward: per window the best by in-sample metric, its out-of-sample figures a run over that part', async () => {
    const args = [...sweep, '--strategy', 'bar', '--grid', 'k=1..1.01:0.0025', '--metric', 'return_pct', '--json'];
    const r = await ok([...args, '--walk-forward', '3', '--train', '0.7', '--top', '2']);
    assert.equal(r.walk_forward, 3);
    assert.equal(r.combinations, 5);
    const spans = walkForwardSpans(400, 3, 0.7);
    assert.deepEqual(
      spans.map((w) => [w.inSample, w.outOfSample]),
      [
        [
          [0, 175],
          [175, 250],
        ],
        [
          [75, 250],
          [250, 325],
        ],
        [
          [150, 325],
          [325, 400],
        ],
      ],
    );
    assert.equal(r.windows.length, 3);
    const iso = (i: number) => new Date(series.ts[i]).toISOString();
    for (const [k, w] of (r.windows as { in_sample: Figures; out_of_sample: Figures; results: Result[] }[]).entries()) {
      const { inSample, outOfSample } = spans[k];
      assert.deepEqual(w.in_sample, {
        from: iso(inSample[0]),
        to: iso(inSample[1] - 1),
        bars: inSample[1] - inSample[0],
      });
      assert.deepEqual(w.out_of_sample, {
        from: iso(outOfSample[0]),
        to: iso(outOfSample[1] - 1),
        bars: outOfSample[1] - outOfSample[0],
      });
      assert.equal(w.results.length, 2);
      assert.ok((w.results[0].in_sample.return_pct as number) >= (w.results[1].in_sample.return_pct as number));
      for (const x of w.results) {
        const run = { entry: BAR_ENTRY, exit: BAR_EXIT, interval: '1d' as const, params: x.params };
        const settings = { commission: 0.001 };
        same(x.in_sample, runBacktest({ ...run, settings, bars: slice(...inSample) }), `window ${k + 1} in-sample`);
        same(x.out_of_sample, runBacktest({ ...run, settings, bars: slice(...outOfSample) }), `window ${k + 1} out`);
      }
    }
    // Worker threads and this thread give the same figures.
    const threaded = await ok([...args, '--top', '100', '--threads', '2']);
    const inline = await ok([...args, '--top', '100', '--threads', '1']);
    assert.deepEqual(threaded, inline);
    const text = await run([...sweep, '--strategy', 'bar', '--grid', 'k=1..1.01:0.005', '--walk-forward', '2']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /2 walk-forward windows \(train 0\.7\), each best by in-sample sharpe/);
    const bad = await run([...sweep, '--strategy', 'bar', '--grid', 'k=1', '--walk-forward', '0']);
    assert.match(bad.stderr, /--walk-forward must be an integer from 1 to 50, got "0"/);
  });

  test('grid, train and metric errors name the problem', async () => {
    const cases: [string[], RegExp][] = [
      [['--grid', 'fast=5..'], /grid: the end in "fast=5\.\." must be a number, got ""/],
      [['--grid', 'x=1..2'], /grid: strategy "cross" has no parameter x/],
      [['--grid', 'fast=5', '--train', '1'], /--train must be a fraction above 0 and below 1, got "1"/],
      [['--grid', 'fast=5', '--metric', 'luck'], /--metric must be one of sharpe, sortino/],
      [['--grid', 'fast=5', '--slippage', '0.9'], /slippage must be a number from 0 to 0.5, got 0.9/],
    ];
    for (const [args, message] of cases) {
      const r = await run([...sweep, '--strategy', 'cross', ...args]);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, message);
    }
  });
}

describe('tm backtest sweep [embedded]', () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tm-sweep-'));
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

describe('tm backtest sweep [server]', { skip: serverSkip }, () => {
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
