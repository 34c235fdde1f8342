/**
 * GET/PUT /api/drawings over HTTP (fastify.inject) on both backends: a user's drawings are theirs only
 * (another user sees none and cannot change them; no token is a 401), shapes are checked, a PUT
 * replaces the whole list, [] removes it, and deleting the user or the asset removes their rows.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/types.ts';
import { tokenFor } from '../helpers/auth.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { insertAsset } from '../helpers/market.ts';

const T = 1_790_000_000;
const SOME = [
  { id: 'h1', kind: 'hline', price: 101.5 },
  { id: 't1', kind: 'trend', a: { t: T, price: 100 }, b: { t: T + 86_400, price: 104.25 } },
  { id: 'r1', kind: 'rect', a: { t: T, price: 98 }, b: { t: T + 3600, price: 99 } },
  { id: 'n1', kind: 'text', at: { t: T, price: 97 }, text: 'support <b>here</b>' },
  { id: 'y1', kind: 'ray', a: { t: T, price: 100 }, b: { t: T + 7200, price: 101 } },
  { id: 'f1', kind: 'fib', a: { t: T, price: 90 }, b: { t: T + 86_400, price: 110 } },
];

forEachBackend('drawings API', (open) => {
  let db: Database;
  let app: FastifyInstance;
  let alice: string;
  let bob: string;
  let aliceId: string;
  before(async () => {
    db = await open();
    app = await buildApp({ db, config: loadConfig({}), webDir: false });
    await insertAsset(db, 'DRAWX');
    await insertAsset(db, 'DRAWY');
    const a = await tokenFor(app);
    alice = a.authorization;
    aliceId = a.userId;
    bob = (await tokenFor(app)).authorization;
  });
  after(async () => {
    await app?.close();
    await db?.close();
  });
  const call = (method: 'GET' | 'PUT', url: string, auth?: string, body?: unknown) =>
    app.inject({
      method,
      url,
      headers: auth ? { authorization: auth } : {},
      ...(body !== undefined ? { payload: body as object } : {}),
    });

  test('a user saves, reads and replaces their drawings; text is kept verbatim', async () => {
    const empty = await call('GET', '/api/drawings?asset=DRAWX', alice);
    assert.equal(empty.statusCode, 200, empty.body);
    assert.deepEqual(empty.json().items, []);
    assert.equal(empty.json().updated_at, null);
    const put = await call('PUT', '/api/drawings?asset=DRAWX', alice, { items: SOME });
    assert.equal(put.statusCode, 200, put.body);
    const got = await call('GET', '/api/drawings?asset=drawx', alice);
    assert.deepEqual(got.json().items, SOME);
    assert.equal(got.json().asset.symbol, 'DRAWX');
    // Another asset has its own list.
    assert.deepEqual((await call('GET', '/api/drawings?asset=DRAWY', alice)).json().items, []);
    // A PUT replaces the whole list; [] removes it.
    await call('PUT', '/api/drawings?asset=DRAWX', alice, { items: [SOME[0]] });
    assert.deepEqual((await call('GET', '/api/drawings?asset=DRAWX', alice)).json().items, [SOME[0]]);
    await call('PUT', '/api/drawings?asset=DRAWX', alice, { items: [] });
    const rows = await db.query('SELECT 1 FROM drawings WHERE user_id = $1', [aliceId]);
    assert.equal(rows.rows.length, 0);
  });

  test('drawings are private: another user sees none and changes only their own; no token is a 401', async () => {
    await call('PUT', '/api/drawings?asset=DRAWX', alice, { items: SOME });
    const seen = await call('GET', '/api/drawings?asset=DRAWX', bob);
    assert.equal(seen.statusCode, 200);
    assert.deepEqual(seen.json().items, []);
    await call('PUT', '/api/drawings?asset=DRAWX', bob, { items: [SOME[1]] });
    assert.deepEqual((await call('GET', '/api/drawings?asset=DRAWX', alice)).json().items, SOME);
    assert.deepEqual((await call('GET', '/api/drawings?asset=DRAWX', bob)).json().items, [SOME[1]]);
    assert.equal((await call('GET', '/api/drawings?asset=DRAWX')).statusCode, 401);
    assert.equal((await call('PUT', '/api/drawings?asset=DRAWX', undefined, { items: [] })).statusCode, 401);
    assert.deepEqual((await call('GET', '/api/drawings?asset=DRAWX', alice)).json().items, SOME);
  });

  test('bad shapes and unknown assets are refused, nothing written', async () => {
    const before = (await call('GET', '/api/drawings?asset=DRAWX', alice)).json().items;
    for (const bad of [
      { id: 'x', kind: 'circle', price: 1 },
      { id: 'x', kind: 'hline', price: -1 },
      { id: 'x', kind: 'hline', price: 1, extra: true },
      { id: 'x', kind: 'text', at: { t: T, price: 1 }, text: '' },
      { id: 'x', kind: 'text', at: { t: T, price: 1 }, text: 'x'.repeat(201) },
      { id: 'x', kind: 'trend', a: { t: 1.5, price: 1 }, b: { t: T, price: 1 } },
      { id: 'x', kind: 'ray', a: { t: T, price: 1 } },
      { id: 'x', kind: 'ray', a: { t: T, price: 1 }, b: { t: T, price: 0 } },
      { id: 'x', kind: 'fib', a: { t: T, price: 1 }, b: { t: T, price: 2 }, levels: [0.5] },
      { id: 'x', kind: 'fib', at: { t: T, price: 1 } },
    ]) {
      const r = await call('PUT', '/api/drawings?asset=DRAWX', alice, { items: [SOME[0], bad] });
      assert.equal(r.statusCode, 400, `${JSON.stringify(bad)}: ${r.body}`);
    }
    const many = Array.from({ length: 201 }, (_, i) => ({ id: `h${i}`, kind: 'hline', price: 1 + i }));
    assert.equal((await call('PUT', '/api/drawings?asset=DRAWX', alice, { items: many })).statusCode, 400);
    const missing = await call('PUT', '/api/drawings?asset=NOSUCH', alice, { items: SOME });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().detail, /NOSUCH/);
    assert.deepEqual((await call('GET', '/api/drawings?asset=DRAWX', alice)).json().items, before);
  });

  test('deleting the user removes their drawings', async () => {
    const carol = await tokenFor(app);
    await call('PUT', '/api/drawings?asset=DRAWY', carol.authorization, { items: SOME });
    await db.query('DELETE FROM users WHERE id = $1', [carol.userId]);
    const left = await db.query('SELECT 1 FROM drawings WHERE user_id = $1', [carol.userId]);
    assert.equal(left.rows.length, 0);
  });
});
