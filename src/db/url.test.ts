import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeUrl, poolConfigFromUrl, withDatabase } from './url.ts';

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
