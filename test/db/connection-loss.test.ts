/**
 * Issue 23, item 7: a connection the server drops (pg_terminate_backend, as an administrator, a restart
 * or a failover would) never makes the API answer 500. A keyed import is run again and succeeds whole;
 * work that cannot be repeated answers 503 with Retry-After, and nothing of it is half-written.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openServer } from '../../src/db/server.ts';
import type { Database } from '../../src/db/types.ts';
import { tokenFor } from '../helpers/auth.ts';
import { serverDb, serverSkip, type ServerTestDb } from '../helpers/db.ts';
import { until } from '../helpers/wait.ts';

const N = 50_000;

const body = (symbol: string, onConflict: string) => ({
  symbol,
  asset_type: 'stock',
  interval: '1m',
  on_conflict: onConflict,
  candles: Array.from({ length: N }, (_, i) => ({
    ts: new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString(),
    open: 10,
    high: 12,
    low: 9,
    close: 11,
    volume: i,
  })),
});

describe('connections dropped during an import [server]', { skip: serverSkip }, () => {
  let db: ServerTestDb;
  let killer: Database;
  let app: FastifyInstance;
  let auth: string;
  before(async () => {
    db = await serverDb();
    killer = await openServer(db.url, { max: 1 });
    app = await buildApp({ db, config: loadConfig({}) });
    auth = (await tokenFor(app, { admin: true })).authorization;
  });
  after(async () => {
    await app.close();
    await killer.close();
    await db.close();
  });

  /** Terminates the first backend of the product that is busy writing candles; resolves with its pid. */
  async function terminateImport(): Promise<number> {
    return until(
      'an import statement to terminate',
      async () => {
        const r = await killer.query<{ pid: number }>(
          `SELECT pg_terminate_backend(pid), pid FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'
           AND ltrim(query) ~* '^(copy|insert)' LIMIT 1`,
        );
        return r.rows[0]?.pid;
      },
      { everyMs: 5, timeoutMs: 120_000 },
    );
  }

  const count = async (symbol: string) =>
    (
      await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM candles c JOIN assets a ON a.id = c.asset_id WHERE a.symbol = $1`,
        [symbol],
      )
    ).rows[0]?.n ?? 0;

  test('a keyed import whose connection is terminated runs again and writes everything', async () => {
    const request = app.inject({
      method: 'POST',
      url: '/api/candles',
      headers: { authorization: auth },
      payload: body('LOST1', 'update'),
    });
    const pid = await terminateImport();
    const r = await request;
    assert.equal(r.statusCode, 200, `after terminating ${pid}: ${r.body}`);
    assert.equal(await count('LOST1'), N);
  });

  test('an import that cannot be repeated answers 503 with Retry-After, and writes nothing', async () => {
    const request = app.inject({
      method: 'POST',
      url: '/api/candles',
      headers: { authorization: auth },
      payload: body('LOST2', 'error'),
    });
    await terminateImport();
    const r = await request;
    assert.equal(r.statusCode, 503, r.body);
    assert.ok(Number(r.headers['retry-after']) >= 1, 'Retry-After');
    assert.equal(r.json().status, 503);
    assert.match(r.json().detail, /unavailable/);
    assert.equal(await count('LOST2'), 0);
    // The pool replaced the lost connection: the same request now succeeds.
    const again = await app.inject({
      method: 'POST',
      url: '/api/candles',
      headers: { authorization: auth },
      payload: body('LOST2', 'error'),
    });
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(await count('LOST2'), N);
  });
});
