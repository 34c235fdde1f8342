/** The /api/admin/db routes on the embedded TimescaleDB: the same operations as the tm commands. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { embeddedDb } from '../helpers/db.ts';
import { insertAssets, insertCandles } from '../helpers/candles.ts';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { EmbeddedDatabase } from '../../src/db/pglite.ts';
import { adminHeaders } from '../helpers/auth.ts';

describe('admin database API [embedded]', () => {
  let db: EmbeddedDatabase;
  let app: FastifyInstance;
  let admin: { authorization: string };
  before(async () => {
    db = await embeddedDb();
    await insertAssets(db, 2);
    await insertCandles(db, {
      interval: '1m',
      step: '1 minute',
      from: "date_trunc('minute', now()) - interval '2 days'",
      to: "date_trunc('minute', now())",
    });
    await insertCandles(db, {
      interval: '1h',
      step: '1 hour',
      from: "date_trunc('hour', now()) - interval '60 days'",
      to: "date_trunc('hour', now()) - interval '3 days'",
    });
    app = await buildApp({ db, config: loadConfig({}) });
    admin = await adminHeaders(app);
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  test('hypertables, chunks (paginated) and stats', async () => {
    const list = await app.inject({ headers: admin, method: 'GET', url: '/api/admin/db/hypertables' });
    assert.equal(list.statusCode, 200);
    assert.deepEqual(
      list.json().items.map((h: { hypertable_name: string }) => h.hypertable_name),
      ['candles'],
    );
    const chunks = await app.inject({
      headers: admin,
      method: 'GET',
      url: '/api/admin/db/hypertables/candles/chunks?limit=2&offset=1',
    });
    assert.equal(chunks.statusCode, 200);
    const page = chunks.json();
    assert.equal(page.items.length, 2);
    assert.equal(page.limit, 2);
    assert.equal(page.offset, 1);
    assert.equal(
      page.total,
      (
        await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'candles'",
        )
      ).rows[0].n,
    );
    const stats = await app.inject({ headers: admin, method: 'GET', url: '/api/admin/db/hypertables/candles/stats' });
    assert.equal(stats.json().num_chunks, page.total);
    const missing = await app.inject({ headers: admin, method: 'GET', url: '/api/admin/db/hypertables/nope/stats' });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.headers['content-type'] as string, /problem\+json/);
  });

  test('compression policy, run the job, status', async () => {
    const add = await app.inject({
      headers: admin,
      method: 'POST',
      url: '/api/admin/db/compression/policy',
      payload: { after: '30d' },
    });
    assert.equal(add.statusCode, 201);
    const jobId = add.json().job_id;
    const again = await app.inject({
      headers: admin,
      method: 'POST',
      url: '/api/admin/db/compression/policy',
      payload: { after: '30 days' },
    });
    assert.equal(again.statusCode, 200);
    const run = await app.inject({ headers: admin, method: 'POST', url: `/api/admin/db/jobs/${jobId}/run` });
    assert.equal(run.statusCode, 200);
    assert.equal(run.json().succeeded, true);
    const status = (await app.inject({ headers: admin, method: 'GET', url: '/api/admin/db/compression' })).json();
    assert.equal(status.policy.job_id, jobId);
    assert.ok(status.compressed_chunks > 0);
    const history = (
      await app.inject({ headers: admin, method: 'GET', url: `/api/admin/db/jobs/history?job_id=${jobId}` })
    ).json();
    assert.equal(history.total, 1);
    assert.equal(history.items[0].trigger, 'manual');
    const bad = await app.inject({
      headers: admin,
      method: 'POST',
      url: '/api/admin/db/compression/policy',
      payload: { after: 'later' },
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().detail, /not a duration/);
  });

  test('aggregates: create, list, refresh, drop; zod rejects unknown intervals', async () => {
    const created = await app.inject({
      headers: admin,
      method: 'POST',
      url: '/api/admin/db/aggregates',
      payload: { from: '1m', to: ['15m', '1h'] },
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual(
      created.json().items.map((r: { view_name: string }) => r.view_name),
      ['candles_15min', 'candles_1h'],
    );
    const list = (await app.inject({ headers: admin, method: 'GET', url: '/api/admin/db/aggregates' })).json();
    type Listed = { view_name: string; made_by: string };
    assert.deepEqual(
      list.items.filter((a: Listed) => a.made_by === 'tm aggregates').map((a: Listed) => a.view_name),
      ['candles_15min', 'candles_1h'],
    );
    // Every aggregate the catalog has is listed, also those tm aggregates did not make (candle_price_stats).
    const catalog = await db.query<{ view_name: string }>(
      "SELECT view_name FROM timescaledb_information.continuous_aggregates WHERE view_schema = 'public' ORDER BY 1",
    );
    assert.deepEqual(list.items.map((a: Listed) => a.view_name).sort(), catalog.rows.map((r) => r.view_name).sort());
    assert.equal(list.total, catalog.rows.length);
    const refresh = await app.inject({
      headers: admin,
      method: 'POST',
      url: '/api/admin/db/aggregates/candles_1h/refresh',
      payload: {},
    });
    assert.equal(refresh.statusCode, 200);
    const drop = await app.inject({ headers: admin, method: 'DELETE', url: '/api/admin/db/aggregates/candles_15min' });
    assert.equal(drop.statusCode, 200);
    const bad = await app.inject({
      headers: admin,
      method: 'POST',
      url: '/api/admin/db/aggregates',
      payload: { from: '1m', to: ['2h'] },
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().detail, /to/);
  });

  test('retention, jobs list, doctor, tune, analyze, sizes', async () => {
    const ret = await app.inject({
      headers: admin,
      method: 'POST',
      url: '/api/admin/db/retention/policy',
      payload: { drop_after: '1y' },
    });
    assert.equal(ret.statusCode, 201);
    const jobs = (await app.inject({ headers: admin, method: 'GET', url: '/api/admin/db/jobs?limit=100' })).json();
    assert.ok(jobs.items.some((j: { proc_name: string }) => j.proc_name === 'policy_retention'));
    const doctor = (await app.inject({ headers: admin, method: 'GET', url: '/api/admin/db/doctor' })).json();
    assert.equal(doctor.ok, true, JSON.stringify(doctor.checks));
    const tune = (
      await app.inject({
        headers: admin,
        method: 'GET',
        url: '/api/admin/db/tune?memory=16GB&cpus=4&max_connections=100',
      })
    ).json();
    assert.equal(tune.settings.find((s: { name: string }) => s.name === 'shared_buffers').value, '4GB');
    const apply = await app.inject({
      headers: admin,
      method: 'POST',
      url: '/api/admin/db/tune/apply',
      payload: { memory: '16GB' },
    });
    assert.equal(apply.statusCode, 400);
    assert.match(apply.json().detail, /embedded database has fixed settings/);
    assert.equal(
      (
        await app.inject({
          headers: admin,
          method: 'POST',
          url: '/api/admin/db/analyze',
          payload: { table: 'candles' },
        })
      ).statusCode,
      200,
    );
    const sizes = (await app.inject({ headers: admin, method: 'GET', url: '/api/admin/db/monitor/sizes' })).json();
    assert.equal(sizes.items[0].name, 'candles');
    assert.equal(sizes.items[0].kind, 'hypertable');
    const queries = await app.inject({ headers: admin, method: 'GET', url: '/api/admin/db/monitor/queries' });
    assert.equal(queries.statusCode, 409);
    const retDel = await app.inject({ headers: admin, method: 'DELETE', url: '/api/admin/db/retention/policy' });
    assert.equal(retDel.json().removed, true);
  });

  test('the routes are in the OpenAPI document', async () => {
    const doc = (await app.inject({ headers: admin, method: 'GET', url: '/docs/json' })).json();
    assert.ok(doc.paths['/api/admin/db/aggregates/{name}/refresh']);
    assert.ok(doc.paths['/api/admin/db/jobs/{id}/run']);
  });
});
