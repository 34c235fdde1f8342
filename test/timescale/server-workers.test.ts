/**
 * On a real TimescaleDB server with background workers: policies run by the server's own scheduler,
 * manual operations that race those jobs, failing jobs made visible, never-run jobs (-infinity in the
 * catalog), and the worker-slot advice.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tm } from '../helpers/tm.ts';
import type { FastifyInstance } from 'fastify';
import { serverDb, timescaleServerSkip, type ServerTestDb } from '../helpers/db.ts';
import { insertAssets, insertCandles } from '../helpers/candles.ts';
import { adminHeaders } from '../helpers/auth.ts';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import {
  addCompressionPolicy,
  compressChunks,
  compressionStatus,
  decompressChunk,
  enableCompression,
  removeCompressionPolicy,
} from '../../src/timescale/compression.ts';
import { listChunks } from '../../src/timescale/hypertables.ts';
import { listJobs } from '../../src/timescale/jobs.ts';
import { runDoctor } from '../../src/timescale/doctor.ts';
import { createAggregates, refreshAggregate } from '../../src/timescale/aggregates.ts';
import { adviseSlots } from '../../src/timescale/workers.ts';
import { must } from '../helpers/must.ts';
import { until } from '../helpers/wait.ts';

/** Background workers run on their own schedule: the bound only decides how long a broken test takes to fail. */
const BACKGROUND = { timeoutMs: 120_000, everyMs: 250 };

const FROM = "date_trunc('hour', now()) - interval '100 days'";
const TO = "date_trunc('hour', now())";

