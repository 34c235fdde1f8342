/**
 * Compression and retention policies on the embedded TimescaleDB: they appear in
 * timescaledb_information.jobs, running them (tm jobs run / run-due / the scheduler) does what they
 * say, and queries return the same results before and after compression, also after reopening.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { embeddedDb } from '../helpers/db.ts';
import { insertAssets, insertCandles } from '../helpers/candles.ts';
import { openEmbedded, type EmbeddedDatabase } from '../../src/db/pglite.ts';
import { Migrator } from '../../src/db/migrate/migrator.ts';
import type { Queryable } from '../../src/db/types.ts';
import {
  addCompressionPolicy,
  compressionStatus,
  enableCompression,
  removeCompressionPolicy,
} from '../../src/timescale/compression.ts';
import { addRetentionPolicy, removeRetentionPolicy, retentionStatus } from '../../src/timescale/retention.ts';
import { dueJobs, jobHistory, listJobs, runDueJobs, runJob } from '../../src/timescale/jobs.ts';
import { startJobScheduler } from '../../src/timescale/scheduler.ts';
import { hypertableStats, listChunks } from '../../src/timescale/hypertables.ts';
import { must } from '../helpers/must.ts';

const FROM = "date_trunc('hour', now()) - interval '70 days'";
const TO = "date_trunc('hour', now())";

/** Results that must not change when chunks are compressed. */
async function fingerprint(q: Queryable) {
  const rows = async (sql: string) => (await q.query(sql)).rows;
  return {
    counts: await rows(`SELECT a.symbol, c."interval", count(*)::int AS n, min(c.ts) AS first, max(c.ts) AS last
                          FROM candles c JOIN assets a ON a.id = c.asset_id GROUP BY 1, 2 ORDER BY 1, 2`),
    sums: await rows(`SELECT a.symbol, round(sum(c.close)::numeric, 6)::text AS close, round(sum(c.volume)::numeric, 6)::text AS volume,
                             sum(c.trades)::bigint AS trades, count(c.vwap)::int AS vwaps, max(c.high) AS high, min(c.low) AS low
                        FROM candles c JOIN assets a ON a.id = c.asset_id GROUP BY 1 ORDER BY 1`),
    oldest: await rows(
      `SELECT asset_id, ts, "interval", open, high, low, close, volume, trades, vwap FROM candles ORDER BY ts, asset_id, "interval" LIMIT 50`,
    ),
    range: await rows(`SELECT asset_id, ts, close FROM candles
                        WHERE ts >= date_trunc('hour', now()) - interval '60 days' AND ts < date_trunc('hour', now()) - interval '59 days'
                        ORDER BY asset_id, ts`),
    latest: await rows(`SELECT DISTINCT ON (asset_id) asset_id, ts, close FROM candles ORDER BY asset_id, ts DESC`),
  };
}

async function jobIds(q: Queryable, proc: string): Promise<number[]> {
  const r = await q.query<{ job_id: number }>(
    "SELECT job_id FROM timescaledb_information.jobs WHERE proc_name = $1 AND hypertable_name = 'candles' ORDER BY job_id",
    [proc],
  );
  return r.rows.map((x) => x.job_id);
}

