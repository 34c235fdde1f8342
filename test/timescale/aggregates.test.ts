/**
 * Continuous aggregates equal a direct time_bucket query over the base candles, including the newest
 * bucket that no refresh has materialized (real-time aggregation).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { embeddedDb } from '../helpers/db.ts';
import { insertAssets, insertCandles } from '../helpers/candles.ts';
import type { EmbeddedDatabase } from '../../src/db/pglite.ts';
import type { Queryable } from '../../src/db/types.ts';
import type { Interval } from '../../src/intervals.ts';
import {
  createAggregates,
  dropAggregate,
  findAggregate,
  listAggregates,
  refreshAggregate,
} from '../../src/timescale/aggregates.ts';
import { runJob } from '../../src/timescale/jobs.ts';
import { fromView, rollupOfCandles } from '../helpers/rollups.ts';
import { must } from '../helpers/must.ts';

const TARGETS: Interval[] = ['5m', '1h', '4h', '1d', '1w', '1M'];

const direct = (q: Queryable, target: Interval) => rollupOfCandles(q, '1m', target);

describe('continuous aggregates [embedded]', () => {
  let db: EmbeddedDatabase;
  before(async () => {
    db = await embeddedDb();
    await insertAssets(db, 2);
    // 1m candles over the last 40 days: buckets of every target, months across a boundary.
    await insertCandles(db, {
      interval: '1m',
      step: '1 minute',
      from: "date_trunc('minute', now()) - interval '40 days'",
      to: "date_trunc('minute', now())",
    });
    // Other intervals in the same table must not leak into the rollups.
    await insertCandles(db, {
      interval: '1h',
      step: '1 hour',
      from: "date_trunc('hour', now()) - interval '40 days'",
      to: "date_trunc('hour', now())",
    });
  });
  after(async () => db.close());

  test('create makes one view per target, registered, with a refresh policy each', async () => {
    const rows = await createAggregates(db, '1m', TARGETS);
    assert.deepEqual(
      rows.map((r) => r.view_name),
      ['candles_5min', 'candles_1h', 'candles_4h', 'candles_1d', 'candles_1w', 'candles_1mon'],
    );
    assert.ok(rows.every((r) => r.created && r.refreshed && r.refresh_job_id));
    const caggs = await db.query<{ view_name: string; materialized_only: boolean }>(
      // Not migration 0011's candle_price_stats.
      "SELECT view_name, materialized_only FROM timescaledb_information.continuous_aggregates WHERE view_schema = 'public' AND view_name <> 'candle_price_stats' ORDER BY view_name",
    );
    assert.equal(caggs.rows.length, TARGETS.length);
    assert.ok(
      caggs.rows.every((c) => c.materialized_only === false),
      'real-time aggregation is on',
    );
    const jobs = await db.query<{ job_id: number }>(
      `SELECT job_id FROM timescaledb_information.jobs WHERE proc_name = 'policy_refresh_continuous_aggregate'
         AND hypertable_name <> 'candle_price_stats'
       ORDER BY job_id`,
    );
    assert.deepEqual(
      jobs.rows.map((j) => j.job_id),
      rows.map((r) => r.refresh_job_id),
    );
    const listed = await listAggregates(db);
    assert.deepEqual(
      listed.map((a) => [a.view_name, a.source_interval, a.target_interval, a.exists]),
      rows.map((r) => [r.view_name, '1m', r.target_interval, true]),
    );
    // Again: nothing new.
    const again = await createAggregates(db, '1m', ['1h']);
    assert.equal(again[0].created, false);
  });

  test('each aggregate equals the direct time_bucket query, including the newest bucket', async () => {
    for (const t of TARGETS) {
      const view = must(await findAggregate(db, t));
      assert.equal(view.source, '1m');
      assert.deepEqual(await fromView(db, view.view), await direct(db, t), `${view.view} after the refresh`);
    }
  });

  test('candles inserted after the refresh show at once (real-time), and after a policy run too', async () => {
    // New minutes after the last one (in the current, unmaterialized buckets), then a change to an
    // old, materialized bucket, which shows after the refresh policy runs.
    await insertCandles(db, {
      interval: '1m',
      step: '1 minute',
      from: "(SELECT max(ts) FROM candles WHERE \"interval\" = '1m') + interval '1 minute'",
      to: "(SELECT max(ts) FROM candles WHERE \"interval\" = '1m') + interval '3 minutes'",
    });
    for (const t of TARGETS) {
      const view = must(await findAggregate(db, t)).view;
      assert.deepEqual(await fromView(db, view), await direct(db, t), `${view}: newest bucket without a refresh`);
    }
    await db.query(
      `UPDATE candles SET volume = volume + 1000 WHERE "interval" = '1m' AND ts = (SELECT min(ts) + interval '3 days' FROM candles)`,
    );
    const view = must(await findAggregate(db, '1h')).view;
    const job = must(must((await listAggregates(db)).find((a) => a.view_name === view)).refresh_job_id);
    await runJob(db, job);
    assert.deepEqual(await fromView(db, view), await direct(db, '1h'), `${view} after its policy ran`);
    await refreshAggregate(
      db,
      'candles_1d',
      new Date(Date.now() - 10 * 86400_000).toISOString(),
      new Date().toISOString(),
    );
  });

  test('invalid rollups and unknown names are refused with a clear message', async () => {
    await assert.rejects(createAggregates(db, '1h', ['5m']), /cannot roll 1h candles up into 5m/);
    await assert.rejects(createAggregates(db, '1w', ['1M']), /cannot roll 1w candles up into 1M/);
    await assert.rejects(createAggregates(db, '5m', ['1h']), /candles_1h already rolls up 1m candles/);
    await assert.rejects(refreshAggregate(db, 'candles'), /not an aggregate made by tm aggregates create/);
    await assert.rejects(refreshAggregate(db, 'candles_1h', 'yesterday'), /--from "yesterday" is not a date/);
  });

  test('drop removes the view, its policy and its registry row', async () => {
    const before = must((await listAggregates(db)).find((a) => a.view_name === 'candles_4h'));
    await dropAggregate(db, 'candles_4h');
    assert.equal(await findAggregate(db, '4h'), null);
    assert.equal((await db.query("SELECT to_regclass('candles_4h') AS r")).rows[0].r, null);
    assert.equal(
      (await db.query('SELECT 1 FROM timescaledb_information.jobs WHERE job_id = $1', [before.refresh_job_id])).rows
        .length,
      0,
    );
    await assert.rejects(dropAggregate(db, 'candles_4h'), /not an aggregate/);
  });
});

describe('hierarchical continuous aggregates [embedded]', () => {
  let db: EmbeddedDatabase;
  const targets: Interval[] = ['1M', '1d', '1h', '5m', '1w'];
  before(async () => {
    db = await embeddedDb();
    await insertAssets(db, 2);
    await insertCandles(db, {
      interval: '1m',
      step: '1 minute',
      from: "date_trunc('minute', now()) - interval '35 days'",
      to: "date_trunc('minute', now())",
    });
  });
  after(async () => db.close());

  test('each view reads the coarsest finer one and still equals the direct query', async () => {
    const rows = await createAggregates(db, '1m', targets, { hierarchical: true });
    assert.deepEqual(
      rows.map((r) => [r.view_name, r.built_on]),
      [
        ['candles_5min', null],
        ['candles_1h', 'candles_5min'],
        ['candles_1d', 'candles_1h'],
        ['candles_1w', 'candles_1d'],
        ['candles_1mon', 'candles_1d'],
      ],
    );
    await insertCandles(db, {
      interval: '1m',
      step: '1 minute',
      from: "(SELECT max(ts) FROM candles) + interval '1 minute'",
      to: "(SELECT max(ts) FROM candles) + interval '2 minutes'",
    });
    for (const t of targets) {
      const view = must(await findAggregate(db, t));
      assert.equal(view.source, '1m');
      assert.deepEqual(await fromView(db, view.view), await direct(db, t), view.view);
    }
  });

  test('an aggregate others read cannot be dropped before them', async () => {
    await assert.rejects(
      dropAggregate(db, 'candles_1d'),
      /candles_1d is read by candles_1w, candles_1mon: drop them first|candles_1d is read by candles_1mon, candles_1w: drop them first/,
    );
    await dropAggregate(db, 'candles_1w');
    await dropAggregate(db, 'candles_1mon');
    await dropAggregate(db, 'candles_1d');
    assert.equal(await findAggregate(db, '1d'), null);
  });
});
