/**
 * docker-compose.yml, read as data (there is no Docker engine here): the database image is pinned to
 * the TimescaleDB release the tests run, and its volume is mounted where that image keeps its data,
 * so `docker-compose down` then `up` finds the database again. The "scale" profile wires a primary, a
 * streaming replica, pgbouncer in transaction mode and several app processes (docs/scaling.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { parse } from 'yaml';
import { must } from './helpers/must.ts';

/** The TimescaleDB release and PostgreSQL major of the test cluster (../shared/timescaledb). */
const TESTED = { timescaledb: '2.28.3', postgres: '15' };

/** Each image line's data directory (its declared volume / PGDATA). */
const DATA_DIR: Record<string, string> = {
  'timescale/timescaledb': '/var/lib/postgresql/data',
  'timescale/timescaledb-ha': '/home/postgres/pgdata/data',
};

interface Service {
  image?: string;
  volumes?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  entrypoint?: string[];
  command?: string[];
}

interface Compose {
  services: Record<string, Service>;
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

function pinned(image: string | undefined): void {
  const m = /^(timescale\/timescaledb(?:-ha)?):(.+)$/.exec(must(image));
  assert.ok(m, image);
  assert.equal(/(\d+\.\d+\.\d+)/.exec(m[2])?.[1], TESTED.timescaledb);
  assert.equal(/pg(\d+)/.exec(m[2])?.[1], TESTED.postgres);
}

function ownVolume(name: string): void {
  const svc = must(compose.services[name]);
  const image = must(svc.image).split(':')[0];
  const mounts = (svc.volumes ?? []).map((v) => v.split(':'));
  const named = mounts.filter(([source]) => compose.volumes && source in compose.volumes);
  assert.equal(named.length, 1, `${name}: ${JSON.stringify(svc.volumes)}`);
  assert.equal(named[0][1], DATA_DIR[image]);
}

/** A bind mount's host file: it must exist and be executable (the image's entrypoint runs it). */
function script(svc: Service, target: string): void {
  const mount = (svc.volumes ?? []).map((v) => v.split(':')).find(([, t]) => t === target);
  assert.ok(mount, `a file mounted at ${target}`);
  assert.ok(existsSync(mount[0]), mount[0]);
  assert.ok(statSync(mount[0]).mode & 0o111, `${mount[0]} is executable`);
}

const host = (url: string | undefined) => new URL(must(url)).host;

test("the named volume is mounted at the image's data directory", () => {
  ownVolume('timescaledb');
});

test('profile "scale": a primary and a streaming replica of it, on the tested TimescaleDB, each on its own volume', () => {
  const { primary, replica } = compose.services;
  for (const name of ['primary', 'replica', 'pgbouncer', 'app-scaled'])
    assert.deepEqual(compose.services[name]?.profiles, ['scale'], name);
  pinned(primary.image);
  pinned(replica.image);
  ownVolume('primary');
  ownVolume('replica');
  assert.notEqual(primary.volumes?.[0].split(':')[0], replica.volumes?.[0].split(':')[0]);
  assert.ok(must(primary.command).includes('wal_level=replica'));
  assert.ok(must(primary.command).some((c) => c.startsWith('shared_preload_libraries=timescaledb')));
  script(primary, '/docker-entrypoint-initdb.d/900_replication.sh');
  script(replica, must(replica.entrypoint)[0]);
  assert.equal(replica.depends_on?.primary?.condition, 'service_healthy');
  assert.equal(must(replica.environment).PRIMARY_HOST, 'primary');
  const entry = readFileSync('docker/scale/replica-entrypoint.sh', 'utf8');
  assert.match(entry, /pg_basebackup .*-R/, 'the replica is made by pg_basebackup -R');
  assert.match(entry, /shared_preload_libraries=timescaledb/);
  assert.match(readFileSync('docker/scale/primary-init.sh', 'utf8'), /host replication replicator/);
});

test('profile "scale": pgbouncer pools the primary in transaction mode; the app runs several processes', () => {
  const { pgbouncer, 'app-scaled': app } = compose.services;
  assert.match(must(pgbouncer.image), /^edoburu\/pgbouncer:v\d/);
  const pool = must(pgbouncer.environment);
  assert.equal(pool.POOL_MODE, 'transaction');
  assert.equal(host(pool.DATABASE_URL), 'primary:5432');
  const env = must(app.environment);
  assert.equal(host(env.DATABASE_URL), `pgbouncer:${pool.LISTEN_PORT}`);
  assert.equal(host(env.DATABASE_DIRECT_URL), 'primary:5432');
  assert.equal(host(env.DATABASE_READ_URL), 'replica:5432');
  assert.ok(Number(/\d+/.exec(env.TM_WORKERS)?.[0]) > 1, `TM_WORKERS ${env.TM_WORKERS}`);
  for (const dep of ['primary', 'replica', 'pgbouncer']) assert.ok(app.depends_on?.[dep], dep);
});
