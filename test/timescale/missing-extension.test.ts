/**
 * Plain PostgreSQL (the test cluster has no TimescaleDB): every TimescaleDB command exits 1 with
 * "TimescaleDB is not installed on this server" and the fix; doctor reports it; nothing else breaks.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tm } from '../helpers/tm.ts';
import type { FastifyInstance } from 'fastify';
import { plainServerSkip, serverDb, type ServerTestDb } from '../helpers/db.ts';
import { buildApp } from '../../src/api/app.ts';
import { adminHeaders, tokenFor } from '../helpers/auth.ts';
import { loadConfig } from '../../src/config.ts';
import { TimescaleMissingError } from '../../src/errors.ts';
import { requireTimescale } from '../../src/timescale/require.ts';
import { runDoctor } from '../../src/timescale/doctor.ts';
import { analyze, relationSizes, slowQueries } from '../../src/timescale/monitor.ts';
import { applySettings } from '../../src/timescale/tune.ts';
import { startJobScheduler } from '../../src/timescale/scheduler.ts';
import { findAggregate } from '../../src/timescale/aggregates.ts';
import { must } from '../helpers/must.ts';

const TIMESCALE_COMMANDS = [
  ['hypertable', 'list'],
  ['hypertable', 'chunks'],
  ['hypertable', 'stats'],
  ['hypertable', 'ensure'],
  ['compression', 'enable'],
  ['compression', 'policy', 'add', '--after', '30d'],
  ['compression', 'policy', 'remove'],
  ['compression', 'status'],
  ['compression', 'compress', '--older-than', '30d'],
  ['compression', 'decompress', '--chunk', '_hyper_1_1_chunk'],
  ['retention', 'add', '--drop-after', '1y'],
  ['retention', 'remove'],
  ['retention', 'status'],
  ['aggregates', 'create', '--from', '1m', '--to', '1h'],
  ['aggregates', 'list'],
  ['aggregates', 'refresh', 'candles_1h'],
  ['aggregates', 'drop', 'candles_1h'],
  ['jobs', 'list'],
  ['jobs', 'run', '1000'],
  ['jobs', 'history'],
  ['jobs', 'run-due'],
];

describe('without TimescaleDB [server-plain]', { skip: plainServerSkip }, () => {
  let db: ServerTestDb;
  before(async () => {
    db = await serverDb({ plain: true });
  });
  after(async () => db.close());

  test('requireTimescale throws TimescaleMissingError with the fix', async () => {
    const err = await requireTimescale(db, 'compression').catch((e: unknown) => e);
    assert.ok(err instanceof TimescaleMissingError);
    assert.match(
      err.message,
      /^TimescaleDB is not installed on this server \(needed for compression\)\. Fix: install the timescaledb package/,
    );
  });

  test('every TimescaleDB command exits 1 with the one-line "not installed" error', async () => {
    const env = { DATABASE_URL: db.url };
    // Four at a time: each is a Node process.
    const results: { args: string[]; r: Awaited<ReturnType<typeof tm>> }[] = [];
    for (let i = 0; i < TIMESCALE_COMMANDS.length; i += 4) {
      const batch = TIMESCALE_COMMANDS.slice(i, i + 4);
      results.push(...(await Promise.all(batch.map(async (args) => ({ args, r: await tm(args, env) })))));
    }
    for (const { args, r } of results) {
      const cmd = `tm ${args.join(' ')}`;
      assert.equal(r.code, 1, `${cmd}: exit ${r.code}, stderr ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, `${cmd}: one line`);
      assert.match(r.stderr, /^tm: error: TimescaleDB is not installed on this server .*Fix: /, cmd);
      assert.equal(r.stdout, '', `${cmd}: nothing on stdout`);
    }
  });

  test('doctor reports the missing extension with its fix and exits 1', async () => {
    const report = await runDoctor(db, { tune: { memoryBytes: 16 * 2 ** 30, cpus: 4, maxConnections: 100 } });
    const ext = must(report.checks.find((c) => c.check === 'timescaledb extension'));
    assert.equal(ext.status, 'problem');
    assert.match(must(ext.fix), /CREATE EXTENSION timescaledb/);
    assert.equal(must(report.checks.find((c) => c.check === 'migrations')).status, 'ok');
    const connection = must(report.checks.find((c) => c.check === 'connection')).detail;
    assert.ok(connection.includes(db.target), connection);
    const password = new URL(db.url).password;
    if (password) assert.ok(!connection.includes(password), 'the password is not shown');
    // The test cluster runs with PostgreSQL's defaults, far from the advice for 16GB.
    assert.equal(must(report.checks.find((c) => c.check === 'settings')).status, 'warning');
    const cli = await tm(['doctor', '--json', '--memory', '16GB', '--cpus', '4'], { DATABASE_URL: db.url });
    assert.equal(cli.code, 1);
    assert.equal(JSON.parse(cli.stdout).ok, false);
    assert.match(cli.stderr, /doctor found \d+ problem/);
  });

  test('nothing else breaks: sizes, analyze, the scheduler, findAggregate', async () => {
    const sizes = await relationSizes(db);
    assert.ok(sizes.some((s) => s.name === 'candles' && s.kind === 'table'));
    assert.deepEqual(
      sizes.map((s) => s.total_bytes),
      [...sizes.map((s) => s.total_bytes)].sort((a, b) => b - a),
    );
    assert.equal((await analyze(db, 'candles')).analyzed, 'candles');
    await assert.rejects(analyze(db, 'nope'), /"nope" is not a table/);
    const scheduler = startJobScheduler(db);
    assert.equal(scheduler.active, false);
    await scheduler.stop();
    assert.equal(await findAggregate(db, '1h'), null);
  });

  test('monitor queries names the missing pg_stat_statements and the fix', async () => {
    await assert.rejects(slowQueries(db, 5), /pg_stat_statements extension is not installed.*shared_preload_libraries/);
  });

  test('tune --apply writes ALTER SYSTEM, says what needs a restart, skips unknown settings', async () => {
    const r = await applySettings(db, [
      { name: 'random_page_cost', value: '1.1', why: '' },
      { name: 'shared_buffers', value: '256MB', why: '' },
      { name: 'timescaledb.max_background_workers', value: '8', why: '' },
    ]);
    try {
      assert.deepEqual(r.applied, [
        { name: 'random_page_cost', value: '1.1', restart_required: false },
        { name: 'shared_buffers', value: '256MB', restart_required: true },
      ]);
      assert.deepEqual(
        r.skipped.map((s) => s.name),
        ['timescaledb.max_background_workers'],
      );
      assert.equal(r.restart_required, true);
    } finally {
      await db.exec('ALTER SYSTEM RESET random_page_cost');
      await db.exec('ALTER SYSTEM RESET shared_buffers');
      await db.query('SELECT pg_reload_conf()');
    }
  });

  describe('admin API', () => {
    let app: FastifyInstance;
    let admin: { authorization: string };
    before(async () => {
      app = await buildApp({ db, config: loadConfig({}) });
      admin = await adminHeaders(app);
    });
    after(async () => {
      await app.close();
    });

    test('TimescaleDB routes answer 409 problem+json naming the missing extension', async () => {
      for (const [method, url] of [
        ['GET', '/api/admin/db/compression'],
        ['GET', '/api/admin/db/hypertables'],
        ['POST', '/api/admin/db/hypertables/ensure'],
        ['GET', '/api/admin/db/jobs'],
      ] as const) {
        const res = await app.inject({ method, url, headers: admin });
        assert.equal(res.statusCode, 409, `${method} ${url}`);
        assert.match(res.headers['content-type'] as string, /application\/problem\+json/);
        assert.match(res.json().detail, /TimescaleDB is not installed on this server/);
      }
      const sizes = await app.inject({ method: 'GET', url: '/api/admin/db/monitor/sizes?limit=2', headers: admin });
      assert.equal(sizes.statusCode, 200);
      assert.equal(sizes.json().items.length, 2);
    });

    test('admin routes need an administrator: 401 without a token, 403 for a user', async () => {
      const anonymous = await app.inject({ method: 'GET', url: '/api/admin/db/doctor' });
      assert.equal(anonymous.statusCode, 401);
      const { authorization } = await tokenFor(app, { admin: false });
      const user = await app.inject({ method: 'GET', url: '/api/admin/db/doctor', headers: { authorization } });
      assert.equal(user.statusCode, 403);
    });
  });
});
