/**
 * /api/layouts over HTTP (fastify.inject) on both backends: a user's layouts are theirs only (another
 * user lists none of them, cannot read, replace or delete them by name, and keeps their own layout of
 * the same name; no token is a 401), shapes and symbols are checked, a PUT replaces the layout, at most
 * MAX_LAYOUTS per user, and deleting the user removes their rows.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { MAX_LAYOUTS } from '../../src/accounts/chart-layouts.ts';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/types.ts';
import { tokenFor } from '../helpers/auth.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { insertAsset } from '../helpers/market.ts';

const TWO = [
  { symbol: 'LAYA', interval: '1h' },
  { symbol: 'LAYB', interval: '1d' },
];
const FOUR = [...TWO, { symbol: 'LAYB', interval: '5m' }, { symbol: 'LAYA', interval: '1M' }];

forEachBackend('layouts API', (open) => {
  let db: Database;
  let app: FastifyInstance;
  let alice: string;
  let bob: string;
  before(async () => {
    db = await open();
    app = await buildApp({ db, config: loadConfig({}), webDir: false });
    await insertAsset(db, 'LAYA');
    await insertAsset(db, 'LAYB');
    alice = (await tokenFor(app)).authorization;
    bob = (await tokenFor(app)).authorization;
  });
  after(async () => {
    await app?.close();
    await db?.close();
  });
  const call = (method: 'GET' | 'PUT' | 'DELETE', url: string, auth?: string, body?: unknown) =>
    app.inject({
      method,
      url,
      headers: auth ? { authorization: auth } : {},
      ...(body !== undefined ? { payload: body as object } : {}),
    });
  const cellsOf = (r: { json(): { cells: unknown } }) => r.json().cells;

  test('a user saves, lists, reads, replaces and deletes their layouts', async () => {
    assert.deepEqual((await call('GET', '/api/layouts', alice)).json().items, []);
    const put = await call('PUT', '/api/layouts/Morning', alice, { cells: TWO });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(cellsOf(put), TWO);
    // Symbols are stored as the asset's own (any case in).
    const four = await call('PUT', `/api/layouts/${encodeURIComponent('Four up')}`, alice, {
      cells: FOUR.map((c) => ({ ...c, symbol: c.symbol.toLowerCase() })),
    });
    assert.equal(four.statusCode, 200, four.body);
    assert.deepEqual(cellsOf(four), FOUR);
    const list = (await call('GET', '/api/layouts', alice)).json().items;
    assert.deepEqual(
      list.map((l: { name: string }) => l.name),
      ['Four up', 'Morning'],
    );
    assert.deepEqual(cellsOf(await call('GET', '/api/layouts/Morning', alice)), TWO);
    const replaced = await call('PUT', '/api/layouts/Morning', alice, { cells: FOUR });
    assert.deepEqual(cellsOf(replaced), FOUR);
    assert.equal((await call('GET', '/api/layouts', alice)).json().items.length, 2);
    assert.equal((await call('DELETE', '/api/layouts/Morning', alice)).statusCode, 204);
    assert.equal((await call('GET', '/api/layouts/Morning', alice)).statusCode, 404);
    assert.equal((await call('DELETE', '/api/layouts/Morning', alice)).statusCode, 404);
  });

  test('layouts are private: another user never reads, replaces or deletes them; no token is a 401', async () => {
    await call('PUT', '/api/layouts/Shared%20name', alice, { cells: TWO });
    // Bob lists only his own, and Alice's names are not found for him.
    assert.deepEqual((await call('GET', '/api/layouts', bob)).json().items, []);
    assert.equal((await call('GET', '/api/layouts/Shared%20name', bob)).statusCode, 404);
    assert.equal((await call('DELETE', '/api/layouts/Shared%20name', bob)).statusCode, 404);
    // His PUT of the same name makes his own layout; hers is unchanged.
    assert.equal((await call('PUT', '/api/layouts/Shared%20name', bob, { cells: FOUR })).statusCode, 200);
    assert.deepEqual(cellsOf(await call('GET', '/api/layouts/Shared%20name', alice)), TWO);
    assert.deepEqual(cellsOf(await call('GET', '/api/layouts/Shared%20name', bob)), FOUR);
    assert.deepEqual(
      (await call('GET', '/api/layouts', bob)).json().items.map((l: { name: string }) => l.name),
      ['Shared name'],
    );
    for (const [method, url] of [
      ['GET', '/api/layouts'],
      ['GET', '/api/layouts/Shared%20name'],
      ['PUT', '/api/layouts/Shared%20name'],
      ['DELETE', '/api/layouts/Shared%20name'],
    ] as const) {
      const r = await call(method, url, undefined, method === 'PUT' ? { cells: TWO } : undefined);
      assert.equal(r.statusCode, 401, `${method} ${url}`);
    }
    assert.deepEqual(cellsOf(await call('GET', '/api/layouts/Shared%20name', alice)), TWO);
  });

  test('bad shapes, unknown symbols and too many layouts are refused, nothing written', async () => {
    const before = (await call('GET', '/api/layouts', alice)).json().items;
    for (const bad of [
      { cells: [TWO[0]] },
      { cells: [...TWO, TWO[0]] },
      { cells: [...FOUR, TWO[0]] },
      { cells: [{ symbol: 'LAYA', interval: '2h' }, TWO[1]] },
      { cells: [{ symbol: '', interval: '1h' }, TWO[1]] },
      { cells: [{ ...TWO[0], extra: 1 }, TWO[1]] },
      { cells: TWO, extra: true },
    ]) {
      const r = await call('PUT', '/api/layouts/Bad', alice, bad);
      assert.equal(r.statusCode, 400, `${JSON.stringify(bad)}: ${r.body}`);
    }
    assert.equal((await call('PUT', `/api/layouts/${'x'.repeat(61)}`, alice, { cells: TWO })).statusCode, 400);
    const missing = await call('PUT', '/api/layouts/Bad', alice, {
      cells: [TWO[0], { symbol: 'NOSUCH', interval: '1h' }],
    });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().detail, /NOSUCH/);
    assert.deepEqual((await call('GET', '/api/layouts', alice)).json().items, before);

    const carol = await tokenFor(app);
    for (let i = 0; i < MAX_LAYOUTS; i++)
      assert.equal((await call('PUT', `/api/layouts/L${i}`, carol.authorization, { cells: TWO })).statusCode, 200);
    const over = await call('PUT', '/api/layouts/One%20more', carol.authorization, { cells: TWO });
    assert.equal(over.statusCode, 409, over.body);
    // Replacing one at the limit is allowed.
    assert.equal((await call('PUT', '/api/layouts/L0', carol.authorization, { cells: FOUR })).statusCode, 200);
    // Deleting the user removes their layouts.
    await db.query('DELETE FROM users WHERE id = $1', [carol.userId]);
    const left = await db.query('SELECT 1 FROM chart_layouts WHERE user_id = $1', [carol.userId]);
    assert.equal(left.rows.length, 0);
  });
});