describe('compression policy [embedded]', () => {
  let db: EmbeddedDatabase;
  before(async () => {
    db = await embeddedDb();
    await insertAssets(db, 3);
    await insertCandles(db, { interval: '1h', step: '1 hour', from: FROM, to: TO });
    await insertCandles(db, {
      interval: '1d',
      step: '1 day',
      from: "date_trunc('day', now()) - interval '70 days'",
      to: "date_trunc('day', now())",
    });
  });
  after(async () => db.close());

  test('the policy appears in timescaledb_information.jobs, once', async () => {
    const r = await addCompressionPolicy(db, '30d');
    assert.equal(r.created, true);
    assert.deepEqual(r.compression_enabled_with, {
      segmentby: ['asset_id', 'interval'],
      orderby: ['ts DESC'],
      merge_up_to: '28 days',
    });
    assert.deepEqual(await jobIds(db, 'policy_compression'), [r.job_id]);
    const job = (
      await db.query<{ c: Record<string, unknown> }>(
        'SELECT config AS c FROM timescaledb_information.jobs WHERE job_id = $1',
        [r.job_id],
      )
    ).rows[0];
    assert.equal(job.c.compress_after, '30 days');
    const again = await addCompressionPolicy(db, '30 days');
    assert.deepEqual([again.created, again.job_id], [false, r.job_id]);
    await assert.rejects(addCompressionPolicy(db, '10d'), /already has a compression policy/);
    const status = await compressionStatus(db);
    assert.equal(status.policy?.job_id, r.job_id);
    assert.equal(status.compressed_chunks, 0);
  });

  test('tm jobs run compresses exactly the chunks older than 30 days, merged; query results do not change', async () => {
    const before = await fingerprint(db);
    const ranges = `SELECT min(range_start) AS first, max(range_end) AS last, count(*)::int AS n
                      FROM timescaledb_information.chunks WHERE hypertable_name = 'candles'`;
    const expected = (
      await db.query<{ first: Date; last: Date; n: number }>(`${ranges} AND range_end <= now() - interval '30 days'`)
    ).rows[0];
    assert.ok(expected.n >= 4, 'some chunks are old enough');
    const [jobId] = await jobIds(db, 'policy_compression');
    const run = await runJob(db, jobId, 'manual');
    assert.equal(run.succeeded, true);
    assert.equal(run.trigger, 'manual');
    // The old chunks, and only they, are compressed: merged in fours (28 days of 7-day chunks) as they go.
    const compressed = (await db.query<{ first: Date; last: Date; n: number }>(`${ranges} AND is_compressed`)).rows[0];
    assert.deepEqual([compressed.first, compressed.last], [expected.first, expected.last]);
    assert.ok(
      compressed.n < expected.n && compressed.n >= Math.ceil(expected.n / 4),
      `${expected.n} chunks merged up to 28 days each: ${compressed.n}`,
    );
    const oldUncompressed = await db.query(
      `${ranges} AND NOT is_compressed AND range_end <= now() - interval '30 days' HAVING count(*) > 0`,
    );
    assert.equal(oldUncompressed.rows.length, 0, 'no old chunk left uncompressed');
    assert.deepEqual(await fingerprint(db), before);

    const stats = await hypertableStats(db);
    assert.equal(stats.compressed_chunks, compressed.n);
    assert.ok(
      must(stats.before_compression_bytes) > must(stats.after_compression_bytes),
      'compressed chunks are smaller',
    );
    const chunks = await listChunks(db);
    assert.equal(chunks.items.filter((c) => c.is_compressed).length, compressed.n);
    assert.ok(
      chunks.items.filter((c) => c.is_compressed).every((c) => must(c.before_compression_bytes) > c.total_bytes),
    );

    const history = await jobHistory(db, { jobId, limit: 10, offset: 0 });
    assert.equal(history.total, 1);
    assert.equal(history.items[0].succeeded, true);
  });

  test('changing settings with compressed chunks either works without changing results or fails with the fix', async () => {
    // TimescaleDB versions differ: recent ones keep per-chunk settings, older ones refuse the change.
    const before = await fingerprint(db);
    try {
      await enableCompression(db, { segmentby: 'asset_id', orderby: 'ts DESC' });
      assert.deepEqual((await compressionStatus(db)).segmentby, ['asset_id']);
    } catch (err) {
      assert.match((err as Error).message, /Fix: decompress its chunks first/);
    }
    assert.deepEqual(await fingerprint(db), before);
  });

  test('remove takes the policy out of the jobs', async () => {
    const r = await removeCompressionPolicy(db);
    assert.equal(r.removed, true);
    assert.deepEqual(await jobIds(db, 'policy_compression'), []);
    assert.equal((await removeCompressionPolicy(db)).removed, false);
  });

  test('a bad duration or column is refused before any SQL', async () => {
    await assert.rejects(addCompressionPolicy(db, 'soon'), /--after "soon" is not a duration/);
    await assert.rejects(
      enableCompression(db, { segmentby: 'asset_id; DROP TABLE candles' }),
      /is not a column of candles/,
    );
    await assert.rejects(enableCompression(db, { orderby: 'ts DESC, nope' }), /"nope" is not a column/);
  });
});

