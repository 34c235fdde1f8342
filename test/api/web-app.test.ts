/**
 * What the browser app needs from the server, on both backends: the app served at / with its CSP
 * and client routes; the cookie session (httpOnly refresh cookie, CSRF header on refresh and logout)
 * beside the JSON-body tokens API clients use; the markets overview and indicator series.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { getIndicator } from '../../src/analysis/indicators/registry.ts';
import { buildApp } from '../../src/api/app.ts';
import { createUser } from '../../src/accounts/users.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/types.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { insertAsset, insertCloses } from '../helpers/market.ts';

function cookiesOf(setCookie: string | string[] | undefined): Map<string, string> {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return new Map(list.map((c) => [c.slice(0, c.indexOf('=')), c]));
}
const cookieValue = (cookie: string | undefined) => cookie?.slice(cookie.indexOf('=') + 1, cookie.indexOf(';')) ?? '';

forEachBackend('web app support', (open) => {
  let db: Database;
  let app: FastifyInstance;
  let webDir: string;
  const closes = Array.from({ length: 60 }, (_, i) => 100 + Math.sin(i / 3) * 5 + i * 0.2);

  before(async () => {
    db = await open();
    webDir = mkdtempSync(path.join(os.tmpdir(), 'tm-web-'));
    mkdirSync(path.join(webDir, 'assets'));
    writeFileSync(
      path.join(webDir, 'index.html'),
      '<!doctype html><title>TM</title><script type="module" src="/assets/app.js"></script>',
    );
    writeFileSync(path.join(webDir, 'assets', 'app.js'), 'console.log(1)');
    app = await buildApp({
      db,
      config: loadConfig({ TM_LOGIN_MAX_PER_IP: '1000', TM_LOGIN_MAX_PER_USER: '1000' }),
      webDir,
    });
    await createUser(db, { username: 'webber', email: 'webber@example.com', password: 'correct horse' });
    const a = await insertAsset(db, 'WEBX');
    await insertCloses(db, a, closes, { start: '2026-02-01T00:00:00Z', interval: '1d', stepMs: 86_400_000 });
    await insertAsset(db, 'EMPTY');
  });
  after(async () => {
    await app.close();
    await db.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  test('the app is served at / and for client routes, with a CSP that forbids inline scripts', async () => {
    const root = await app.inject({ url: '/', headers: { accept: 'text/html' } });
    assert.equal(root.statusCode, 200);
    assert.match(root.body, /<title>TM<\/title>/);
    const csp = String(root.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(
      csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '',
      /unsafe-inline|unsafe-eval/,
    );
    assert.match(csp, /frame-ancestors 'none'/);
    const route = await app.inject({ url: '/chart/WEBX', headers: { accept: 'text/html' } });
    assert.equal(route.statusCode, 200);
    assert.match(route.body, /<title>TM<\/title>/);
    const asset = await app.inject({ url: '/assets/app.js' });
    assert.equal(asset.statusCode, 200);
    assert.match(String(asset.headers['cache-control']), /immutable/);
    // Answered from memory (src/api/web.ts), with its type and the app's headers.
    assert.match(String(asset.headers['content-type']), /^text\/javascript/);
    assert.equal(asset.body, 'console.log(1)');
    assert.equal(asset.headers['x-content-type-options'], 'nosniff');
    assert.equal((await app.inject({ method: 'HEAD', url: '/assets/app.js' })).statusCode, 200);
    // The API keeps its JSON 404s and no CSP of the app.
    const api = await app.inject({ url: '/api/nope', headers: { accept: 'text/html' } });
    assert.equal(api.statusCode, 404);
    assert.equal(api.json().detail, 'no route GET /api/nope');
    assert.equal(api.headers['content-security-policy'], undefined);
  });

  test('cookie login: refresh token only in an httpOnly SameSite=Strict cookie; refresh and logout need the CSRF header', async () => {
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'webber', password: 'correct horse', cookie: true },
    });
    assert.equal(login.statusCode, 200, login.body);
    const body = login.json();
    assert.equal(body.refresh_token, undefined, 'no refresh token in the body');
    assert.ok(body.access_token && body.csrf_token);
    const set = cookiesOf(login.headers['set-cookie']);
    const refreshCookie = set.get('tm_refresh') ?? '';
    assert.match(refreshCookie, /HttpOnly/i);
    assert.match(refreshCookie, /SameSite=Strict/i);
    assert.match(refreshCookie, /Path=\/api\/auth/);
    assert.doesNotMatch(set.get('tm_csrf') ?? '', /HttpOnly/i);
    assert.equal(cookieValue(set.get('tm_csrf')), body.csrf_token);
    const cookie = `tm_refresh=${cookieValue(refreshCookie)}; tm_csrf=${body.csrf_token}`;

    const noHeader = await app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie } });
    assert.equal(noHeader.statusCode, 403);
    assert.match(noHeader.json().detail, /x-csrf-token/);
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      headers: { cookie, 'x-csrf-token': 'A'.repeat(43) },
    });
    assert.equal(wrong.statusCode, 403);

    const ok = await app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      headers: { cookie, 'x-csrf-token': body.csrf_token },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().refresh_token, undefined);
    const rotated = cookiesOf(ok.headers['set-cookie']);
    assert.notEqual(cookieValue(rotated.get('tm_refresh')), cookieValue(refreshCookie), 'the refresh token rotates');
    assert.notEqual(ok.json().csrf_token, body.csrf_token, 'the CSRF token follows the refresh token');
    // The old cookie is spent (rotation), even with its right CSRF value: right after the rotation it is
    // the refresh grace window's 409 (a second tab refreshing at once), which revokes nothing.
    const replay = await app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      headers: { cookie, 'x-csrf-token': body.csrf_token },
    });
    assert.equal(replay.statusCode, 409);

    // A new session for the logout check.
    const again = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'webber', password: 'correct horse', cookie: true },
    });
    const c2 = cookiesOf(again.headers['set-cookie']);
    const cookie2 = `tm_refresh=${cookieValue(c2.get('tm_refresh'))}`;
    const auth = { authorization: `Bearer ${again.json().access_token}` };
    const badLogout = await app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { ...auth, cookie: cookie2 },
    });
    assert.equal(badLogout.statusCode, 403);
    const logout = await app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { ...auth, cookie: cookie2, 'x-csrf-token': again.json().csrf_token },
    });
    assert.equal(logout.statusCode, 204);
    assert.match(String(cookiesOf(logout.headers['set-cookie']).get('tm_refresh')), /Expires=Thu, 01 Jan 1970/);
    const after = await app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      headers: { cookie: cookie2, 'x-csrf-token': again.json().csrf_token },
    });
    assert.equal(after.statusCode, 401);
  });

  test('API clients keep the JSON-body refresh token', async () => {
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'webber', password: 'correct horse' },
    });
    assert.equal(login.headers['set-cookie'], undefined);
    const refresh = await app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refresh_token: login.json().refresh_token },
    });
    assert.equal(refresh.statusCode, 200, refresh.body);
    assert.ok(refresh.json().refresh_token);
    const none = await app.inject({ method: 'POST', url: '/api/auth/refresh' });
    assert.equal(none.statusCode, 400);
    assert.match(none.json().detail, /^refresh_token: required/);
  });

  test('markets: last price, change against the previous close, volume and closes per asset', async () => {
    const res = await app.inject({ url: '/api/markets?interval=1d&points=5' });
    assert.equal(res.statusCode, 200, res.body);
    const items = res.json().items as {
      symbol: string;
      closes: number[];
      last_price: number | null;
      change_pct: number | null;
      volume: number | null;
    }[];
    const webx = items.find((i) => i.symbol === 'WEBX');
    assert.ok(webx);
    assert.deepEqual(webx.closes, closes.slice(-5));
    assert.equal(webx.last_price, closes[closes.length - 1]);
    const prev = closes[closes.length - 2];
    assert.equal(webx.change_pct, Math.round(((closes[closes.length - 1] - prev) / prev) * 10_000) / 100);
    assert.equal(webx.volume, 100);
    const empty = items.find((i) => i.symbol === 'EMPTY');
    assert.deepEqual(empty && { closes: empty.closes, last: empty.last_price, change: empty.change_pct }, {
      closes: [],
      last: null,
      change: null,
    });
  });

  test('indicator series: computed with warm-up bars before the range, equal to a full-history computation', async () => {
    const from = new Date(Date.parse('2026-02-01T00:00:00Z') + 30 * 86_400_000);
    const res = await app.inject({
      url: `/api/indicators/series?symbol=WEBX&type=ema&interval=1d&params=${encodeURIComponent('{"period":5}')}&from=${from.toISOString()}&to=2026-04-10T00:00:00Z`,
    });
    assert.equal(res.statusCode, 200, res.body);
    const s = res.json() as { name: string; ts: number[]; values: (number | null)[][] };
    assert.equal(s.name, 'ema_5');
    assert.equal(s.ts.length, 30);
    assert.equal(s.ts[0], from.getTime() / 1000);
    const ema = getIndicator('ema');
    const full = ema.compute(
      {
        open: Float64Array.from(closes),
        high: Float64Array.from(closes),
        low: Float64Array.from(closes),
        close: Float64Array.from(closes),
        volume: new Float64Array(closes.length).fill(100),
      },
      { period: 5 },
    )[0];
    for (const [i, v] of s.values[0].entries()) assert.ok(Math.abs((v as number) - full[30 + i]) < 1e-9, `bar ${i}`);
    const bad = await app.inject({
      url: '/api/indicators/series?symbol=WEBX&type=rsi&from=2026-02-01&params=%7B%22period%22%3A0%7D',
    });
    assert.equal(bad.statusCode, 400);
    const notJson = await app.inject({
      url: '/api/indicators/series?symbol=WEBX&type=rsi&from=2026-02-01&params=nope',
    });
    assert.equal(notJson.statusCode, 400);
    assert.match(notJson.json().detail, /params: not valid JSON/);
  });

  test('chart: one answer whose candles and indicators equal their own routes, a refused indicator in its place', async () => {
    const inds = [
      { type: 'ema', params: { period: 5 } },
      { type: 'rsi', params: { period: 14 } },
      { type: 'sma', params: { period: 3 } },
      { type: 'rsi', params: { period: 0 } },
    ];
    for (const [interval, from, limit] of [
      ['1d', '2026-02-20T00:00:00Z', 1000],
      ['1d', '2026-02-10T00:00:00Z', 7],
      ['1w', '2026-02-16T00:00:00Z', 1000],
    ] as const) {
      const range = `symbol=WEBX&interval=${interval}&from=${from}&to=2026-04-10T00:00:00Z`;
      const res = await app.inject({
        url: `/api/chart?${range}&limit=${limit}&indicators=${encodeURIComponent(JSON.stringify(inds))}`,
      });
      assert.equal(res.statusCode, 200, res.body);
      const chart = res.json() as { candles: unknown; indicators: unknown[] };
      const candles = await app.inject({ url: `/api/candles?${range}&limit=${limit}` });
      assert.deepEqual(chart.candles, candles.json(), `${interval} from ${from}: candles`);
      assert.ok((candles.json() as { candles: unknown[] }).candles.length > 0);
      for (const [i, ind] of inds.entries()) {
        const own = await app.inject({
          url: `/api/indicators/series?${range}&type=${ind.type}&params=${encodeURIComponent(JSON.stringify(ind.params))}`,
        });
        if (own.statusCode === 200) assert.deepEqual(chart.indicators[i], own.json(), `${interval}: ${ind.type}`);
        else assert.deepEqual(chart.indicators[i], { error: own.json().detail.replace(/^[^:]*?: (?=params)/, '') });
      }
    }
    const notJson = await app.inject({ url: '/api/chart?symbol=WEBX&from=2026-02-01&indicators=nope' });
    assert.equal(notJson.statusCode, 400);
    assert.match(notJson.json().detail, /indicators: not valid JSON/);
    const unknown = await app.inject({
      url: `/api/chart?symbol=WEBX&from=2026-02-01&indicators=${encodeURIComponent('[{"type":"vwap"}]')}`,
    });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.json().detail, /indicators: expected a list/);
  });
});
