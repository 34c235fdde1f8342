/**
 * Compressed continuous aggregates (issue 27): the columnstore policy on the aggregates' old chunks,
 * on both backends. After compression, and after a correction and late data in the compressed range
 * followed by a refresh, each aggregate still equals the rollup computed from the raw candles.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database, Queryable } from '../../src/db/types.ts';
import type { Interval } from '../../src/intervals.ts';
import {
  addAggregateCompression,
  aggregateStorage,
  removeAggregateCompression,
} from '../../src/timescale/aggregate-storage.ts';
import { createAggregates, refreshAggregate } from '../../src/timescale/aggregates.ts';
import { runJob } from '../../src/timescale/jobs.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { insertAssets, insertCandles } from '../helpers/candles.ts';
import { serverHasTimescale } from '../helpers/db.ts';
import { must } from '../helpers/must.ts';
import { fromView, rollupOfCandles } from '../helpers/rollups.ts';

const TARGETS: Interval[] = ['4h', '1d'];

const direct = (q: Queryable, target: Interval) => rollupOfCandles(q, '1h', target);

forEachBackend('compressed continuous aggregates', (open, backend) => {
  const skip = backend === 'server' && !serverHasTimescale ? 'the test server has no TimescaleDB' : undefined;
  let db: Database;
  before(async () => {
    if (skip) return;
    db = await open();
    await insertAssets(db, 2);
    // 1h candles over 400 days: the aggregates' chunks (10 × 7 days) reach well past the 90-day policy.
    await insertCandles(db, {
      interval: '1h',
      step: '1 hour',
      from: "date_trunc('hour', now()) - interval '400 days'",
      to: "date_trunc('hour', now())",
    });
    await createAggregates(db, '1h', TARGETS, { hierarchical: true });
  });
  after(async () => {
    await db?.close();
  });

  test('a policy per aggregate compresses its old chunks; the views answer as before', { skip }, async () => {
    const added = await addAggregateCompression(db, [], '90d');
    assert.deepEqual(
      added.map((a) => [a.view_name, a.enabled, a.compress_after !== null]),
      [
        ['candles_4h', true, true],
        ['candles_1d', true, true],
      ],
    );
    for (const a of added) await runJob(db, must(a.policy_job_id));
    const after = await aggregateStorage(db);
    for (const a of after) {
      assert.ok(a.compressed_chunks >= 1, `${a.view_name}: ${a.compressed_chunks} of ${a.total_chunks} compressed`);
      assert.ok(a.compressed_chunks < a.total_chunks, `${a.view_name}: the newest chunk stays in the rowstore`);
    }
    for (const t of TARGETS) assert.deepEqual(await fromView(db, `candles_${t}`), await direct(db, t), t);
    // The same age again is a no-op; another age is refused with the fix.
    assert.deepEqual(
      (await addAggregateCompression(db, ['candles_1d'], '90d')).map((a) => a.policy_job_id),
      [added[1].policy_job_id],
    );
    await assert.rejects(
      addAggregateCompression(db, ['candles_1d'], '30d'),
      /already has a compression policy.*tm aggregates compression remove candles_1d/,
    );
    await assert.rejects(
      addAggregateCompression(db, ['candles_2d']),
      /not an aggregate made by tm aggregates create: candles_2d/,
    );
  });

  test('a correction and late data in the compressed range reach the aggregates after a refresh', {
    skip,
  }, async () => {
    const old = (
      await db.query<{ ts: Date }>("SELECT min(ts) + interval '3 days' AS ts FROM candles WHERE \"interval\" = '1h'")
    ).rows[0].ts;
    // A correction of an old bar, and a bar for a new asset deep in the past (late data).
    await db.query(`UPDATE candles SET high = high + 100, close = close + 1 WHERE "interval" = '1h' AND ts = $1`, [
      old,
    ]);
    await db.query("INSERT INTO assets (symbol, name, asset_type) VALUES ('LATE', 'late asset', 'stock')");
    await db.query(
      `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume)
       SELECT id, $1::timestamptz, '1h', 50, 60, 40, 55, 10 FROM assets WHERE symbol = 'LATE'`,
      [old],
    );
    for (const t of TARGETS) await refreshAggregate(db, `candles_${t}`);
    for (const t of TARGETS) assert.deepEqual(await fromView(db, `candles_${t}`), await direct(db, t), t);
    const removed = await removeAggregateCompression(db);
    assert.deepEqual(
      removed.map((a) => a.policy_job_id),
      [null, null],
    );
    assert.ok(
      removed.every((a) => a.compressed_chunks >= 1),
      'compressed chunks stay compressed',
    );
  });
});
