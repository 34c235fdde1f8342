/**
 * The accounts API over HTTP (fastify.inject) on the embedded database: the whole flow, the
 * authorization matrix, verbatim storage, tokens, inactive users, rate limits and validation.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { requireAdmin } from '../../src/api/guards.ts';
import { evaluateAlerts } from '../../src/accounts/alerts.ts';
import { signAccessToken } from '../../src/accounts/jwt.ts';
import { deactivateUser } from '../../src/accounts/user-admin.ts';
import { createUser } from '../../src/accounts/users.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/types.ts';
import { adminHeaders, tokenFor } from '../helpers/auth.ts';
import { embeddedDb } from '../helpers/db.ts';
import { insertAsset, insertCloses } from '../helpers/market.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Client {
  app: FastifyInstance;
  call(
    method: Method,
    url: string,
    opts?: { token?: string; body?: unknown; ip?: string; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  login(username: string, password: string): Promise<{ access_token: string; refresh_token: string }>;
}

async function client(
  db: Database,
  env: Record<string, string> = {},
  extra: Partial<Parameters<typeof buildApp>[0]> = {},
): Promise<Client> {
  const app = await buildApp({
    db,
    config: loadConfig({ TM_LOGIN_MAX_PER_IP: '1000', TM_LOGIN_MAX_PER_USER: '1000', ...env }),
    ...extra,
  });
  app.get('/test/admin-only', { preHandler: requireAdmin }, async () => ({ ok: true }));
  const c: Client = {
    app,
    call: (method, url, opts = {}) =>
      app.inject({
        method,
        url,
        ...(opts.body !== undefined ? { payload: opts.body as object } : {}),
        ...(opts.ip ? { remoteAddress: opts.ip } : {}),
        headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
      }),
    async login(username, password) {
      const res = await c.call('POST', '/api/auth/login', { body: { username, password } });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    },
  };
  return c;
}

describe('accounts API', () => {
  let db: Database;
  let api: Client;
  before(async () => {
    db = await embeddedDb();
    api = await client(db);
  });
  after(async () => {
    await api.app.close();
    await db.close();
  });

  test('register -> login -> watchlist -> items -> crossing candles -> alert listed', async () => {
    const reg = await api.call('POST', '/api/auth/register', {
      body: { username: 'flow', email: 'flow@example.com', password: 'flow-password' },
    });
    assert.equal(reg.statusCode, 202, reg.body);
    assert.deepEqual(Object.keys(reg.json()).sort(), ['detail', 'status', 'username']);
    const user = (await api.call('GET', '/api/admin/users/flow', { headers: await adminHeaders(api.app) })).json();
    assert.equal(user.username, 'flow');
    assert.equal(user.is_admin, false);
    assert.equal(user.last_login, null);
    assert.ok(!('password_hash' in user) && !('password' in user));

    const tokens = await api.login('flow', 'flow-password');
    assert.match(tokens.access_token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const me = await api.call('GET', '/api/auth/me', { token: tokens.access_token });
    assert.equal(me.statusCode, 200);
    assert.ok(me.json().last_login, 'login set last_login');

    const wl = await api.call('POST', '/api/watchlists', {
      token: tokens.access_token,
      body: { name: 'Tech', color: '#1E90FF', icon: 'rocket' },
    });
    assert.equal(wl.statusCode, 201, wl.body);
    assert.equal(wl.json().is_default, true);
    const watchlistId = wl.json().id;

    const asset = await insertAsset(db, 'FLOW');
    await insertCloses(db, asset, [100], { start: '2025-01-06T14:30:00Z' });
    const item = await api.call('POST', `/api/watchlists/${watchlistId}/items`, {
      token: tokens.access_token,
      body: { asset_id: asset, notes: 'breakout?', price_alert_high: 105, price_alert_low: 95 },
    });
    assert.equal(item.statusCode, 201, item.body);
    assert.equal(item.json().symbol, 'FLOW');
    assert.equal(item.json().position, 0);

    assert.deepEqual(await evaluateAlerts(db, [asset]), []);
    await insertCloses(db, asset, [103, 106.5], { start: '2025-01-06T14:31:00Z' });
    const fired = await evaluateAlerts(db, [asset]);
    assert.equal(fired.length, 1);

    const alerts = await api.call('GET', '/api/alerts', { token: tokens.access_token });
    assert.equal(alerts.statusCode, 200, alerts.body);
    const page = alerts.json();
    assert.equal(page.total, 1);
    assert.deepEqual(
      { ...page.items[0], id: undefined, triggered_at: undefined },
      {
        id: undefined,
        triggered_at: undefined,
        watchlist_id: watchlistId,
        watchlist_item_id: item.json().id,
        asset_id: asset,
        symbol: 'FLOW',
        direction: 'above',
        threshold: 105,
        price: 106.5,
        candle_ts: '2025-01-06T14:32:00.000Z',
        interval: '1m',
      },
    );
    assert.equal('user_id' in page.items[0], false);
  });

  test('authorization matrix: anonymous, user A, user B, admin on every route', async () => {
    await createUser(db, { username: 'usera', email: 'a@example.com', password: 'password-a' });
    await createUser(db, { username: 'userb', email: 'b@example.com', password: 'password-b' });
    await createUser(db, { username: 'root', email: 'root@example.com', password: 'password-root', is_admin: true });
    const A = (await api.login('usera', 'password-a')).access_token;
    const B = (await api.login('userb', 'password-b')).access_token;
    const admin = (await api.login('root', 'password-root')).access_token;
    const wl = (await api.call('POST', '/api/watchlists', { token: A, body: { name: 'A list' } })).json().id as string;
    const assets = await Promise.all(['MA1', 'MA2', 'MA3', 'MA4', 'MA5'].map((s) => insertAsset(db, s)));
    const item = (
      await api.call('POST', `/api/watchlists/${wl}/items`, { token: A, body: { asset_id: assets[0] } })
    ).json().id as string;
    let nextAsset = 1;
    const pf = (await api.call('POST', '/api/portfolios', { token: A, body: { name: 'A folio' } })).json().id as string;
    const ptx = (
      await api.call('POST', `/api/portfolios/${pf}/transactions`, {
        token: A,
        body: { type: 'deposit', ts: '2024-01-01', price: '1000' },
      })
    ).json().id as string;
    let nextPortfolio = 1;
    const btAsset = await insertAsset(db, 'MB1');
    await insertCloses(db, btAsset, [10, 11, 9, 12], { start: '2024-01-02T14:30:00Z' });
    const strategy = { entry: 'close > 10', exit: 'close < 10' };
    await api.call('POST', '/api/strategies', { token: A, body: { name: 'mine', ...strategy } });
    const runBody = { strategy: 'mine', symbol: 'MB1', interval: '1m' };
    const btRun = (await api.call('POST', '/api/backtests', { token: A, body: runBody })).json().id as string;
    let nextStrategy = 1;
    const paperBody = (name: string) => ({ name, strategy: 'mine', symbol: 'MB1', interval: '1m', cash: 1000 });
    const paper = (await api.call('POST', '/api/paper', { token: A, body: paperBody('A paper') })).json().id as string;
    let nextPaper = 1;

    type Row = [Method, string, () => unknown, [anon: number, a: number, b: number, adm: number]];
    // Order inside a row: anonymous, B, admin, then A (A's call may change or delete the resource).
    const rows: Row[] = [
      ['GET', '/api/auth/me', () => undefined, [401, 200, 200, 200]],
      ['GET', '/api/watchlists', () => undefined, [401, 200, 200, 200]],
      ['POST', '/api/watchlists', () => ({ name: 'another' }), [401, 201, 201, 201]],
      ['GET', `/api/watchlists/${wl}`, () => undefined, [401, 200, 404, 404]],
      ['PATCH', `/api/watchlists/${wl}`, () => ({ description: 'mine' }), [401, 200, 404, 404]],
      ['GET', `/api/watchlists/${wl}/items`, () => undefined, [401, 200, 404, 404]],
      ['POST', `/api/watchlists/${wl}/items`, () => ({ asset_id: assets[nextAsset++] }), [401, 201, 404, 404]],
      ['GET', `/api/watchlists/${wl}/items/${item}`, () => undefined, [401, 200, 404, 404]],
      ['PATCH', `/api/watchlists/${wl}/items/${item}`, () => ({ notes: 'n', position: 0 }), [401, 200, 404, 404]],
      ['PUT', `/api/watchlists/${wl}/items/order`, () => undefined, [401, 200, 404, 404]],
      ['GET', '/api/alerts', () => undefined, [401, 200, 200, 200]],
      ['GET', '/test/admin-only', () => undefined, [401, 403, 403, 200]],
      ['GET', '/api/admin/users', () => undefined, [401, 403, 403, 200]],
      [
        'POST',
        '/api/admin/users',
        () => ({ username: 'made-by-admin', email: 'made@example.com' }),
        [401, 403, 403, 201],
      ],
      ['GET', '/api/admin/users/userb', () => undefined, [401, 403, 403, 200]],
      ['PATCH', '/api/admin/users/userb', () => ({ is_active: true }), [401, 403, 403, 200]],
      ['POST', '/api/admin/users/userb/reset-password', () => ({ password: 'password-b' }), [401, 403, 403, 200]],
      ['DELETE', `/api/watchlists/${wl}/items/${item}`, () => undefined, [401, 204, 404, 404]],
      ['DELETE', `/api/watchlists/${wl}`, () => undefined, [401, 204, 404, 404]],
      ['GET', '/api/portfolios', () => undefined, [401, 200, 200, 200]],
      ['POST', '/api/portfolios', () => ({ name: `folio ${nextPortfolio++}` }), [401, 201, 201, 201]],
      ['GET', `/api/portfolios/${pf}`, () => undefined, [401, 200, 404, 404]],
      ['PATCH', `/api/portfolios/${pf}`, () => ({ base_currency: 'USD' }), [401, 200, 404, 404]],
      ['GET', `/api/portfolios/${pf}/transactions`, () => undefined, [401, 200, 404, 404]],
      [
        'POST',
        `/api/portfolios/${pf}/transactions`,
        () => ({ type: 'deposit', ts: '2024-01-02T10:00:00Z', price: '5' }),
        [401, 201, 404, 404],
      ],
      ['PATCH', `/api/portfolios/${pf}/transactions/${ptx}`, () => ({ note: 'n' }), [401, 200, 404, 404]],
      ['GET', `/api/portfolios/${pf}/positions`, () => undefined, [401, 200, 404, 404]],
      ['GET', `/api/portfolios/${pf}/performance?to=2024-01-03`, () => undefined, [401, 200, 404, 404]],
      [
        'POST',
        `/api/portfolios/${pf}/import`,
        () => ({ csv: 'date,type,price\n2024-01-02,deposit,5\n' }),
        [401, 200, 404, 404],
      ],
      ['DELETE', `/api/portfolios/${pf}/transactions/${ptx}`, () => undefined, [401, 204, 404, 404]],
      ['DELETE', `/api/portfolios/${pf}`, () => undefined, [401, 204, 404, 404]],
      ['GET', '/api/strategies', () => undefined, [401, 200, 200, 200]],
      ['POST', '/api/strategies', () => ({ name: `s${nextStrategy++}`, ...strategy }), [401, 201, 201, 201]],
      ['GET', '/api/strategies/mine', () => undefined, [401, 200, 404, 404]],
      ['POST', '/api/backtests', () => runBody, [401, 201, 404, 404]],
      ['GET', '/api/backtests', () => undefined, [401, 200, 200, 200]],
      ['GET', `/api/backtests/${btRun}`, () => undefined, [401, 200, 404, 404]],
      ['GET', '/api/paper', () => undefined, [401, 200, 200, 200]],
      ['POST', '/api/paper', () => paperBody(`paper ${nextPaper++}`), [401, 201, 404, 404]],
      ['GET', `/api/paper/${paper}`, () => undefined, [401, 200, 404, 404]],
      ['GET', `/api/paper/${paper}/trades`, () => undefined, [401, 200, 404, 404]],
      ['POST', `/api/paper/${paper}/run`, () => undefined, [401, 200, 404, 404]],
      ['DELETE', `/api/paper/${paper}`, () => undefined, [401, 204, 404, 404]],
      ['DELETE', '/api/strategies/mine', () => undefined, [401, 204, 404, 404]],
      ['POST', '/api/auth/logout', () => undefined, [401, 204, 204, 204]],
    ];
    for (const [method, url, body, [anon, a, b, adm]] of rows) {
      const bodyFor = async () => {
        if (url.endsWith('/items/order')) {
          const items = (await api.call('GET', `/api/watchlists/${wl}/items`, { token: A })).json().items as {
            id: string;
          }[];
          return { item_ids: items.map((i) => i.id).reverse() };
        }
        return body();
      };
      for (const [who, token, expected] of [
        ['anonymous', undefined, anon],
        ['B', B, b],
        ['admin', admin, adm],
        ['A', A, a],
      ] as const) {
        const res = await api.call(method, url, { token, body: await bodyFor() });
        assert.equal(res.statusCode, expected, `${who} ${method} ${url}: ${res.body}`);
        if (expected >= 400) {
          assert.match(res.headers['content-type'] as string, /application\/problem\+json/);
          assert.equal(res.json().status, expected);
        }
        if (expected === 401) assert.equal(res.headers['www-authenticate'], 'Bearer');
      }
    }
    // B's alert list never shows A's events, and nobody's list shows the others'.
    const bAlerts = await api.call('GET', '/api/alerts', { token: B });
    assert.equal(bAlerts.json().total, 0);
  });

  test('injection strings are stored and returned verbatim', async () => {
    await createUser(db, { username: 'inject', email: 'inject@example.com', password: 'password-i' });
    const t = (await api.login('inject', 'password-i')).access_token;
    const nasty = [
      "Robert'); DROP TABLE watchlists;--",
      '<script>alert("x")</script>',
      "' OR '1'='1",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal template placeholder is the hostile input
      '$1 $$ \\x00 %s {{7*7}} ${process.env}',
      '  spaced  \n\t',
      'ünïcødé 📈 — 株式',
    ];
    for (const s of nasty) {
      const created = await api.call('POST', '/api/watchlists', {
        token: t,
        body: { name: s.slice(0, 100), description: s },
      });
      assert.equal(created.statusCode, 201, created.body);
      const got = (await api.call('GET', `/api/watchlists/${created.json().id}`, { token: t })).json();
      assert.equal(got.name, s.slice(0, 100));
      assert.equal(got.description, s);
    }
    const asset = await insertAsset(db, 'INJ');
    const wl = (await api.call('GET', '/api/watchlists', { token: t })).json().items[0].id;
    const item = await api.call('POST', `/api/watchlists/${wl}/items`, {
      token: t,
      body: { asset_id: asset, notes: nasty.join('|') },
    });
    assert.equal(item.json().notes, nasty.join('|'));
    const stored = await db.query<{ notes: string }>('SELECT notes FROM watchlist_items WHERE id = $1', [
      item.json().id,
    ]);
    assert.equal(stored.rows[0].notes, nasty.join('|'));
    assert.equal((await db.query("SELECT to_regclass('watchlists') AS t")).rows[0].t, 'watchlists');
    const sqlLogin = await api.call('POST', '/api/auth/login', {
      body: { username: "inject' --", password: "' OR '1'='1" },
    });
    assert.equal(sqlLogin.statusCode, 401);
  });

  test('bad, forged, expired and misused tokens answer 401', async () => {
    const u = await createUser(db, { username: 'tokens', email: 'tokens@example.com', password: 'password-t' });
    const good = await api.login('tokens', 'password-t');
    const secret = await api.app.auth.secret();
    const [h, p] = good.access_token.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ sub: u.id, iat: 1, exp: 4102444800, typ: 'access' })).toString('base64url')}.${good.access_token.split('.')[2]}`;
    const cases: [string, Record<string, string>][] = [
      ['garbage', { authorization: 'Bearer not.a.jwt' }],
      ['empty bearer', { authorization: 'Bearer ' }],
      ['basic scheme', { authorization: `Basic ${Buffer.from('tokens:password-t').toString('base64')}` }],
      ['alg none', { authorization: `Bearer ${none}` }],
      ['tampered payload', { authorization: `Bearer ${tampered}` }],
      [
        'other secret',
        { authorization: `Bearer ${signAccessToken(u.id, 'another-secret-of-at-least-32-bytes!!', 900)}` },
      ],
      ['expired', { authorization: `Bearer ${signAccessToken(u.id, secret, 60, Date.now() - 120_000)}` }],
      [
        'unknown user',
        { authorization: `Bearer ${signAccessToken('00000000-0000-4000-8000-000000000000', secret, 900)}` },
      ],
      ['refresh token as access token', { authorization: `Bearer ${good.refresh_token}` }],
    ];
    for (const [name, headers] of cases) {
      const res = await api.call('GET', '/api/watchlists', { headers });
      assert.equal(res.statusCode, 401, `${name}: ${res.body}`);
    }
    assert.equal((await api.call('GET', '/api/watchlists', { token: good.access_token })).statusCode, 200);
    const badRefresh = await api.call('POST', '/api/auth/refresh', { body: { refresh_token: good.access_token } });
    assert.equal(badRefresh.statusCode, 401);
    const rotated = await api.call('POST', '/api/auth/refresh', { body: { refresh_token: good.refresh_token } });
    assert.equal(rotated.statusCode, 200);
    assert.equal((await api.call('GET', '/api/auth/me', { token: rotated.json().access_token })).json().id, u.id);
    const replay = () => api.call('POST', '/api/auth/refresh', { body: { refresh_token: good.refresh_token } });
    assert.equal((await replay()).statusCode, 409, 'within the grace window: a parallel request, nothing revoked');
    // Replayed after the grace window: someone kept a copy.
    await db.query("UPDATE refresh_tokens SET revoked_at = now() - interval '1 minute' WHERE id = $1", [
      good.refresh_token.split('.')[0],
    ]);
    assert.equal((await replay()).statusCode, 401);
    assert.equal(
      (await api.call('POST', '/api/auth/refresh', { body: { refresh_token: rotated.json().refresh_token } }))
        .statusCode,
      401,
      'reuse revoked the family',
    );
  });

  test('inactive users cannot log in, and their tokens stop working at once', async () => {
    await createUser(db, { username: 'leaver', email: 'leaver@example.com', password: 'password-l' });
    const t = await api.login('leaver', 'password-l');
    await deactivateUser(db, 'leaver');
    const login = await api.call('POST', '/api/auth/login', { body: { username: 'leaver', password: 'password-l' } });
    assert.equal(login.statusCode, 403);
    assert.match(login.json().detail, /deactivated/);
    const wrong = await api.call('POST', '/api/auth/login', {
      body: { username: 'leaver', password: 'wrong-password' },
    });
    assert.equal(wrong.statusCode, 401, 'a wrong password does not reveal the account state');
    assert.equal((await api.call('GET', '/api/watchlists', { token: t.access_token })).statusCode, 401);
    assert.equal(
      (await api.call('POST', '/api/auth/refresh', { body: { refresh_token: t.refresh_token } })).statusCode,
      401,
    );
  });

  test('admin user routes: create with a generated password, deactivate, demote, reset; the last admin stays', async () => {
    await createUser(db, { username: 'boss', email: 'boss@example.com', password: 'password-boss', is_admin: true });
    // Other tests made administrators too: leave boss the only active one.
    await db.query("UPDATE users SET is_admin = false WHERE username <> 'boss'");
    const boss = (await api.login('boss', 'password-boss')).access_token;
    const created = await api.call('POST', '/api/admin/users', {
      token: boss,
      body: { username: 'newhire', email: 'newhire@example.com' },
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().is_admin, false);
    const first = await api.login('newhire', created.json().generated_password);
    assert.equal((await api.call('GET', '/api/admin/users/NEWHIRE', { token: boss })).json().id, created.json().id);

    const reset = await api.call('POST', '/api/admin/users/newhire/reset-password', { token: boss, body: {} });
    assert.equal(reset.statusCode, 200, reset.body);
    assert.equal(reset.json().revoked_tokens, 1);
    assert.equal(
      (await api.call('POST', '/api/auth/refresh', { body: { refresh_token: first.refresh_token } })).statusCode,
      401,
    );
    await api.login('newhire', reset.json().generated_password);

    const off = await api.call('PATCH', '/api/admin/users/newhire', { token: boss, body: { is_active: false } });
    assert.deepEqual([off.statusCode, off.json().is_active], [200, false]);
    assert.equal(
      (
        await api.call('POST', '/api/auth/login', {
          body: { username: 'newhire', password: reset.json().generated_password },
        })
      ).statusCode,
      403,
    );

    for (const body of [{ is_admin: false }, { is_active: false }]) {
      const refused = await api.call('PATCH', '/api/admin/users/boss', { token: boss, body });
      assert.equal(refused.statusCode, 409, JSON.stringify(body));
      assert.match(refused.json().detail, /the only active administrator/);
    }
    // Promote and deactivate in one request: both or neither.
    const both = await api.call('PATCH', '/api/admin/users/newhire', {
      token: boss,
      body: { is_active: true, is_admin: true },
    });
    assert.deepEqual([both.json().is_active, both.json().is_admin], [true, true]);
    const demoted = await api.call('PATCH', '/api/admin/users/boss', { token: boss, body: { is_admin: false } });
    assert.equal(demoted.json().is_admin, false);
    assert.equal(
      (await api.call('GET', '/api/admin/users', { token: boss })).statusCode,
      403,
      'rights are re-read on every request',
    );

    const newAdmin = (await api.login('newhire', reset.json().generated_password)).access_token;
    assert.equal((await api.call('PATCH', '/api/admin/users/newhire', { token: newAdmin, body: {} })).statusCode, 400);
    assert.equal(
      (await api.call('PATCH', '/api/admin/users/ghost', { token: newAdmin, body: { is_active: true } })).statusCode,
      404,
    );
    assert.equal(
      (await api.call('POST', '/api/admin/users', { token: newAdmin, body: { username: 'x', email: 'bad' } }))
        .statusCode,
      400,
    );
    const listed = (await api.call('GET', '/api/admin/users?limit=2', { token: newAdmin })).json();
    assert.equal(listed.items.length, 2);
    assert.ok(listed.total > 2);
    assert.equal(JSON.stringify(listed).includes('argon2'), false);
  });

  test('a taken username answers 409; a taken email the same 202 as a new account; logout revokes the refresh token', async () => {
    const body = { username: 'Twice', email: 'twice@example.com', password: 'password-2' };
    const first = await api.call('POST', '/api/auth/register', { body });
    assert.equal(first.statusCode, 202);
    const again = await api.call('POST', '/api/auth/register', { body: { ...body, username: 'twice' } });
    assert.equal(again.statusCode, 409);
    assert.match(again.json().detail, /taken/);
    const sameEmail = await api.call('POST', '/api/auth/register', { body: { ...body, username: 'thrice' } });
    assert.equal(sameEmail.statusCode, 202, 'the email is not confirmed to strangers');
    assert.deepEqual({ ...(sameEmail.json() as object), username: 'Twice' }, first.json());
    const notCreated = await api.call('POST', '/api/auth/login', {
      body: { username: 'thrice', password: 'password-2' },
    });
    assert.equal(notCreated.statusCode, 401);
    const t = await api.login('twice', 'password-2');
    const out = await api.call('POST', '/api/auth/logout', {
      token: t.access_token,
      body: { refresh_token: t.refresh_token },
    });
    assert.equal(out.statusCode, 204);
    assert.equal(
      (await api.call('POST', '/api/auth/refresh', { body: { refresh_token: t.refresh_token } })).statusCode,
      401,
    );
  });

  test('watchlist and item rules over HTTP: default promotion, 409 duplicate items and names, reorder', async () => {
    await createUser(db, { username: 'rules', email: 'rules@example.com', password: 'password-r' });
    const t = (await api.login('rules', 'password-r')).access_token;
    const first = (await api.call('POST', '/api/watchlists', { token: t, body: { name: 'first' } })).json();
    const second = (await api.call('POST', '/api/watchlists', { token: t, body: { name: 'second' } })).json();
    assert.deepEqual([first.is_default, second.is_default], [true, false]);
    const unset = await api.call('PATCH', `/api/watchlists/${first.id}`, { token: t, body: { is_default: false } });
    assert.equal(unset.statusCode, 400);
    assert.equal((await api.call('DELETE', `/api/watchlists/${first.id}`, { token: t })).statusCode, 204);
    assert.equal((await api.call('GET', `/api/watchlists/${second.id}`, { token: t })).json().is_default, true);
    const asset = await insertAsset(db, 'DUP');
    const add = () => api.call('POST', `/api/watchlists/${second.id}/items`, { token: t, body: { asset_id: asset } });
    assert.equal((await add()).statusCode, 201);
    const dup = await add();
    assert.equal(dup.statusCode, 409);
    assert.match(dup.json().detail, /DUP is already in this watchlist/);
    const missing = await api.call('GET', '/api/watchlists/00000000-0000-4000-8000-000000000000', { token: t });
    assert.equal(missing.statusCode, 404);
    // One name, one list: a create sent twice at once (a double click) makes one list, the other is told why.
    const twice = await Promise.all(
      ['Tech', ' tech '].map((name) => api.call('POST', '/api/watchlists', { token: t, body: { name } })),
    );
    assert.deepEqual(twice.map((r) => r.statusCode).sort(), [201, 409]);
    assert.match(
      twice.find((r) => r.statusCode === 409)?.json().detail,
      /name: you already have a watchlist named "(tech|Tech)"/,
    );
    const names = (await api.call('GET', '/api/watchlists', { token: t }))
      .json()
      .items.map((w: { name: string }) => w.name.trim().toLowerCase());
    assert.deepEqual(
      names.filter((n: string) => n === 'tech'),
      ['tech'],
    );
    const rename = await api.call('PATCH', `/api/watchlists/${second.id}`, { token: t, body: { name: 'TECH' } });
    assert.equal(rename.statusCode, 409);
    const same = await api.call('PATCH', `/api/watchlists/${second.id}`, {
      token: t,
      body: { name: 'second', color: '#112233' },
    });
    assert.equal(same.statusCode, 200, same.body);
    // Another user's list of that name is no conflict.
    await createUser(db, { username: 'rules2', email: 'rules2@example.com', password: 'password-r' });
    const t2 = (await api.login('rules2', 'password-r')).access_token;
    assert.equal((await api.call('POST', '/api/watchlists', { token: t2, body: { name: 'Tech' } })).statusCode, 201);
  });

  test('validation errors name each bad field', async () => {
    await createUser(db, { username: 'valid', email: 'valid@example.com', password: 'password-v' });
    const t = (await api.login('valid', 'password-v')).access_token;
    const wl = (await api.call('POST', '/api/watchlists', { token: t, body: { name: 'v' } })).json().id;
    const asset = await insertAsset(db, 'VAL');
    const item = (await api.call('POST', `/api/watchlists/${wl}/items`, { token: t, body: { asset_id: asset } })).json()
      .id;
    const okReg = { username: 'newbie', email: 'newbie@example.com', password: 'long-enough' };
    const cases: [Method, string, unknown, string][] = [
      ['POST', '/api/auth/register', { ...okReg, username: 'ab' }, 'body/username'],
      ['POST', '/api/auth/register', { ...okReg, username: 'bad name!' }, 'body/username'],
      ['POST', '/api/auth/register', { ...okReg, email: 'not-an-email' }, 'body/email'],
      ['POST', '/api/auth/register', { ...okReg, email: 'nul\u0000@example.com' }, 'body/email'],
      ['POST', '/api/auth/register', { ...okReg, password: 'short' }, 'body/password'],
      ['POST', '/api/auth/register', { ...okReg, password: 'x'.repeat(257) }, 'body/password'],
      ['POST', '/api/auth/register', { email: okReg.email, password: okReg.password }, 'body/username'],
      ['POST', '/api/auth/login', { username: 'valid' }, 'body/password'],
      ['POST', '/api/auth/refresh', {}, 'body/refresh_token'],
      ['POST', '/api/watchlists', { name: '' }, 'body/name'],
      ['POST', '/api/watchlists', { name: '   ' }, 'body/name'],
      ['POST', '/api/watchlists', { name: 'x'.repeat(101) }, 'body/name'],
      ['POST', '/api/watchlists', { name: 'nul \u0000' }, 'body/name'],
      ['POST', '/api/watchlists', { name: 'ok', color: 'red' }, 'body/color'],
      ['POST', '/api/watchlists', { name: 'ok', color: '#12345' }, 'body/color'],
      ['POST', '/api/watchlists', { name: 'ok', icon: 'unicorn' }, 'body/icon'],
      ['POST', '/api/watchlists', { name: 'ok', is_default: 'yes' }, 'body/is_default'],
      ['POST', '/api/watchlists', { name: 'ok', description: 42 }, 'body/description'],
      ['POST', '/api/watchlists', { name: 'ok', user_id: '00000000-0000-4000-8000-000000000000' }, 'body'],
      ['PATCH', `/api/watchlists/${wl}`, {}, 'body'],
      ['PATCH', `/api/watchlists/${wl}`, { color: '#GGGGGG' }, 'body/color'],
      ['GET', '/api/watchlists/not-a-uuid', undefined, 'params/id'],
      ['GET', '/api/watchlists?limit=0', undefined, 'querystring/limit'],
      ['GET', '/api/watchlists?limit=5000', undefined, 'querystring/limit'],
      ['GET', '/api/watchlists?offset=-1', undefined, 'querystring/offset'],
      ['GET', '/api/alerts?asset_id=nope', undefined, 'querystring/asset_id'],
      ['POST', `/api/watchlists/${wl}/items`, { asset_id: 'AAPL' }, 'body/asset_id'],
      ['POST', `/api/watchlists/${wl}/items`, {}, 'body/asset_id'],
      ['POST', `/api/watchlists/${wl}/items`, { asset_id: asset, position: -1 }, 'body/position'],
      ['POST', `/api/watchlists/${wl}/items`, { asset_id: asset, position: 1.5 }, 'body/position'],
      ['POST', `/api/watchlists/${wl}/items`, { asset_id: asset, price_alert_high: -5 }, 'body/price_alert_high'],
      ['POST', `/api/watchlists/${wl}/items`, { asset_id: asset, price_alert_low: 'cheap' }, 'body/price_alert_low'],
      [
        'POST',
        `/api/watchlists/${wl}/items`,
        { asset_id: asset, price_alert_high: 10, price_alert_low: 20 },
        'body/price_alert_high',
      ],
      ['POST', `/api/watchlists/${wl}/items`, { asset_id: asset, notes: 'x'.repeat(2001) }, 'body/notes'],
      [
        'PATCH',
        `/api/watchlists/${wl}/items/${item}`,
        { price_alert_high: 1, price_alert_low: 1 },
        'body/price_alert_high',
      ],
      ['PATCH', `/api/watchlists/${wl}/items/not-a-uuid`, { notes: 'x' }, 'params/itemId'],
      ['PUT', `/api/watchlists/${wl}/items/order`, { item_ids: ['x'] }, 'body/item_ids/0'],
      ['PUT', `/api/watchlists/${wl}/items/order`, { item_ids: [] }, 'body/item_ids'],
    ];
    for (const [method, url, body, field] of cases) {
      const res = await api.call(method, url, { token: url.startsWith('/api/auth') ? undefined : t, body });
      assert.equal(res.statusCode, 400, `${method} ${url} ${JSON.stringify(body)}: ${res.body}`);
      assert.match(res.headers['content-type'] as string, /application\/problem\+json/);
      const p = res.json();
      const fields = (p.errors ?? []).map((e: { field: string }) => e.field.replace(/\/$/, ''));
      assert.ok(
        fields.includes(field) || p.detail.startsWith(`${field.split('/').at(-1)}:`),
        `${method} ${url}: expected ${field} in ${res.body}`,
      );
    }
    // A later threshold change that breaks high > low with the stored value is refused as well.
    await api.call('PATCH', `/api/watchlists/${wl}/items/${item}`, { token: t, body: { price_alert_high: 10 } });
    const merged = await api.call('PATCH', `/api/watchlists/${wl}/items/${item}`, {
      token: t,
      body: { price_alert_low: 12 },
    });
    assert.equal(merged.statusCode, 400);
    assert.match(merged.json().detail, /price_alert_high: must be greater than price_alert_low/);
  });

  test('oversized bodies answer 413; OpenAPI lists the routes with bearer security', async () => {
    const big = await api.call('POST', '/api/auth/register', {
      body: { username: 'big', email: 'big@example.com', password: 'x'.repeat(70_000) },
    });
    assert.equal(big.statusCode, 413);
    const doc = (await api.call('GET', '/docs/json')).json();
    for (const p of ['/api/auth/login', '/api/watchlists', '/api/watchlists/{id}/items/{itemId}', '/api/alerts'])
      assert.ok(doc.paths[p], p);
    assert.deepEqual(doc.paths['/api/alerts'].get.security, [{ bearerAuth: [] }]);
  });

  test('CORS is off by default: no CORS headers', async () => {
    const res = await api.call('GET', '/health', { headers: { origin: 'https://evil.example' } });
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    const pre = await api.call('OPTIONS' as Method, '/api/watchlists', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(pre.headers['access-control-allow-origin'], undefined);
  });
});

describe('accounts API: rate limits, CORS on, logs', () => {
  let db: Database;
  before(async () => {
    db = await embeddedDb();
    await createUser(db, { username: 'target', email: 'target@example.com', password: 'right-password' });
    await createUser(db, { username: 'other', email: 'other@example.com', password: 'right-password' });
  });
  after(() => db.close());

  test('login is limited per username (failures) and per IP (attempts)', async () => {
    const c = await client(db, { TM_LOGIN_MAX_PER_USER: '3', TM_LOGIN_MAX_PER_IP: '6' });
    try {
      const attempt = (username: string, password: string, ip: string) =>
        c.call('POST', '/api/auth/login', { ip, body: { username, password } });
      for (let i = 0; i < 3; i++) assert.equal((await attempt('target', 'wrong', `10.0.0.${i + 1}`)).statusCode, 401);
      const limited = await attempt('TARGET', 'right-password', '10.0.0.9');
      assert.equal(
        limited.statusCode,
        429,
        'the username is locked for the window, from any address, even with the right password',
      );
      assert.ok(Number(limited.headers['retry-after']) > 0);
      assert.match(limited.headers['content-type'] as string, /application\/problem\+json/);
      assert.equal(
        (await attempt('other', 'right-password', '10.0.0.9')).statusCode,
        200,
        'other users are not affected',
      );

      // Per IP: 6 attempts of any kind, then 429 for every username.
      for (let i = 0; i < 6; i++) await attempt(`nobody${i}`, 'x', '10.9.9.9');
      assert.equal((await attempt('other', 'right-password', '10.9.9.9')).statusCode, 429);
      assert.equal((await attempt('other', 'right-password', '10.9.9.8')).statusCode, 200);
    } finally {
      await c.app.close();
    }
  });

  test('X-Forwarded-For decides the client address only behind a trusted proxy', async () => {
    const attempt = (c: Client, xff: string) =>
      c.call('POST', '/api/auth/login', {
        headers: { 'x-forwarded-for': xff },
        body: { username: 'nobody', password: 'x' },
      });
    const trusted = await client(db, { TM_LOGIN_MAX_PER_IP: '2', TM_TRUST_PROXY: '127.0.0.1' });
    try {
      assert.equal((await attempt(trusted, '203.0.113.5')).statusCode, 401);
      assert.equal((await attempt(trusted, '203.0.113.5')).statusCode, 401);
      assert.equal((await attempt(trusted, '203.0.113.5')).statusCode, 429);
      assert.equal((await attempt(trusted, '203.0.113.6')).statusCode, 401, 'another client behind the proxy');
    } finally {
      await trusted.app.close();
    }
    const direct = await client(db, { TM_LOGIN_MAX_PER_IP: '2' });
    try {
      assert.equal((await attempt(direct, '203.0.113.7')).statusCode, 401);
      assert.equal((await attempt(direct, '203.0.113.8')).statusCode, 401);
      assert.equal((await attempt(direct, '203.0.113.9')).statusCode, 429, 'a forged header does not buy new budget');
    } finally {
      await direct.app.close();
    }
  });

  test('a successful login resets the per-username failure count', async () => {
    const c = await client(db, { TM_LOGIN_MAX_PER_USER: '2' });
    try {
      const attempt = (password: string) =>
        c.call('POST', '/api/auth/login', { body: { username: 'other', password } });
      assert.equal((await attempt('wrong')).statusCode, 401);
      assert.equal((await attempt('right-password')).statusCode, 200);
      assert.equal((await attempt('wrong')).statusCode, 401);
      assert.equal((await attempt('right-password')).statusCode, 200);
    } finally {
      await c.app.close();
    }
  });

  test('CORS on for listed origins only', async () => {
    const c = await client(db, { TM_CORS_ORIGINS: 'https://app.example, https://admin.example' });
    try {
      const ok = await c.call('GET', '/health', { headers: { origin: 'https://app.example' } });
      assert.equal(ok.headers['access-control-allow-origin'], 'https://app.example');
      const no = await c.call('GET', '/health', { headers: { origin: 'https://evil.example' } });
      assert.equal(no.headers['access-control-allow-origin'], undefined);
      const pre = await c.call('OPTIONS' as Method, '/api/watchlists', {
        headers: { origin: 'https://admin.example', 'access-control-request-method': 'POST' },
      });
      assert.equal(pre.statusCode, 204);
      assert.match(pre.headers['access-control-allow-headers'] as string, /Authorization/);
      assert.equal(pre.headers['access-control-allow-credentials'], undefined);
    } finally {
      await c.app.close();
    }
  });

  test('request logs are structured and carry no passwords or tokens', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        cb();
      },
    });
    const c = await client(db, {}, { logger: true, logStream: stream });
    try {
      const t = await c.login('other', 'right-password');
      await c.call('GET', '/api/watchlists', { token: t.access_token });
      await c.call('POST', '/api/auth/refresh', { body: { refresh_token: t.refresh_token } });
      await c.call('POST', '/api/auth/login', { body: { username: 'other', password: 'a-wrong-secret-pw' } });
    } finally {
      await c.app.close();
    }
    assert.equal(lines.length, 4, `one line per request, got ${lines.length}`);
    const parsed = lines.map((l) => JSON.parse(l) as { msg?: string; req?: { url?: string } });
    assert.ok(
      parsed.some((l) => l.req?.url === '/api/watchlists'),
      'requests are logged as JSON',
    );
    const all = lines.join('\n');
    for (const secret of ['right-password', 'a-wrong-secret-pw', 'Bearer ', 'refresh_token":"']) {
      assert.equal(all.includes(secret), false, `log contains ${secret}`);
    }
  });
});

describe('test helper tokens', () => {
  test('tokenFor signs tokens the guards accept', async () => {
    const db = await embeddedDb();
    const c = await client(db);
    try {
      const user = await tokenFor(c.app);
      assert.equal((await c.call('GET', '/test/admin-only', { token: user.token })).statusCode, 403);
      assert.equal(
        (await c.app.inject({ method: 'GET', url: '/test/admin-only', headers: await adminHeaders(c.app) })).statusCode,
        200,
      );
    } finally {
      await c.app.close();
      await db.close();
    }
  });
});
