/**
 * docker-compose.yml, read as data (there is no Docker engine here): the database image is pinned to
 * the TimescaleDB release the tests run, and its volume is mounted where that image keeps its data,
 * so `docker-compose down` then `up` finds the database again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** The TimescaleDB release and PostgreSQL major of the test cluster (../shared/timescaledb). */
const TESTED = { timescaledb: '2.28.3', postgres: '15' };

/** Each image line's data directory (its declared volume / PGDATA). */
const DATA_DIR: Record<string, string> = {
  'timescale/timescaledb': '/var/lib/postgresql/data',
  'timescale/timescaledb-ha': '/home/postgres/pgdata/data',
};

interface Compose {
  services: Record<string, { image?: string; volumes?: string[] }>;
  volumes?: Record<string, unknown>;
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as Compose;
const db = compose.services.timescaledb;

test('the TimescaleDB image is pinned to the tested release, never "latest"', () => {
  assert.ok(db?.image, 'a timescaledb service with an image');
  const m = /^(timescale\/timescaledb(?:-ha)?):(.+)$/.exec(db.image);
  assert.ok(m, db.image);
  assert.doesNotMatch(m[2], /latest/);
  const version = /(\d+\.\d+\.\d+)/.exec(m[2])?.[1];
  const pg = /pg(\d+)/.exec(m[2])?.[1];
  assert.equal(version, TESTED.timescaledb);
  assert.equal(pg, TESTED.postgres);
  if (process.env.TM_TEST_PG_TIMESCALE) assert.equal(version, process.env.TM_TEST_PG_TIMESCALE);
});

test("the named volume is mounted at the image's data directory", () => {
  const image = db.image!.split(':')[0];
  const mounts = (db.volumes ?? []).map((v) => v.split(':'));
  const named = mounts.filter(([source]) => compose.volumes && source in compose.volumes);
  assert.equal(named.length, 1, JSON.stringify(db.volumes));
  assert.equal(named[0][1], DATA_DIR[image]);
});
