/**
 * TimescaleDB installed on the server but not in shared_preload_libraries: CREATE EXTENSION is a FATAL
 * error that closes the connection. tm must say so in one line with the fix, write nothing, and never
 * die of an unhandled 'error' event; doctor reports it as a problem.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tm } from '../helpers/tm.ts';
import { startCluster, type Cluster } from '../helpers/pg-cluster.ts';
import { timescaleServerSkip } from '../helpers/db.ts';
import { openServer } from '../../src/db/server.ts';
import { withDatabase } from '../../src/db/url.ts';
import { runDoctor } from '../../src/timescale/doctor.ts';
import { must } from '../helpers/must.ts';

describe('TimescaleDB installed but not preloaded [server]', { skip: timescaleServerSkip }, () => {
  let cluster: Cluster;
  let url: string;
  before(async () => {
    cluster = await startCluster(must(process.env.TM_TEST_PG_BIN), { preload: false });
    const admin = await openServer(cluster.url, { max: 1 });
    await admin.exec('CREATE DATABASE app');
    await admin.close();
    url = withDatabase(cluster.url, 'app');
  });
  after(() => cluster?.stop());

  test('migrate upgrade exits 1 with one line naming shared_preload_libraries, and writes nothing', async () => {
    const r = await tm(['migrate', 'upgrade', 'head'], { DATABASE_URL: url });
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0],
      /^tm: error: TimescaleDB is installed on this server but not preloaded\. Fix: .*shared_preload_libraries/,
    );
    assert.match(lines[0], /tm tune --apply/);
    assert.match(lines[0], /restart PostgreSQL/);
    const db = await openServer(url, { max: 1 });
    try {
      const t = await db.query(
        "SELECT to_regclass('public.schema_migrations') IS NULL AS none, to_regclass('public.candles') IS NULL AS no_candles",
      );
      assert.deepEqual(t.rows[0], { none: true, no_candles: true });
    } finally {
      await db.close();
    }
  });

  test('doctor reports it as a problem with the fix', async () => {
    const db = await openServer(url, { max: 1 });
    try {
      const report = await runDoctor(db);
      const ext = report.checks.find((c) => c.check === 'timescaledb extension');
      assert.equal(ext?.status, 'problem');
      assert.match(ext.detail, /installed on this server but not in shared_preload_libraries/);
      assert.match(must(ext.fix), /shared_preload_libraries/);
    } finally {
      await db.close();
    }
    const cli = await tm(['doctor'], { DATABASE_URL: url });
    assert.equal(cli.code, 1);
    assert.doesNotMatch(cli.stderr, /Connection terminated|Unhandled|at .*\.js:\d+/);
  });

  test('tune --apply adds timescaledb to the preloaded libraries, one quoted name each', async () => {
    const r = await tm(['tune', '--apply', '--json'], { DATABASE_URL: url });
    assert.equal(r.code, 0, r.stderr);
    const applied = JSON.parse(r.stdout).applied as { name: string; value: string }[];
    assert.ok(applied.some((a) => a.name === 'shared_preload_libraries'));
    const db = await openServer(url, { max: 1 });
    try {
      const conf = await db.query<{ setting: string }>(
        "SELECT setting FROM pg_file_settings WHERE name = 'shared_preload_libraries' AND sourcefile LIKE '%postgresql.auto.conf' AND applied IS NOT NULL",
      );
      assert.equal(conf.rows.at(-1)?.setting, 'timescaledb');
    } finally {
      await db.close();
    }
  });

  test("a connection the server closes rejects the query; no unhandled 'error' event", async () => {
    const db = await openServer(url, { max: 2 });
    try {
      await assert.rejects(
        db.session((s) => s.query('SELECT pg_terminate_backend(pg_backend_pid())')),
        /terminat/i,
      );
      // The pool still serves new connections afterwards.
      const r = await db.query<{ one: number }>('SELECT 1 AS one');
      assert.equal(r.rows[0].one, 1);
    } finally {
      await db.close();
    }
  });
});