describe('compressed rows after reopening an on-disk data dir [embedded]', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-ts-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('rows in compressed chunks are all visible after close and reopen', async () => {
    const template = process.env.TM_TEST_PGLITE_TEMPLATE;
    let db = await openEmbedded({
      dataDir: path.join(dir, 'data'),
      ...(template ? { loadDataDir: new Blob([readFileSync(template)]) } : {}),
    });
    if (!template) await new Migrator(db).upgrade('head');
    await insertAssets(db, 2);
    await insertCandles(db, { interval: '1h', step: '1 hour', from: FROM, to: TO });
    const { job_id } = await addCompressionPolicy(db, '30d');
    await runJob(db, job_id);
    const before = await fingerprint(db);
    const compressed = (
      await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'candles' AND is_compressed",
      )
    ).rows[0].n;
    assert.ok(compressed > 0);
    await db.close();

    db = await openEmbedded({ dataDir: path.join(dir, 'data') });
    try {
      assert.deepEqual(await fingerprint(db), before);
      // Inserting into an uncompressed chunk of the hypertable still works after the reopen.
      await db.query(
        `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume)
         SELECT id, date_trunc('hour', now()) + interval '1 hour', '1h', 1, 1, 1, 1, 1 FROM assets`,
      );
    } finally {
      await db.close();
    }
  });
});

describe('retention policy [embedded]', () => {
  let db: EmbeddedDatabase;
  before(async () => {
    db = await embeddedDb();
    await insertAssets(db, 2);
    await insertCandles(db, { interval: '1h', step: '1 hour', from: FROM, to: TO });
  });
  after(async () => db.close());

  test('drops exactly the chunks past the horizon, and nothing else', async () => {
    const r = await addRetentionPolicy(db, '30d');
    assert.equal(r.created, true);
    assert.deepEqual(await jobIds(db, 'policy_retention'), [r.job_id]);
    const chunks = await db.query<{ chunk_name: string; range_start: Date; range_end: Date; past: boolean; n: number }>(
      `SELECT c.chunk_name, c.range_start, c.range_end, c.range_end <= now() - interval '30 days' AS past,
              (SELECT count(*)::int FROM candles x WHERE x.ts >= c.range_start AND x.ts < c.range_end) AS n
         FROM timescaledb_information.chunks c WHERE c.hypertable_name = 'candles' ORDER BY c.range_start`,
    );
    const past = chunks.rows.filter((c) => c.past);
    const kept = chunks.rows.filter((c) => !c.past);
    assert.ok(past.length >= 4 && kept.length >= 4);
    const status = await retentionStatus(db);
    assert.deepEqual(
      status.chunks_past_horizon.map((c) => c.chunk_name),
      past.map((c) => c.chunk_name),
    );

    await runJob(db, r.job_id);
    const after = await db.query<{ chunk_name: string }>(
      "SELECT chunk_name FROM timescaledb_information.chunks WHERE hypertable_name = 'candles' ORDER BY range_start",
    );
    assert.deepEqual(
      after.rows.map((c) => c.chunk_name),
      kept.map((c) => c.chunk_name),
    );
    const left = (
      await db.query<{ n: number; first: Date }>('SELECT count(*)::int AS n, min(ts) AS first FROM candles')
    ).rows[0];
    assert.equal(
      left.n,
      kept.reduce((s, c) => s + c.n, 0),
    );
    assert.equal(left.first.getTime(), kept[0].range_start.getTime());
    assert.deepEqual((await retentionStatus(db)).chunks_past_horizon, []);
  });

  test('a different horizon needs remove first; remove takes it out of the jobs', async () => {
    await assert.rejects(addRetentionPolicy(db, '1y'), /already has a retention policy/);
    assert.equal((await removeRetentionPolicy(db)).removed, true);
    assert.deepEqual(await jobIds(db, 'policy_retention'), []);
  });
});

