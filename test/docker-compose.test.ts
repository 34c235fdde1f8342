/**
 * docker-compose.yml, read as data (there is no Docker engine here): the database image is pinned to
 * the TimescaleDB release the tests run, and its volume is mounted where that image keeps its data,
 * so `docker-compose down` then `up` finds the database again. The "scale" profile wires a primary, a
 * streaming replica, pgbouncer in transaction mode and several app processes (docs/scaling.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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

// Merge keys (<<) resolved as Docker Compose resolves them (the "ha" profile's nodes share one definition).
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as Compose;
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

// Profile "ha" (docs/ha.md): read as data like the rest; Docker, Patroni in the -ha image and HAProxy do not
// run here (test/ha/patroni.test.ts runs Debian's Patroni and etcd on this machine instead).
interface PatroniConfig {
  restapi: { listen: string };
  etcd3: { hosts: string };
  bootstrap: {
    dcs: {
      synchronous_mode: boolean;
      primary_start_timeout: number;
      postgresql: { parameters: Record<string, unknown> };
    };
    pg_hba: string[];
    post_bootstrap: string;
  };
  postgresql: { data_dir: string; listen: string };
}

test('profile "ha": two Patroni nodes of the -ha image on etcd, synchronous_mode on, each on its own volume', () => {
  const nodes = ['pg1', 'pg2'];
  for (const name of ['etcd', ...nodes, 'haproxy', 'app-ha']) {
    assert.deepEqual(compose.services[name]?.profiles, ['ha'], name);
  }
  assert.match(must(compose.services.etcd.image), /^quay\.io\/coreos\/etcd:v3\.\d+\.\d+$/);
  const patroni = parse(readFileSync('docker/ha/patroni.yml', 'utf8')) as PatroniConfig;
  for (const name of nodes) {
    const node = compose.services[name];
    assert.match(must(node.image), /^timescale\/timescaledb-ha:/, name);
    pinned(node.image);
    ownVolume(name);
    assert.equal(patroni.postgresql.data_dir, DATA_DIR['timescale/timescaledb-ha']);
    assert.deepEqual(node.command, ['patroni', '/etc/patroni/patroni.yml'], name);
    const env = must(node.environment);
    assert.equal(env.PATRONI_NAME, name);
    assert.equal(env.PATRONI_POSTGRESQL_CONNECT_ADDRESS, `${name}:5432`);
    assert.equal(env.PATRONI_RESTAPI_CONNECT_ADDRESS, `${name}:${patroni.restapi.listen.split(':')[1]}`);
    assert.ok(
      node.volumes?.some((v) => v.startsWith('./docker/ha/patroni.yml:/etc/patroni/patroni.yml')),
      name,
    );
    script(node, patroni.bootstrap.post_bootstrap);
  }
  assert.notEqual(compose.services.pg1.volumes?.[0], compose.services.pg2.volumes?.[0]);
  assert.equal(patroni.etcd3.hosts, 'etcd:2379');
  assert.equal(patroni.bootstrap.dcs.synchronous_mode, true);
  assert.equal(patroni.bootstrap.dcs.primary_start_timeout, 0);
  const params = patroni.bootstrap.dcs.postgresql.parameters;
  assert.equal(params.synchronous_commit, 'on');
  assert.match(String(params.shared_preload_libraries), /\btimescaledb\b/);
  assert.ok(patroni.bootstrap.pg_hba.some((l) => /^host replication replicator /.test(l)));
  assert.match(readFileSync('docker/ha/post-bootstrap.sh', 'utf8'), /CREATE EXTENSION IF NOT EXISTS timescaledb/);
});

test('profile "ha": HAProxy routes to the leader by Patroni\'s REST checks, and the app connects through it', () => {
  const cfg = readFileSync('docker/ha/haproxy.cfg', 'utf8');
  const proxy = compose.services.haproxy;
  assert.match(must(proxy.image), /^haproxy:\d+\.\d+\.\d+/);
  assert.ok(proxy.volumes?.includes('./docker/ha/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro'));
  const section = (name: string) => must(new RegExp(`^listen ${name}\\n((?:  .*\\n?)*)`, 'm').exec(cfg), name)[1];
  const restPort = (parse(readFileSync('docker/ha/patroni.yml', 'utf8')) as PatroniConfig).restapi.listen.split(':')[1];
  for (const [name, check, port] of [
    ['primary', '/primary', '5000'],
    ['replicas', '/replica', '5001'],
  ]) {
    const s = section(name);
    assert.match(s, new RegExp(`bind \\*:${port}\\n`), name);
    assert.match(s, new RegExp(`option httpchk OPTIONS ${check}\\n`), name);
    assert.match(s, /http-check expect status 200/, name);
    assert.match(s, /on-marked-down shutdown-sessions/, `${name}: sessions to a demoted node are closed`);
    for (const node of ['pg1', 'pg2']) {
      assert.match(s, new RegExp(`server ${node} ${node}:5432 .*check port ${restPort}`), `${name}: ${node}`);
    }
  }
  const env = must(compose.services['app-ha'].environment);
  assert.equal(host(env.DATABASE_URL), 'haproxy:5000');
  assert.equal(host(env.DATABASE_READ_URL), 'haproxy:5001');
});

test('profile "ha": Patroni itself accepts docker/ha/patroni.yml (all but the etcd host name, which only Docker resolves)', {
  skip: existsSync('/usr/bin/patroni') ? undefined : 'patroni is not installed (apt-get install patroni)',
}, () => {
  const env = must(compose.services.pg1.environment);
  const patroniEnv = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('PATRONI_')));
  const r = spawnSync('/usr/bin/patroni', ['--validate-config', 'docker/ha/patroni.yml'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...patroniEnv },
  });
  const complaints = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim());
  assert.deepEqual(
    complaints.filter((l) => !/^etcd3\.hosts etcd:2379 didn't pass validation: .*(not known|resolution)/.test(l)),
    [],
  );
});
