import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../config.ts';
import { isReadOnlyRefusal, isReplicaFault, parseLsn } from './replicas.ts';

test('DATABASE_READ_URL: one or more URLs, split only before a new postgres://', () => {
  const c = loadConfig({
    DATABASE_URL: 'postgres://u@primary/db',
    DATABASE_READ_URL: 'postgres://u@r1/db?options=-c%20a=1,b, postgresql://u@r2/db',
    TM_MAX_REPLICA_LAG: '2.5',
  });
  assert.deepEqual(c.databaseReadUrls, ['postgres://u@r1/db?options=-c%20a=1,b', 'postgresql://u@r2/db']);
  assert.equal(c.maxReplicaLagSeconds, 2.5);
  assert.equal(loadConfig({}).maxReplicaLagSeconds, 30);
  assert.deepEqual(loadConfig({}).databaseReadUrls, []);
});

test('replicas and a direct URL without DATABASE_URL, or a bad lag limit, are refused with the reason', () => {
  assert.throws(
    () => loadConfig({ DATABASE_READ_URL: 'postgres://u@r1/db' }),
    /DATABASE_READ_URL is set but DATABASE_URL/,
  );
  assert.throws(() => loadConfig({ DATABASE_DIRECT_URL: 'postgres://u@p/db' }), /DATABASE_DIRECT_URL is set but/);
  assert.throws(() => loadConfig({ TM_MAX_REPLICA_LAG: '0' }), /TM_MAX_REPLICA_LAG must be a positive number/);
  assert.throws(() => loadConfig({ TM_MAX_REPLICA_LAG: 'soon' }), /TM_MAX_REPLICA_LAG/);
});

test('pg_lsn text orders as a number: the high part counts 2^32', () => {
  assert.equal(parseLsn('0/16B3748'), 0x16b3748n);
  assert.equal(parseLsn('1/0'), 1n << 32n);
  assert.ok(parseLsn('1/0') > parseLsn('0/FFFFFFFF'));
});

test('a replica fault sends the read to the primary; an error of the query itself does not', () => {
  assert.equal(isReplicaFault(new Error('Connection terminated unexpectedly')), true);
  assert.equal(isReplicaFault(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })), true);
  for (const code of ['57P01', '57P03', '08006', '53300', '40001']) assert.equal(isReplicaFault({ code }), true, code);
  for (const code of ['42601', '23505', '22P02', '42P01']) assert.equal(isReplicaFault({ code }), false, code);
  assert.equal(isReadOnlyRefusal({ code: '25006' }), true);
  assert.equal(isReadOnlyRefusal({ code: '42601' }), false);
});
