import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import { loadMigrations } from '../../src/db/migrate/files.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { Migrator } from '../../src/db/migrate/migrator.ts';
import type { Database } from '../../src/db/types.ts';

forEachBackend('GET /health', (open, backend) => {
  let db: Database;
  let app: FastifyInstance;
  before(async () => {
    db = await open();
    app = await buildApp({ db, config: loadConfig({}) });
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  test('reports backend, versions and the schema revision', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.status, 'ok');
    assert.equal(body.backend, backend);
    assert.match(body.postgres_version, /^1[5-9]/);
    if (backend === 'embedded') assert.match(body.timescaledb_version, /^2\.\d+/);
    else assert.equal(body.timescaledb_version, process.env.TM_TEST_PG_TIMESCALE ?? null);
    assert.equal(body.schema_revision, loadMigrations().at(-1)!.revision);
    assert.equal(body.migrations_pending, false);
  });

  test('unknown routes answer problem+json 404', async () => {
    const res = await app.inject({ method: 'GET', url: '/nope' });
    assert.equal(res.statusCode, 404);
    assert.match(res.headers['content-type'] as string, /application\/problem\+json/);
    assert.equal(res.json().status, 404);
  });
});
