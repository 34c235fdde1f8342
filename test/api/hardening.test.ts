/**
 * Issue 13: the API's edges, on both backends. Each test failed before its fix: concurrent refreshes,
 * NUL bytes, unknown fields, non-decimal numbers, security headers, logged bind values, the 422 hint.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, InjectOptions } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/api/app.ts';
import { createUser } from '../../src/accounts/users.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/types.ts';
import { adminHeaders } from '../helpers/auth.ts';
import { forEachBackend } from '../helpers/backends.ts';

const candle = (ts: string, extra: Record<string, unknown> = {}) => ({
  ts,
  open: 10,
  high: 12,
  low: 9,
  close: 11,
  volume: 100,
  ...extra,
});

forEachBackend('API hardening', (open) => {
  let db: Database;
  let app: FastifyInstance;
  let admin: { authorization: string };
  const call = (o: InjectOptions) => app.inject(o);
  before(async () => {
    db = await open();
    app = await buildApp({ db, config: loadConfig({ TM_LOGIN_MAX_PER_IP: '1000', TM_LOGIN_MAX_PER_USER: '1000' }) });
    admin = await adminHeaders(app);
    // Stands for a write whose retries (retryTransient) all ended in a deadlock.
    app.get('/test/deadlock', async () => {
      throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
    });
    const asset = await call({
      method: 'POST',
      url: '/api/assets',
      headers: admin,
      payload: { symbol: 'HARD', name: 'Hard', asset_type: 'stock' },
    });
    assert.equal(asset.statusCode, 201, asset.body);
    await createUser(db, { username: 'tabs', email: 'tabs@example.com', password: 'two-tabs-password' });
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  const login = async () => {
    const r = await call({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'tabs', password: 'two-tabs-password' },
    });
    assert.equal(r.statusCode, 200, r.body);
    return r.json() as { access_token: string; refresh_token: string };
  };
  const refresh = (token: string) =>
    call({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: token } });

  test('a deadlock that outlasts the retries is a 503 with Retry-After, never a 500', async () => {
    const r = await call({ method: 'GET', url: '/test/deadlock' });
    assert.equal(r.statusCode, 503);
    assert.equal(r.headers['retry-after'], '1');
    assert.match(r.json().detail, /retry/);
  });

  test('two concurrent refreshes of one token: one new pair and a 409 that revokes nothing', async () => {
    const { refresh_token } = await login();
    const answers = await Promise.all([refresh(refresh_token), refresh(refresh_token)]);
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [200, 409], answers.map((a) => a.body).join(' | '));
    const [loser, winnerAnswer] = [...answers].sort((a, b) => b.statusCode - a.statusCode);
    const winner = winnerAnswer.json() as { refresh_token: string };
    assert.match(loser.json().detail, /parallel request/);
    const next = await refresh(winner.refresh_token);
    assert.equal(next.statusCode, 200, "the winner's new token still works");
  });

  test('reuse detection still catches a rotated token presented after the grace window', async () => {
    const { refresh_token } = await login();
    const rotated = await refresh(refresh_token);
    assert.equal(rotated.statusCode, 200);
    // As if the copy were replayed a minute later.
    await db.query("UPDATE refresh_tokens SET revoked_at = now() - interval '1 minute' WHERE id = $1", [
      refresh_token.split('.')[0],
    ]);
    assert.equal((await refresh(refresh_token)).statusCode, 401);
    const successor = (rotated.json() as { refresh_token: string }).refresh_token;
    assert.equal((await refresh(successor)).statusCode, 401, 'every token of the user is revoked');
  });

  test('a NUL byte anywhere is a 400 naming the field, never a 500', async () => {
    const cases: [InjectOptions, string][] = [
      [{ method: 'GET', url: '/api/assets/A%00B' }, 'params/ref'],
      [{ method: 'GET', url: '/api/candles?symbol=A%00B&from=2024-01-01' }, 'querystring/symbol'],
      [{ method: 'GET', url: '/api/queries/latest-candles?symbol=A%00B' }, 'querystring/symbol'],
      [{ method: 'GET', url: '/api/indicators?symbol=A%00B' }, 'querystring/symbol'],
      [{ method: 'GET', url: '/api/signals?strategy=a%00b' }, 'querystring/strategy'],
      [{ method: 'GET', url: '/api/admin/users/a%00b', headers: admin }, 'params/username'],
      [
        { method: 'POST', url: '/api/indicators/compute', headers: admin, payload: { symbols: ['HA\u0000RD'] } },
        'body/symbols/0',
      ],
      [
        {
          method: 'POST',
          url: '/api/candles',
          headers: admin,
          payload: { candles: [candle('2024-01-01', { symbol: 'HARD' }), candle('2024-01-02', { symbol: 'H\u0000' })] },
        },
        'body/candles/1/symbol',
      ],
      [
        { method: 'POST', url: '/api/auth/login', payload: { username: 'ta\u0000bs', password: 'whatever-pw' } },
        'body/username',
      ],
    ];
    for (const [req, field] of cases) {
      const r = await call(req);
      assert.equal(r.statusCode, 400, `${req.method} ${req.url}: ${r.body}`);
      assert.equal(r.json().errors[0].field, field, `${req.method} ${req.url}`);
    }
  });

  test('an unknown field is a 400 naming it, and a misspelt option overwrites nothing', async () => {
    const post = (payload: object) => call({ method: 'POST', url: '/api/candles', headers: admin, payload });
    const first = await post({ symbol: 'HARD', candles: [candle('2024-02-01')] });
    assert.equal(first.statusCode, 200, first.body);
    const misspelt = await post({
      symbol: 'HARD',
      onConflict: 'error',
      candles: [candle('2024-02-01', { close: 12 })],
    });
    assert.equal(misspelt.statusCode, 400);
    assert.match(misspelt.json().detail, /onConflict/);
    const itemField = await post({ symbol: 'HARD', candles: [candle('2024-02-02', { colse: 11 })] });
    assert.equal(itemField.statusCode, 400);
    assert.match(itemField.json().detail, /colse/);
    const stored = await db.query<{ close: number }>(
      "SELECT close FROM candles WHERE ts = '2024-02-01T00:00:00Z' AND \"interval\" = '1d'",
    );
    assert.deepEqual(stored.rows, [{ close: 11 }]);
    const others: InjectOptions[] = [
      { method: 'GET', url: '/api/assets?limit=5&lmit=1' },
      { method: 'GET', url: '/api/candles?symbol=HARD&from=2024-01-01&intreval=1h' },
      { method: 'POST', url: '/api/auth/login', payload: { username: 'tabs', password: 'x-password', remember: true } },
      {
        method: 'POST',
        url: '/api/auth/register',
        payload: { username: 'newbie', email: 'n@example.com', password: 'long-password', is_admin: true },
      },
      {
        method: 'POST',
        url: '/api/assets',
        headers: admin,
        payload: { symbol: 'X', name: 'X', asset_type: 'stock', sectr: 'a' },
      },
      {
        method: 'POST',
        url: '/api/admin/users',
        headers: admin,
        payload: { username: 'newbie2', email: 'm@example.com', admin: true },
      },
    ];
    for (const req of others) {
      const r = await call(req);
      assert.equal(r.statusCode, 400, `${req.method} ${req.url}: ${r.body}`);
      assert.match(r.json().detail, /nrecognized key/i, `${req.method} ${req.url}`);
    }
  });

  test('hex, octal and binary strings are not numbers: prices and query integers are decimal', async () => {
    for (const open of ['0x10', '0o20', '0b10000', 'Infinity']) {
      const r = await call({
        method: 'POST',
        url: '/api/candles',
        headers: admin,
        payload: { symbol: 'HARD', candles: [candle('2024-03-01', { open, high: 20, low: 1 })] },
      });
      assert.equal(r.statusCode, 422, `${open}: ${r.body}`);
      assert.equal(r.json().errors[0].rule, 'finite');
    }
    const decimal = await call({
      method: 'POST',
      url: '/api/candles',
      headers: admin,
      payload: { symbol: 'HARD', candles: [candle('2024-03-01', { open: '1.6e1', high: '20', low: '1' })] },
    });
    assert.equal(decimal.statusCode, 200, decimal.body);
    assert.equal((await call({ method: 'GET', url: '/api/assets?limit=0x10' })).statusCode, 400);
    assert.equal((await call({ method: 'GET', url: '/api/assets?limit=16' })).statusCode, 200);
  });

  test('security headers everywhere; no-store on login and refresh', async () => {
    for (const url of ['/health', '/api/assets', '/api/nowhere']) {
      const r = await call({ method: 'GET', url });
      assert.equal(r.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(r.headers['x-frame-options'], 'DENY', url);
      assert.equal(r.headers['referrer-policy'], 'no-referrer', url);
    }
    const pair = await call({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'tabs', password: 'two-tabs-password' },
    });
    assert.equal(pair.headers['cache-control'], 'no-store');
    const refreshed = await refresh(pair.json().refresh_token);
    assert.equal(refreshed.statusCode, 200);
    assert.equal(refreshed.headers['cache-control'], 'no-store');
  });

  test("a failing query's error names its statement and carries no bind values", async () => {
    const err = await db.query('SELECT $1::text AS v, 1 / 0 AS boom', ['secret-bind-value']).then(
      () => assert.fail('division by zero expected'),
      (e: unknown) => e,
    );
    const logged = JSON.stringify(pino.stdSerializers.err(err as Error));
    assert.equal(logged.includes('secret-bind-value'), false, logged);
    assert.match(logged, /"statement":"SELECT \$1::text AS v, 1 \/ 0 AS boom"/);
  });

  test("the 422 of POST /api/candles names the API's field, not the CLI's flag", async () => {
    const r = await call({
      method: 'POST',
      url: '/api/candles',
      headers: admin,
      payload: { symbol: 'HARD', candles: [candle('2024-04-01', { low: 50 })] },
    });
    assert.equal(r.statusCode, 422);
    assert.match(r.json().detail, /"skip_invalid": true/);
    assert.doesNotMatch(r.json().detail, /--/);
    const unknown = await call({
      method: 'POST',
      url: '/api/candles',
      headers: admin,
      payload: { symbol: 'NOPE', candles: [candle('2024-04-01')] },
    });
    assert.equal(unknown.statusCode, 422);
    assert.match(unknown.json().detail, /"asset_type"/);
    assert.doesNotMatch(unknown.json().detail, /--|tm assets/);
  });
});
