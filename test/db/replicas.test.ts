/**
 * Read replicas on a real streaming replica of the test cluster (pg_basebackup -R, TimescaleDB
 * included): lag-tolerant reads reach the replica, a replica behind TM_MAX_REPLICA_LAG or gone leaves
 * the primary serving without a failed request, and /health and tm doctor show the lag.
 * One replica for the whole file (starting one takes seconds); the last test stops it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { adminHeaders } from '../helpers/auth.ts';
import { loadConfig } from '../../src/config.ts';
import { openServer } from '../../src/db/server.ts';
import type { Database } from '../../src/db/types.ts';
import { candleRange } from '../../src/market/candles-repository.ts';
import { serverDb, timescaleServerSkip, type ServerTestDb } from '../helpers/db.ts';
import { insertAsset, insertCloses } from '../helpers/market.ts';
import { caughtUp, onReplica, startReplica, type Replica } from '../helpers/replica.ts';
import { tm } from '../helpers/tm.ts';
import { until } from '../helpers/wait.ts';

const START = '2025-01-01T00:00:00Z';
const closes = (n: number, base: number) => Array.from({ length: n }, (_, i) => base + i);

describe('read replicas [server]', { skip: timescaleServerSkip }, () => {
  let primary: ServerTestDb;
  let replica: Replica;
  let replicaUrl: string;
  /** Replicas allowed 30 s of lag (routing), and 1 s (lag and loss). */
  let db: Database;
  let strict: Database;
  let app: FastifyInstance;
  let assetId: string;
  const range = (q = db.reader()) =>
    candleRange(q, { assetId, interval: '1m', from: new Date(START), to: new Date('2026-01-01'), limit: 10_000 });

  before(async () => {
    primary = await serverDb();
    assetId = await insertAsset(primary, 'REPL');
    await insertCloses(primary, assetId, closes(10, 100), { start: START });
    replica = await startReplica(process.env.TM_TEST_PG_URL as string);
    replicaUrl = onReplica(replica, primary.name);
    db = await openServer(primary.url, { readUrls: [replicaUrl], maxReplicaLagSeconds: 30, replicaCheckMs: 200 });
    strict = await openServer(primary.url, { readUrls: [replicaUrl], maxReplicaLagSeconds: 1, replicaCheckMs: 200 });
    app = await buildApp({ db: strict, config: loadConfig({ TM_STATS_PER_MINUTE: '100000' }) });
  });
  after(async () => {
    await app?.close();
    await db?.close();
    await strict?.close();
    replica?.stop();
    await primary?.close();
  });

  test('reads that tolerate lag reach the replica; writes and the database itself stay on the primary', async () => {
    const [status] = await db.replicas({ refresh: true });
    assert.equal(status.state, 'ok', JSON.stringify(status));
    assert.equal(status.target, replicaUrl);
    const recovery = 'SELECT pg_is_in_recovery() AS r';
    assert.equal((await db.reader().query<{ r: boolean }>(recovery)).rows[0].r, true);
    assert.equal((await db.query<{ r: boolean }>(recovery)).rows[0].r, false);
    // A write sent through the reader is refused by the replica and runs on the primary.
    await db.reader().query('CREATE TABLE through_reader (x int)');
    assert.equal((await db.query("SELECT to_regclass('through_reader') IS NOT NULL AS t")).rows[0].t, true);

    // Written on the primary, read from the replica once replayed.
    await insertCloses(primary, assetId, closes(5, 200), { start: '2025-02-01T00:00:00Z' });
    await caughtUp(primary.url, replicaUrl);
    const r = await range();
    assert.equal(r.candles.length, 15);
    assert.equal(r.candles.at(-1)?.close, 204);

    // With replay paused, a replica within the allowed lag still answers (older data): the read went there.
    const direct = await openServer(replicaUrl, { max: 1 });
    try {
      await direct.query('SELECT pg_wal_replay_pause()');
      await insertCloses(primary, assetId, [300], { start: '2025-03-01T00:00:00Z' });
      assert.equal((await range()).candles.length, 15);
      assert.equal((await range(db)).candles.length, 16);
      await direct.query('SELECT pg_wal_replay_resume()');
    } finally {
      await direct.close();
    }
  });

  test('a replica further behind than TM_MAX_REPLICA_LAG is skipped: the primary serves, /health and doctor say so', async () => {
    await caughtUp(primary.url, replicaUrl);
    const ok = await until('an ok replica', async () => {
      const [s] = await strict.replicas({ refresh: true });
      return s.state === 'ok' ? s : undefined;
    });
    // Caught up: 0, or the moment it takes to replay what other work on the cluster writes meanwhile.
    assert.ok((ok.lag_seconds ?? 1) < 1, JSON.stringify(ok));
    const healthy = (await app.inject({ method: 'GET', url: '/health' })).json();
    assert.equal(healthy.status, 'ok');
    assert.equal(healthy.replicas.length, 1);
    assert.equal(healthy.replicas[0].state, 'ok');
    assert.ok(healthy.replicas[0].lag_seconds < 1, JSON.stringify(healthy.replicas));
    assert.equal(JSON.stringify(healthy).includes(String(replica.port)), false, 'no replica address in /health');

    const direct = await openServer(replicaUrl, { max: 1 });
    try {
      await direct.query('SELECT pg_wal_replay_pause()');
      await insertCloses(primary, assetId, [400], { start: '2025-04-01T00:00:00Z' });
      const lagging = await until('a lagging replica', async () => {
        const [s] = await strict.replicas();
        return s.state === 'lagging' ? s : undefined;
      });
      assert.ok((lagging.lag_seconds ?? 0) > 1, JSON.stringify(lagging));
      // The primary answers: the candle the replica has not replayed is there.
      const res = await app.inject({ method: 'GET', url: `/api/candles?symbol=REPL&interval=1m&from=${START}` });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().candles.length, 17, JSON.stringify(res.json()));
      const health = (await app.inject({ method: 'GET', url: '/health' })).json();
      assert.equal(health.status, 'degraded');
      assert.equal(health.replicas[0].state, 'lagging');
      assert.ok(health.replicas[0].lag_seconds > 1);

      const doctor = await tm(['doctor', '--json'], {
        DATABASE_URL: primary.url,
        DATABASE_READ_URL: replicaUrl,
        TM_MAX_REPLICA_LAG: '1',
      });
      const checks = JSON.parse(doctor.stdout).checks as { check: string; status: string; detail: string }[];
      const line = checks.find((c) => c.check.startsWith('read replica'));
      assert.equal(line?.status, 'warning', doctor.stdout);
      assert.match(line?.detail ?? '', /^lag \d+(\.\d+)? s, over the limit of 1 s/);
      assert.equal(checks.find((c) => c.check === 'session time zone')?.status, 'ok');
      // The admin API's doctor report has the same line.
      const viaApi = await app.inject({ method: 'GET', url: '/api/admin/db/doctor', headers: await adminHeaders(app) });
      assert.equal(viaApi.statusCode, 200, viaApi.body);
      const apiLine = (viaApi.json().checks as { check: string; status: string }[]).find((c) =>
        c.check.startsWith('read replica'),
      );
      assert.equal(apiLine?.status, 'warning', viaApi.body);
    } finally {
      await direct.query('SELECT pg_wal_replay_resume()').catch(() => undefined);
      await direct.close();
    }
    await until('the replica back in use', async () => {
      const [s] = await strict.replicas({ refresh: true });
      return s.state === 'ok' ? s : undefined;
    });
    assert.equal((await strict.reader().query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0].r, true);
  });

  test('the replica lost in the middle of a run: every read still succeeds, from the primary', async () => {
    await caughtUp(primary.url, replicaUrl);
    await until('an ok replica', async () => {
      const [s] = await strict.replicas({ refresh: true });
      return s.state === 'ok' ? s : undefined;
    });
    const urls = [
      `/api/candles?symbol=REPL&interval=1m&from=${START}`,
      '/api/queries/latest-candles?symbol=REPL&interval=1m&limit=5',
      '/api/queries/price-stats?interval=1m',
      '/api/markets?interval=1m',
    ];
    const statuses: number[] = [];
    let stop = false;
    const client = async () => {
      for (let i = 0; !stop; i++) {
        const res = await app.inject({ method: 'GET', url: urls[i % urls.length] });
        statuses.push(res.statusCode);
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await until('reads before the loss', () => (statuses.length >= 8 ? true : undefined));
    const before = statuses.length;
    replica.kill();
    // Reads go on while the loss is noticed, and after: the replica seen down, then more reads.
    await until('the replica seen down', async () =>
      (await strict.replicas())[0].state === 'down' ? true : undefined,
    );
    const seenDown = statuses.length;
    await until('reads after the loss', () => (statuses.length >= seenDown + 8 ? true : undefined));
    stop = true;
    await Promise.all(clients);
    assert.ok(
      before > 0 && statuses.length > before,
      `reads before (${before}) and after (${statuses.length}) the loss`,
    );
    assert.deepEqual(
      statuses.filter((s) => s !== 200),
      [],
    );
    const [s] = await strict.replicas();
    assert.equal(s.state, 'down');
    const res = await app.inject({ method: 'GET', url: `/api/candles?symbol=REPL&interval=1m&from=${START}` });
    assert.equal(res.json().candles.length, 17);
  });
});
