/**
 * tm doctor on a deliberately broken set-up (candles a plain table with rows in it), and
 * tm hypertable ensure fixing it by converting the table and migrating its rows.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { embeddedDb } from '../helpers/db.ts';
import { insertAssets, insertCandles } from '../helpers/candles.ts';
import type { EmbeddedDatabase } from '../../src/db/pglite.ts';
import { runDoctor } from '../../src/timescale/doctor.ts';
import { ensureHypertable, isHypertable, listChunks } from '../../src/timescale/hypertables.ts';
import { addCompressionPolicy } from '../../src/timescale/compression.ts';
import { runJob } from '../../src/timescale/jobs.ts';
import { must } from '../helpers/must.ts';

describe('doctor and hypertable ensure [embedded]', () => {
  let db: EmbeddedDatabase;
  let rows: number;
  let sums: unknown;
  const sumsOf = async () =>
    (
      await db.query(
        'SELECT count(*)::int AS n, round(sum(close)::numeric, 6)::text AS close, min(ts) AS first, max(ts) AS last FROM candles',
      )
    ).rows[0];

  before(async () => {
    db = await embeddedDb();
    await insertAssets(db, 2);
    rows = await insertCandles(db, {
      interval: '1h',
      step: '1 hour',
      from: "date_trunc('hour', now()) - interval '30 days'",
      to: "date_trunc('hour', now())",
    });
    // The broken state: candles replaced by a plain table with the same columns, keys and rows.
    await db.exec(`
      DROP MATERIALIZED VIEW candle_price_stats; -- as where TimescaleDB came after the migrations
      CREATE TABLE candles_plain (LIKE candles INCLUDING ALL);
      INSERT INTO candles_plain SELECT * FROM candles;
      ALTER SEQUENCE candles_id_seq OWNED BY candles_plain.id;
      DROP TABLE candles;
      ALTER TABLE candles_plain RENAME TO candles;
      ALTER TABLE candles ADD FOREIGN KEY (asset_id) REFERENCES assets (id) ON DELETE RESTRICT;
    `);
    sums = await sumsOf();
  });
  after(async () => db.close());

  test('doctor reports candles as a plain table, with the fix', async () => {
    assert.equal(await isHypertable(db), false);
    const report = await runDoctor(db);
    assert.equal(report.ok, false);
    const check = must(report.checks.find((c) => c.check === 'candles hypertable'));
    assert.equal(check.status, 'problem');
    assert.match(check.detail, new RegExp(`plain table \\(${rows} rows\\)`));
    assert.equal(check.fix, 'tm hypertable ensure');
    assert.equal(must(report.checks.find((c) => c.check === 'timescaledb extension')).status, 'ok');
    await assert.rejects(addCompressionPolicy(db, '30d'), /candles is not a hypertable\. Fix: tm hypertable ensure/);
  });

  test('ensure converts it with 7-day chunks, keeping every row; a second ensure does nothing', async () => {
    const r = await ensureHypertable(db);
    assert.deepEqual(r, { hypertable: 'candles', converted: true, migrated_rows: rows, chunk_interval: '7 days' });
    assert.equal(await isHypertable(db), true);
    assert.deepEqual(await sumsOf(), sums);
    const dim = await db.query<{ i: string }>(
      "SELECT time_interval::text AS i FROM timescaledb_information.dimensions WHERE hypertable_name = 'candles'",
    );
    assert.equal(dim.rows[0].i, '7 days');
    const chunks = await listChunks(db);
    assert.ok(chunks.total >= 5, 'thirty days of rows are in several chunks');
    // Rows really live in the chunks: the parent table itself holds none.
    assert.equal((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM ONLY candles')).rows[0].n, 0);
    const again = await ensureHypertable(db);
    assert.equal(again.converted, false);
  });

  test('doctor is then clean for the hypertable, and policies work on it', async () => {
    const report = await runDoctor(db);
    assert.equal(must(report.checks.find((c) => c.check === 'candles hypertable')).status, 'ok');
    assert.equal(must(report.checks.find((c) => c.check === 'compression policy')).status, 'warning');
    assert.equal(report.ok, true, JSON.stringify(report.checks.filter((c) => c.status === 'problem')));
    const { job_id } = await addCompressionPolicy(db, '7d');
    await runJob(db, job_id);
    assert.deepEqual(await sumsOf(), sums);
  });

  test('doctor warns about a run that never finished', async () => {
    const { job_id } = await addCompressionPolicy(db, '7d');
    await db.query(
      `INSERT INTO job_runs (job_id, proc_name, hypertable, started_at, "trigger") VALUES ($1, 'policy_compression', 'candles', now(), 'schedule')`,
      [job_id],
    );
    const check = must((await runDoctor(db)).checks.find((c) => c.check.startsWith(`job ${job_id} `)));
    assert.equal(check.status, 'warning');
    assert.match(check.detail, /never finished/);
  });

  test('doctor reports a failed policy run as a problem with the retry command', async () => {
    const { job_id } = await addCompressionPolicy(db, '7d');
    await db.query(
      `UPDATE _timescaledb_config.bgw_job SET config = jsonb_set(config, '{hypertable_id}', '999999') WHERE id = $1`,
      [job_id],
    );
    await assert.rejects(runJob(db, job_id));
    const report = await runDoctor(db);
    const check = must(report.checks.find((c) => c.check.startsWith(`job ${job_id} `)));
    assert.equal(check.status, 'problem');
    assert.equal(check.fix, `look at the error, then retry: tm jobs run ${job_id}`);
    assert.equal(report.ok, false);
  });
});
