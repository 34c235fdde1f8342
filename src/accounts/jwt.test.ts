import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { signAccessToken, verifyAccessToken } from './jwt.ts';

const SECRET = 'a-test-secret-that-is-long-enough-000';

test('a signed token verifies until it expires', () => {
  const now = Date.UTC(2026, 0, 1);
  const t = signAccessToken('user-1', SECRET, 60, now);
  assert.deepEqual(verifyAccessToken(t, SECRET, now + 59_000), {
    sub: 'user-1',
    iat: now / 1000,
    exp: now / 1000 + 60,
    typ: 'access',
  });
  assert.equal(verifyAccessToken(t, SECRET, now + 60_000), null);
  assert.equal(verifyAccessToken(t, `${SECRET}x`, now), null);
});

test('other algorithms, other token types and malformed tokens are refused', () => {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const claims = enc({ sub: 'u', iat: 1, exp: 4102444800, typ: 'access' });
  const signWith = (header: object, payload: string) => {
    const body = `${enc(header)}.${payload}`;
    return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
  };
  assert.ok(verifyAccessToken(signWith({ alg: 'HS256' }, claims), SECRET));
  assert.equal(verifyAccessToken(signWith({ alg: 'HS512' }, claims), SECRET), null);
  assert.equal(verifyAccessToken(`${enc({ alg: 'none' })}.${claims}.`, SECRET), null);
  assert.equal(
    verifyAccessToken(signWith({ alg: 'HS256' }, enc({ sub: 'u', exp: 4102444800, typ: 'refresh' })), SECRET),
    null,
  );
  assert.equal(verifyAccessToken(signWith({ alg: 'HS256' }, 'not-json'), SECRET), null);
  for (const bad of ['', 'a.b', 'a.b.c.d', '...']) assert.equal(verifyAccessToken(bad, SECRET), null);
});
