/**
 * What incremental analysis must not miss or mix: a candle write committed while a computation ran,
 * parameters that would apply to nothing, strategies run with other parameters, the active flag
 * after a recompute, and pruning of the write log.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import { insertSeries } from '../helpers/candles.ts';
import type { Database } from '../../src/db/types.ts';
import { UserError } from '../../src/errors.ts';
import { generateSeries } from '../../src/analysis/indicators/testing/series.ts';
import { computeIndicators, indicatorSpecs } from '../../src/analysis/compute-indicators.ts';
import { generateSignals, seriesName, strategySpecs } from '../../src/analysis/generate-signals.ts';
import { pruneCandleWrites } from '../../src/analysis/series-state.ts';
import { deactivateSuperseded } from '../../src/analysis/signals-repository.ts';

const DAY = 86_400_000;

test('parameters that would apply to nothing are refused, naming the problem', () => {
  const userError = (re: RegExp) => (e: unknown) => e instanceof UserError && re.test(e.message);
  assert.throws(
    () => indicatorSpecs(['rsi', 'macd'], { period: 21 }),
    userError(/with several types give them per type/),
  );
  assert.throws(() => indicatorSpecs(['rsi', 'macd'], { rsii: { period: 3 } }), userError(/got keys rsii/));
  assert.throws(
    () => indicatorSpecs(['rsi'], { rsi: { period: 3 }, macd: { fast: 3 } }),
    userError(/macd is not among the types computed \(rsi\)/),
  );
  assert.equal(indicatorSpecs(['rsi', 'macd'], { rsi: { period: 21 } })[0].name, 'rsi_21');
  assert.equal(indicatorSpecs(['rsi'], { period: 21 })[0].name, 'rsi_21');
  assert.throws(() => strategySpecs(undefined, { fast: 5 }), userError(/params apply to one strategy/));
  assert.throws(
    () => strategySpecs(['ma-crossover', 'bollinger'], { fast: 5 }),
    userError(/params apply to one strategy/),
  );
});

test('signals made with other parameters are stored as another series', () => {
  assert.equal(seriesName(strategySpecs(['ma-crossover'])[0]), 'ma-crossover');
  assert.equal(seriesName(strategySpecs(['ma-crossover'], { fast: 20 })[0]), 'ma-crossover');
  assert.equal(seriesName(strategySpecs(['ma-crossover'], { slow: 60, fast: 5 })[0]), 'ma-crossover(fast=5,slow=60)');
});

forEachBackend('incremental analysis state', (open, backend) => {
  let db: Database;
  let assetId: string;
  const series = generateSeries(300, { seed: 11, stepMs: DAY, startTs: Date.UTC(2023, 0, 2), volatility: 0.02 });
  const rsi = indicatorSpecs(['rsi']);

  before(async () => {
    db = await open();
    const a = await db.query<{ id: string }>(
      "INSERT INTO assets (symbol, name, asset_type) VALUES ('SER', 'Series', 'stock') RETURNING id",
    );
    assetId = a.rows[0].id;
    await insertSeries(db, assetId, series);
    await computeIndicators(db, [assetId], '1d', rsi);
  });
  after(() => db.close());

  const change = async (q: Database | Parameters<Parameters<Database['transaction']>[0]>[0], i: number) => {
    await q.query(
      `UPDATE candles SET close = close * 1.01, high = high * 1.01 WHERE asset_id = $1 AND "interval" = '1d' AND ts = $2`,
      [assetId, new Date(series.ts[i])],
    );
    // The UPDATE is logged in candle_writes by the candles trigger (migration 0012), as any plain SQL write.
  };

  // Needs two connections at once: the embedded database runs one transaction at a time, so there
  // a write can never commit while a computation runs.
  const onServer = backend === 'server' ? test : () => undefined;
  onServer('a write committed while a computation ran is recomputed by the next one', async () => {
    const i = 250;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let wrote!: () => void;
    const written = new Promise<void>((r) => (wrote = r));
    const writer = db.transaction(async (tx) => {
      await change(tx, i);
      wrote();
      await gate;
    });
    await written;
    // Runs on other connections while the write is uncommitted: it cannot see the change.
    const during = await computeIndicators(db, [assetId], '1d', rsi);
    assert.equal(during[0].recomputed, false);
    release();
    await writer;
    const next = await computeIndicators(db, [assetId], '1d', rsi);
    assert.equal(next[0].recomputed, true);
    assert.equal(next[0].from?.getTime(), series.ts[i]);
  });

  test('the write log keeps what some series has not computed and drops the rest', async () => {
    await computeIndicators(db, [assetId], '1d', rsi);
    await pruneCandleWrites(db);
    const count = async () =>
      (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM candle_writes WHERE asset_id = $1', [assetId]))
        .rows[0].n;
    assert.equal(await count(), 0);
    await db.transaction((tx) => change(tx, 260));
    await pruneCandleWrites(db);
    assert.equal(await count(), 1, 'rsi_14 has not seen it yet');
    const res = await computeIndicators(db, [assetId], '1d', rsi);
    assert.equal(res[0].from?.getTime(), series.ts[260]);
    await pruneCandleWrites(db);
    assert.equal(await count(), 0);
  });

  test('after a recompute removes the newest signal, the one before it is active again', async () => {
    const rows = [
      { ts: series.ts[280], active: false },
      { ts: series.ts[290], active: true },
    ];
    for (const r of rows) {
      await db.query(
        `INSERT INTO signals (asset_id, ts, signal_type, strength, confidence, price, strategy, rationale, timeframe, expires_at, is_active)
         VALUES ($1, $2, 'buy', 0.5, 0.5, 10, 'test-strategy', 'r', '1d', now() + interval '1 day', $3)`,
        [assetId, new Date(r.ts), r.active],
      );
    }
    await db.query("DELETE FROM signals WHERE asset_id = $1 AND strategy = 'test-strategy' AND ts = $2", [
      assetId,
      new Date(series.ts[290]),
    ]);
    await deactivateSuperseded(db, assetId, 'test-strategy', '1d');
    const r = await db.query<{ is_active: boolean }>(
      "SELECT is_active FROM signals WHERE asset_id = $1 AND strategy = 'test-strategy'",
      [assetId],
    );
    assert.deepEqual(r.rows, [{ is_active: true }]);
  });

  test('a strategy with changed parameters writes its own series beside the default one', async () => {
    const def = await generateSignals(db, [assetId], '1d', strategySpecs(['ma-crossover']));
    const fast = await generateSignals(db, [assetId], '1d', strategySpecs(['ma-crossover'], { fast: 5, slow: 15 }));
    assert.equal(fast[0].strategy, 'ma-crossover(fast=5,slow=15)');
    const names = await db.query<{ strategy: string; n: number }>(
      "SELECT strategy, count(*)::int AS n FROM signals WHERE asset_id = $1 AND strategy LIKE 'ma-crossover%' GROUP BY 1 ORDER BY 1",
      [assetId],
    );
    assert.deepEqual(
      names.rows.map((x) => x.strategy),
      ['ma-crossover', 'ma-crossover(fast=5,slow=15)'].filter((_, k) => [def, fast][k][0].inserted > 0),
    );
    assert.ok(fast[0].inserted > def[0].inserted, 'faster averages cross more often');
  });
});