describe('background workers on a TimescaleDB server [server]', { skip: timescaleServerSkip }, () => {
  let db: ServerTestDb;
  before(async () => {
    db = await serverDb({ max: 4 });
    const ids = await insertAssets(db, 2);
    assert.equal(ids.length, 2);
    await insertCandles(db, { interval: '1h', step: '1 hour', from: FROM, to: TO });
  });
  after(async () => db.close());

  test('compress right after adding a policy never fails, whoever compresses a chunk first', async () => {
    // Chunk by chunk, unmerged: the rounds below count and decompress the same chunks each time.
    await enableCompression(db, { mergeUpTo: '0' });
    for (let round = 0; round < 3; round++) {
      // The policy's job starts at once on the server and compresses the same chunks as the command.
      await addCompressionPolicy(db, '30d');
      const r = await compressChunks(db, '30d');
      const status = await compressionStatus(db);
      const old = (await listChunks(db)).items.filter((c) => c.range_end.getTime() < Date.now() - 30 * 86_400_000);
      assert.ok(old.length >= 8, `${old.length} old chunks`);
      assert.equal(r.compressed.length + r.already_compressed, old.length);
      await until(
        'every old chunk compressed',
        async () =>
          (await listChunks(db)).items
            .filter((c) => old.some((o) => o.chunk_name === c.chunk_name))
            .every((c) => c.is_compressed),
        BACKGROUND,
      );
      assert.ok(status.compressed_chunks >= r.compressed.length);
      // Start the next round from uncompressed chunks, the job out of the way.
      await removeCompressionPolicy(db);
      for (const c of old) await decompressChunk(db, c.chunk_name);
    }
  });

  test("a compression policy is run by the server's own scheduler", async () => {
    await enableCompression(db);
    await addCompressionPolicy(db, '30d');
    const compressed = await until(
      'the policy to compress chunks',
      async () => {
        const s = await compressionStatus(db);
        return s.compressed_chunks > 0 ? s : null;
      },
      BACKGROUND,
    );
    assert.ok(compressed.compressed_chunks > 0);
    const job = await until(
      'the job to report its run',
      async () =>
        (await listJobs(db)).find((j) => j.proc_name === 'policy_compression' && j.last_run_succeeded === true),
      BACKGROUND,
    );
    assert.equal(job.last_run_source, 'server');
    assert.ok(job.last_run_started_at instanceof Date);
    await removeCompressionPolicy(db);
  });

  test('a continuous aggregate with a refresh policy is kept by the workers; a manual refresh beside it works', async () => {
    // Creating it adds its refresh policy, whose first run the server starts at once.
    const [agg] = await createAggregates(db, '1h', ['1d']);
    assert.ok(agg.refresh_job_id);
    // The manual refresh races the policy's first run: both finish, nothing fails.
    await refreshAggregate(db, agg.view_name);
    await until(
      'the refresh policy to succeed',
      async () =>
        (await listJobs(db)).find(
          (j) => j.proc_name === 'policy_refresh_continuous_aggregate' && j.last_run_succeeded === true,
        ),
      BACKGROUND,
    );
    const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${agg.view_name}`);
    assert.ok(rows.rows[0].n >= 99, `${rows.rows[0].n} daily rows`);
  });

  test('a refresh while another refresh of an overlapping window runs waits for it; one that never ends is a clear error', async (t) => {
    const ranges = '_timescaledb_catalog.continuous_aggs_jobs_refresh_ranges';
    const has = await db.query<{ r: string | null }>('SELECT to_regclass($1)::text AS r', [ranges]);
    if (!has.rows[0].r) return t.skip(`this TimescaleDB has no ${ranges}: a running refresh cannot be staged`);
    const view = must((await createAggregates(db, '1h', ['4h']))[0]);
    const mat = await db.query<{ id: number }>(
      `SELECT mat_hypertable_id AS id FROM _timescaledb_catalog.continuous_agg WHERE user_view_name = $1`,
      [view.view_name],
    );
    // A refresh "running" in another live session, over every window: what TimescaleDB registers for one.
    await db.session(async (other) => {
      const pid = (await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const stage = () =>
        db.query(
          `INSERT INTO ${ranges} (materialization_id, start_range, end_range, pid, job_id, created_at)
           VALUES ($1, -9223372036854775808, 9223372036854775807, $2, $3, now())`,
          [mat.rows[0].id, pid, view.refresh_job_id],
        );
      const finish = () => db.query(`DELETE FROM ${ranges} WHERE pid = $1`, [pid]);
      await stage();
      const pauses: number[] = [];
      // The "other refresh" finishes during the second pause.
      const r = await refreshAggregate(db, view.view_name, undefined, undefined, {
        sleep: async (ms) => {
          pauses.push(ms);
          if (pauses.length === 2) await finish();
        },
      });
      assert.equal(r.view_name, view.view_name);
      // Two pauses, the second about twice the first (100 ms, then 200 ms, each ±20%).
      assert.equal(pauses.length, 2);
      assert.ok(pauses[0] >= 80 && pauses[0] <= 120 && pauses[1] >= 160 && pauses[1] <= 240, `${pauses}`);
      await stage();
      let clock = 0; // the waits pass on this clock, not the wall's
      const wait = {
        budgetMs: 300,
        now: () => clock,
        sleep: async (ms: number) => {
          clock += ms;
        },
      };
      await assert.rejects(
        refreshAggregate(db, view.view_name, undefined, undefined, wait),
        /refreshing candles_4h failed: could not refresh continuous aggregate "candles_4h" due to a concurrent refresh \(still so after 0 s: another refresh of an overlapping window/,
      );
      await finish();
    });
  });

  test('a job that has not run yet (-infinity in job_stats) lists without error, as never run', async () => {
    await db.exec(
      `CREATE OR REPLACE PROCEDURE tm_test_later(job_id int, config jsonb) LANGUAGE plpgsql AS $$ BEGIN END $$`,
    );
    const r = await db.query<{ id: number }>(
      "SELECT add_job('tm_test_later', '1 day', initial_start => now() + interval '1 day') AS id",
    );
    const jobs = await listJobs(db);
    const later = jobs.find((j) => j.job_id === r.rows[0].id);
    assert.ok(later);
    assert.equal(later.last_run_started_at, null);
    const cli = await tm(['jobs', 'list'], { DATABASE_URL: db.url });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(`^${r.rows[0].id}\\s+tm_test_later .* never$`, 'm'));
    const json = await tm(['jobs', 'list', '--json'], { DATABASE_URL: db.url });
    assert.equal(json.code, 0, json.stderr);
    await db.query('SELECT delete_job($1)', [r.rows[0].id]);
  });

  test('a failing job shows with its error in jobs list, doctor and the admin API', async () => {
    await db.exec(
      `CREATE OR REPLACE PROCEDURE tm_test_fails(job_id int, config jsonb) LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'boom from job %', job_id; END $$`,
    );
    const id = (await db.query<{ id: number }>("SELECT add_job('tm_test_fails', '1 hour') AS id")).rows[0].id;
    const failed = await until(
      'the job to fail in a background worker',
      async () => (await listJobs(db)).find((j) => j.job_id === id && j.last_run_succeeded === false),
      BACKGROUND,
    );
    assert.equal(failed.last_run_error, `boom from job ${id}`);
    assert.ok(failed.last_run_started_at instanceof Date);

    const cli = await tm(['jobs', 'list'], { DATABASE_URL: db.url });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(`^${id}\\s+tm_test_fails .*FAILED: boom from job ${id}`, 'm'));

    const report = await runDoctor(db);
    const check = report.checks.find((c) => c.check === `job ${id} (tm_test_fails)`);
    assert.equal(check?.status, 'problem');
    assert.match(check.detail, new RegExp(`failed: boom from job ${id}`));
    const doctor = await tm(['doctor'], { DATABASE_URL: db.url });
    assert.equal(doctor.code, 1);
    assert.match(doctor.stdout, new RegExp(`boom from job ${id}`));

    const app: FastifyInstance = await buildApp({ db, config: loadConfig({}) });
    try {
      const res = await app.inject({ method: 'GET', url: '/api/admin/db/jobs', headers: await adminHeaders(app) });
      assert.equal(res.statusCode, 200);
      const item = res.json().items.find((j: { job_id: number }) => j.job_id === id);
      assert.equal(item.last_run_succeeded, false);
      assert.equal(item.last_run_error, `boom from job ${id}`);
    } finally {
      await app.close();
    }
    await db.query('SELECT delete_job($1)', [id]);
  });

  test("doctor sees this database's scheduler and enough worker slots", async () => {
    const report = await runDoctor(db);
    const workers = report.checks.find((c) => c.check === 'background workers');
    assert.equal(workers?.status, 'ok', workers?.detail);
    assert.match(workers.detail, /scheduler running/);
  });
});

test('worker slots: more databases than slots is a problem with the tune command that sizes them', () => {
  const base = { max_parallel_workers: 8, scheduler_running: true };
  const starved = adviseSlots(
    { ...base, max_worker_processes: 8, max_background_workers: 16, databases: 20 },
    '2.28.3',
  );
  assert.equal(starved.status, 'problem');
  assert.match(must(starved.fix), /tm tune --databases 20 --apply/);
  const tight = adviseSlots({ ...base, max_worker_processes: 30, max_background_workers: 22, databases: 20 }, '2.28.3');
  assert.equal(tight.status, 'warning');
  const fine = adviseSlots({ ...base, max_worker_processes: 40, max_background_workers: 30, databases: 20 }, '2.28.3');
  assert.equal(fine.status, 'ok');
  const noScheduler = adviseSlots(
    { ...base, scheduler_running: false, max_worker_processes: 40, max_background_workers: 30, databases: 20 },
    '2.11.0',
  );
  assert.equal(noScheduler.status, 'warning');
  assert.match(must(noScheduler.fix), /_timescaledb_internal\.start_background_workers/);
});
