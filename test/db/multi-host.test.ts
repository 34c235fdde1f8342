/**
 * Multi-host URLs as libpq reads them (issue 23), on two real servers: the test cluster (primary) and a
 * streaming replica of it. Hosts are tried in order; target_session_attrs picks the kind of server; a
 * host that is down is skipped; the pool follows when its server goes away.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openServer } from '../../src/db/server.ts';
import type { Database } from '../../src/db/types.ts';
import { retryUnavailable } from '../../src/db/retry.ts';
import { freePort } from '../helpers/pg-cluster.ts';
import { must } from '../helpers/must.ts';
import { serverDb, timescaleServerSkip, type ServerTestDb } from '../helpers/db.ts';
import { caughtUp, startReplica, type Replica } from '../helpers/replica.ts';

describe('multi-host URLs [server]', { skip: timescaleServerSkip }, () => {
  let primary: ServerTestDb;
  let replica: Replica;
  let primaryPort: number;
  let nobody: number;
  const opened: Database[] = [];
  before(async () => {
    primary = await serverDb({ max: 1 });
    primaryPort = Number(new URL(primary.url).port);
    replica = await startReplica(must(process.env.TM_TEST_PG_URL, 'TM_TEST_PG_URL'));
    await caughtUp(primary.url, `postgres://postgres@127.0.0.1:${replica.port}/${primary.name}`);
    nobody = await freePort();
  });
  after(async () => {
    for (const d of opened) await d.close();
    replica?.stop();
    await primary?.close();
  });

  const url = (ports: number[], attrs?: string) =>
    `postgres://postgres@${ports.map((p) => `127.0.0.1:${p}`).join(',')}/${primary.name}${attrs ? `?target_session_attrs=${attrs}` : ''}`;
  const open = async (ports: number[], attrs?: string) => {
    const d = await openServer(url(ports, attrs), { max: 2 });
    opened.push(d);
    return d;
  };
  const port = async (d: Pick<Database, 'query'>) =>
    (await d.query<{ port: number }>('SELECT inet_server_port() AS port')).rows[0].port;

  test('target_session_attrs picks the server: read-write and primary the primary, standby the replica', async () => {
    assert.equal(await port(await open([replica.port, primaryPort], 'read-write')), primaryPort);
    assert.equal(await port(await open([replica.port, primaryPort], 'primary')), primaryPort);
    assert.equal(await port(await open([primaryPort, replica.port], 'standby')), replica.port);
    assert.equal(await port(await open([primaryPort, replica.port], 'read-only')), replica.port);
    assert.equal(await port(await open([primaryPort, replica.port], 'prefer-standby')), replica.port);
    // prefer-standby without a standby: any server.
    assert.equal(await port(await open([primaryPort], 'prefer-standby')), primaryPort);
    // any (the default): the first that answers.
    assert.equal(await port(await open([replica.port, primaryPort])), replica.port);
  });

  test('a host that is down is skipped, and writes reach the primary through the list', async () => {
    const d = await open([nobody, replica.port, primaryPort], 'read-write');
    await d.exec('CREATE TABLE IF NOT EXISTS multi_host_probe (x int)');
    await d.query('INSERT INTO multi_host_probe VALUES (1)');
    assert.equal(await port(d), primaryPort);
    // Every pooled connection and the health connection land there too.
    assert.deepEqual(await Promise.all([port(d), port(d), port(d.probe())]), [primaryPort, primaryPort, primaryPort]);
  });

  test('no server of the kind asked for: a clear error naming each host and why', async () => {
    await assert.rejects(
      openServer(url([nobody, replica.port], 'read-write'), { max: 1 }),
      (err: Error) =>
        /no server accepts read-write sessions/.test(err.message) &&
        err.message.includes(`127.0.0.1:${nobody}`) &&
        err.message.includes(`127.0.0.1:${replica.port} is a standby`),
    );
  });

  test('when the server it found goes away, the pool moves to the next host', async () => {
    // "any" on replica then primary: connections go to the replica until it is lost.
    const d = await open([replica.port, primaryPort]);
    assert.equal(await port(d), replica.port);
    replica.kill();
    // The query that was on the lost connection may fail as unavailable; the next ones find the primary.
    const after = await retryUnavailable(() => port(d));
    assert.equal(after, primaryPort);
  });
});
