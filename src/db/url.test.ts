import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeUrl, poolConfigFromUrl, targetsFromUrl, withDatabase } from './url.ts';

test('sslmode follows libpq: require encrypts without verifying, verify-full verifies', () => {
  assert.equal(poolConfigFromUrl('postgres://u:p@h/db').ssl, false);
  assert.equal(poolConfigFromUrl('postgres://u:p@h/db?sslmode=disable').ssl, false);
  assert.deepEqual(poolConfigFromUrl('postgres://u:p@h/db?sslmode=require').ssl, { rejectUnauthorized: false });
  assert.deepEqual(poolConfigFromUrl('postgres://u:p@h/db?sslmode=verify-full').ssl, { rejectUnauthorized: true });
  const ca = poolConfigFromUrl('postgres://u:p@h/db?sslmode=verify-ca').ssl as {
    rejectUnauthorized: boolean;
    checkServerIdentity: unknown;
  };
  assert.equal(ca.rejectUnauthorized, true);
  assert.equal(typeof ca.checkServerIdentity, 'function');
  assert.throws(() => poolConfigFromUrl('postgres://u:p@h/db?sslmode=bogus'), /sslmode=bogus/);
});

test('URL parts are decoded; bad URLs get a clear error', () => {
  const c = poolConfigFromUrl('postgresql://trading_user:p%40ss@db.example.com:6543/trading_manager');
  assert.deepEqual(
    [c.host, c.port, c.user, c.password, c.database],
    ['db.example.com', 6543, 'trading_user', 'p@ss', 'trading_manager'],
  );
  assert.throws(() => poolConfigFromUrl('mysql://x'), /must start with postgres:\/\//);
  assert.throws(() => poolConfigFromUrl('not a url'), /not a valid URL/);
});

test('printed URLs never show the password', () => {
  assert.equal(
    describeUrl('postgres://u:secret@h:5432/db?sslmode=require'),
    'postgres://u:****@h:5432/db?sslmode=require',
  );
  assert.equal(withDatabase('postgres://u@h/postgres', 'other'), 'postgres://u@h/other');
});

test('multi-host URLs are read as libpq reads them', () => {
  const t = targetsFromUrl('postgres://u:p@h1:5433,h2,[::1]:5435/db?target_session_attrs=read-write');
  assert.deepEqual(t, {
    hosts: [
      { host: 'h1', port: 5433 },
      { host: 'h2', port: 5432 },
      { host: '::1', port: 5435 },
    ],
    sessionAttrs: 'read-write',
  });
  assert.deepEqual(targetsFromUrl('postgres://u@/db?host=a,b&port=6001,6002').hosts, [
    { host: 'a', port: 6001 },
    { host: 'b', port: 6002 },
  ]);
  assert.deepEqual(targetsFromUrl('postgres://u@/db?host=a,b&port=6001').hosts, [
    { host: 'a', port: 6001 },
    { host: 'b', port: 6001 },
  ]);
  assert.deepEqual(targetsFromUrl('postgres://u@h/db'), { hosts: [{ host: 'h', port: 5432 }], sessionAttrs: 'any' });
  const c = poolConfigFromUrl('postgres://u:p%40ss@h1:5433,h2:5434/db');
  assert.deepEqual([c.host, c.port, c.user, c.password, c.database], ['h1', 5433, 'u', 'p@ss', 'db']);
});

test('multi-host URLs: bad lists and session kinds are named; printing keeps every host', () => {
  assert.throws(() => targetsFromUrl('postgres://h1,h2/db?target_session_attrs=leader'), /target_session_attrs=leader/);
  assert.throws(() => targetsFromUrl('postgres://u@/db?host=a,b,c&port=1,2'), /3 hosts but 2 ports/);
  assert.throws(() => targetsFromUrl('postgres://h1:5432,h2:99999/db'), /port 99999/);
  assert.equal(
    describeUrl('postgres://u:secret@h1:5433,h2:5434/db?target_session_attrs=read-write'),
    'postgres://u:****@h1:5433,h2:5434/db?target_session_attrs=read-write',
  );
  assert.equal(withDatabase('postgres://u@h1:1,h2:2/postgres', 'other'), 'postgres://u@h1:1,h2:2/other');
});