describe('due jobs and the embedded scheduler [embedded]', () => {
  let db: EmbeddedDatabase;
  before(async () => {
    db = await embeddedDb();
    await insertAssets(db, 1);
    await insertCandles(db, { interval: '1h', step: '1 hour', from: FROM, to: TO });
    await runDueJobs(db, 'schedule'); // migration 0011's refresh policy (candle_price_stats) is due from the start
  });
  after(async () => db.close());

  test('new policies are due; after a run they are due again one schedule_interval later', async () => {
    const c = await addCompressionPolicy(db, '30d');
    const rt = await addRetentionPolicy(db, '60d');
    const due = await dueJobs(db);
    assert.deepEqual(due.map((j) => j.job_id).sort(), [c.job_id, rt.job_id].sort());
    const res = await runDueJobs(db, 'schedule');
    assert.deepEqual(res.failed, []);
    assert.deepEqual(
      res.ran.map((r) => r.trigger),
      ['schedule', 'schedule'],
    );
    assert.deepEqual(await dueJobs(db), []);
    const jobs = await listJobs(db);
    const comp = must(jobs.find((j) => j.job_id === c.job_id));
    assert.equal(comp.last_run_succeeded, true);
    assert.equal(comp.last_run_source, 'tm');
    // policy_compression runs every 12 hours, policy_retention every day (TimescaleDB's defaults).
    const interval = (
      await db.query<{ ms: number }>(
        'SELECT extract(epoch FROM schedule_interval)::float8 * 1000 AS ms FROM timescaledb_information.jobs WHERE job_id = $1',
        [c.job_id],
      )
    ).rows[0].ms;
    assert.equal(must(comp.next_start).getTime() - must(comp.last_run_started_at).getTime(), interval);
    const later = new Date(Date.now() + interval + 1000);
    assert.ok((await dueJobs(db, later)).some((j) => j.job_id === c.job_id));
  });

  test('a failed run is recorded and retried after retry_period', async () => {
    const [jobId] = await jobIds(db, 'policy_retention');
    // A config naming a hypertable that does not exist makes the policy fail when run (alter_job
    // would refuse it, so the catalog is edited directly: this is the test's broken set-up).
    await db.query(
      `UPDATE _timescaledb_config.bgw_job SET config = jsonb_set(config, '{hypertable_id}', '999999') WHERE id = $1`,
      [jobId],
    );
    await assert.rejects(runJob(db, jobId), new RegExp(`job ${jobId} \\(policy_retention on candles\\) failed`));
    const last = (await jobHistory(db, { jobId, limit: 1, offset: 0 })).items[0];
    assert.equal(last.succeeded, false);
    assert.ok(last.error);
    const job = must((await listJobs(db)).find((j) => j.job_id === jobId));
    assert.equal(job.last_run_succeeded, false);
    const retry = (
      await db.query<{ ms: number }>(
        'SELECT extract(epoch FROM least(retry_period, schedule_interval))::float8 * 1000 AS ms FROM timescaledb_information.jobs WHERE job_id = $1',
        [jobId],
      )
    ).rows[0].ms;
    assert.equal(must(job.next_start).getTime() - must(last.finished_at).getTime(), retry);
  });

  test('the scheduler runs due jobs on its own and records them as scheduled runs', async () => {
    const [jobId] = await jobIds(db, 'policy_compression');
    // Make the compression job due: its last run moves a day back.
    await db.query(
      "UPDATE job_runs SET started_at = started_at - interval '1 day', finished_at = finished_at - interval '1 day' WHERE job_id = $1",
      [jobId],
    );
    const before = (await jobHistory(db, { jobId, limit: 1, offset: 0 })).total;
    const scheduler = startJobScheduler(db, { firstDelayMs: 60_000 });
    assert.equal(scheduler.active, true);
    await scheduler.tick();
    await scheduler.stop();
    const h = await jobHistory(db, { jobId, limit: 1, offset: 0 });
    assert.equal(h.total, before + 1);
    assert.equal(h.items[0].trigger, 'schedule');
    assert.equal(h.items[0].succeeded, true);
  });

  test('running the due jobs deletes tm history older than 90 days', async () => {
    const [jobId] = await jobIds(db, 'policy_compression');
    await db.query(
      `INSERT INTO job_runs (job_id, proc_name, hypertable, started_at, finished_at, succeeded, "trigger")
       VALUES ($1, 'policy_compression', 'candles', now() - interval '91 days', now() - interval '91 days', true, 'schedule'),
              ($1, 'policy_compression', 'candles', now() - interval '89 days', now() - interval '89 days', true, 'schedule')`,
      [jobId],
    );
    const old = async () =>
      (
        await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM job_runs WHERE started_at < now() - interval '80 days'",
        )
      ).rows[0].n;
    assert.equal(await old(), 2);
    await runDueJobs(db, 'schedule');
    assert.equal(await old(), 1);
  });

  test('run of an unknown job is a clear error', async () => {
    await assert.rejects(runJob(db, 424242), /job 424242 does not exist/);
  });
});
