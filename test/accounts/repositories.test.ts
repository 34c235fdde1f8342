/** Users, tokens, watchlists and items through the library, on both backends. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import { insertAsset } from '../helpers/market.ts';
import { authenticate, checkCredentials, login, logout, refresh, type AuthContext } from '../../src/accounts/auth.ts';
import { signingSecret } from '../../src/accounts/secret.ts';
import { deactivateUser, resetPassword } from '../../src/accounts/user-admin.ts';
import { createUser, listUsers } from '../../src/accounts/users.ts';
import {
  createWatchlist,
  deleteWatchlist,
  getWatchlist,
  listWatchlists,
  updateWatchlist,
} from '../../src/accounts/watchlists.ts';
import { addItem, listItems, removeItem, reorderItems, updateItem } from '../../src/accounts/watchlist-items.ts';
import { loadConfig } from '../../src/config.ts';
import { UserError } from '../../src/errors.ts';
import type { Database } from '../../src/db/types.ts';

const status = (code: number) => (err: unknown) => err instanceof UserError && err.status === code;
const PAGE = { limit: 100, offset: 0 };

forEachBackend('accounts repositories', (open) => {
  let db: Database;
  let ctx: AuthContext;
  before(async () => {
    db = await open();
    ctx = { config: loadConfig({}).auth, secret: await signingSecret(db) };
  });
  after(() => db.close());

  test('users: argon2id hashes, case-insensitive uniqueness, no hash in what is returned', async () => {
    const u = await createUser(db, { username: 'Carol', email: 'carol@example.com', password: 'pass-word-1' });
    assert.equal(Object.hasOwn(u, 'password_hash'), false);
    const stored = await db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [u.id]);
    assert.match(stored.rows[0].password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await assert.rejects(
      createUser(db, { username: 'carol', email: 'other@example.com', password: 'pass-word-1' }),
      status(409),
    );
    await assert.rejects(
      createUser(db, { username: 'carol2', email: 'CAROL@example.com', password: 'pass-word-1' }),
      status(409),
    );
    await assert.rejects(
      createUser(db, { username: 'x', email: 'x@example.com', password: 'pass-word-1' }),
      status(400),
    );
    await assert.rejects(
      createUser(db, { username: 'shortpw', email: 's@example.com', password: 'short' }),
      status(400),
    );
    assert.equal((await checkCredentials(db, 'CAROL', 'pass-word-1'))?.id, u.id);
    assert.equal(await checkCredentials(db, 'carol', 'wrong-password'), null);
    assert.equal(await checkCredentials(db, 'nobody', 'pass-word-1'), null);
    const page = await listUsers(db, { limit: 1, offset: 0 });
    assert.equal(page.items.length, 1);
    assert.ok(page.total >= 1);
    assert.equal(Object.hasOwn(page.items[0], 'password_hash'), false);
  });

  test('signing secret: generated once, then the same on every call', async () => {
    const again = await signingSecret(db);
    assert.equal(again, ctx.secret);
    assert.ok(Buffer.byteLength(again) >= 32);
    assert.equal(await signingSecret(db, 'x'.repeat(40)), 'x'.repeat(40));
  });

  test('login records last_login; refresh rotates; a replayed refresh token ends every session', async () => {
    const u = await createUser(db, { username: 'dave', email: 'dave@example.com', password: 'pass-word-1' });
    assert.equal(u.last_login, null);
    const pair = await login(db, ctx, u);
    assert.equal((await authenticate(db, ctx.secret, pair.access_token))?.id, u.id);
    const row = await db.query<{ last_login: Date | null }>('SELECT last_login FROM users WHERE id = $1', [u.id]);
    assert.ok(row.rows[0].last_login instanceof Date);

    const second = await refresh(db, ctx, pair.refresh_token);
    assert.notEqual(second.refresh_token, pair.refresh_token);
    await assert.rejects(refresh(db, ctx, pair.refresh_token), status(409), 'a parallel refresh: nothing revoked');
    // The same replay after the grace window: someone kept a copy.
    await db.query("UPDATE refresh_tokens SET revoked_at = now() - interval '1 minute' WHERE id = $1", [
      pair.refresh_token.split('.')[0],
    ]);
    await assert.rejects(refresh(db, ctx, pair.refresh_token), status(401), 'the rotated token is dead');
    await assert.rejects(refresh(db, ctx, second.refresh_token), status(401), 'reuse revoked the whole family');

    const third = await login(db, ctx, u);
    const other = await login(db, ctx, u);
    await logout(db, u.id, third.refresh_token);
    await assert.rejects(refresh(db, ctx, third.refresh_token), status(401));
    assert.ok(await refresh(db, ctx, other.refresh_token), 'other sessions live on');
    await assert.rejects(refresh(db, ctx, 'not-a-token'), status(401));
    const stored = await db.query<{ token_hash: string }>('SELECT token_hash FROM refresh_tokens WHERE user_id = $1', [
      u.id,
    ]);
    assert.ok(
      stored.rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash) && !third.refresh_token.includes(r.token_hash)),
    );
  });

  test('deactivation blocks login and access tokens at once; reset-password revokes refresh tokens', async () => {
    const u = await createUser(db, { username: 'erin', email: 'erin@example.com', password: 'pass-word-1' });
    const pair = await login(db, ctx, u);
    const r = await resetPassword(db, 'erin', 'new-pass-word');
    assert.equal(r.revoked_tokens, 1);
    await assert.rejects(refresh(db, ctx, pair.refresh_token), status(401));
    assert.equal(await checkCredentials(db, 'erin', 'pass-word-1'), null);
    const again = await checkCredentials(db, 'erin', 'new-pass-word');
    assert.ok(again);
    const pair2 = await login(db, ctx, again);
    const d = await deactivateUser(db, 'erin');
    assert.equal(d.user.is_active, false);
    assert.equal(await authenticate(db, ctx.secret, pair2.access_token), null);
    const inactive = await checkCredentials(db, 'erin', 'new-pass-word');
    assert.ok(inactive);
    await assert.rejects(login(db, ctx, inactive), status(403));
    await assert.rejects(deactivateUser(db, 'nobody-here'), status(404));
  });

  test('watchlists: the first is the default, exactly one default, deleting it promotes the oldest', async () => {
    const u = await createUser(db, { username: 'frank', email: 'frank@example.com', password: 'pass-word-1' });
    const a = await createWatchlist(db, u.id, { name: 'A', color: '#00ff00', icon: 'star' });
    assert.equal(a.is_default, true);
    const b = await createWatchlist(db, u.id, { name: 'B' });
    assert.equal(b.is_default, false);
    const c = await createWatchlist(db, u.id, { name: 'C', is_default: true });
    const defaults = async () =>
      (await listWatchlists(db, u.id, PAGE)).items.filter((w) => w.is_default).map((w) => w.name);
    assert.deepEqual(await defaults(), ['C']);
    await updateWatchlist(db, u.id, b.id, { is_default: true });
    assert.deepEqual(await defaults(), ['B']);
    await assert.rejects(updateWatchlist(db, u.id, b.id, { is_default: false }), status(400));
    await assert.rejects(updateWatchlist(db, u.id, a.id, { color: 'red' }), status(400));
    await assert.rejects(updateWatchlist(db, u.id, a.id, { icon: 'unicorn' }), status(400));
    await deleteWatchlist(db, u.id, b.id);
    assert.deepEqual(await defaults(), ['A'], 'the oldest remaining list');
    const patched = await updateWatchlist(db, u.id, c.id, { description: null, color: '#ABCDEF' });
    assert.equal(patched.color, '#ABCDEF');
    const other = await createUser(db, { username: 'grace', email: 'grace@example.com', password: 'pass-word-1' });
    await assert.rejects(getWatchlist(db, other.id, a.id), status(404));
    await assert.rejects(deleteWatchlist(db, other.id, a.id), status(404));
    await deleteWatchlist(db, u.id, a.id);
    await deleteWatchlist(db, u.id, c.id);
    assert.deepEqual((await listWatchlists(db, u.id, PAGE)).total, 0);
  });

  test('concurrent first watchlists: exactly one becomes the default', async () => {
    const u = await createUser(db, { username: 'heidi', email: 'heidi@example.com', password: 'pass-word-1' });
    await Promise.all(['one', 'two', 'three'].map((name) => createWatchlist(db, u.id, { name })));
    const lists = await listWatchlists(db, u.id, PAGE);
    assert.equal(lists.items.filter((w) => w.is_default).length, 1);
  });

  test('items: dense unique positions through add, insert, move, remove and reorder; 409 on duplicates', async () => {
    const u = await createUser(db, { username: 'ivan', email: 'ivan@example.com', password: 'pass-word-1' });
    const w = await createWatchlist(db, u.id, { name: 'items' });
    const ids = await Promise.all(['I1', 'I2', 'I3', 'I4'].map((s) => insertAsset(db, s)));
    const order = async () => (await listItems(db, u.id, w.id, PAGE)).items.map((i) => `${i.symbol}@${i.position}`);
    const i1 = await addItem(db, u.id, w.id, { asset_id: ids[0] });
    const i2 = await addItem(db, u.id, w.id, { asset_id: ids[1], notes: 'second' });
    const i3 = await addItem(db, u.id, w.id, { asset_id: ids[2], position: 0 });
    assert.deepEqual(await order(), ['I3@0', 'I1@1', 'I2@2']);
    await assert.rejects(addItem(db, u.id, w.id, { asset_id: ids[0] }), status(409));
    await assert.rejects(addItem(db, u.id, w.id, { asset_id: ids[3], position: 9 }), status(400));
    await assert.rejects(addItem(db, u.id, w.id, { asset_id: '00000000-0000-4000-8000-000000000000' }), status(400));
    await updateItem(db, u.id, w.id, i3.id, { position: 2 });
    assert.deepEqual(await order(), ['I1@0', 'I2@1', 'I3@2']);
    await updateItem(db, u.id, w.id, i2.id, { position: 0 });
    assert.deepEqual(await order(), ['I2@0', 'I1@1', 'I3@2']);
    await removeItem(db, u.id, w.id, i2.id);
    assert.deepEqual(await order(), ['I1@0', 'I3@1']);
    const i4 = await addItem(db, u.id, w.id, { asset_id: ids[3] });
    await reorderItems(db, u.id, w.id, [i4.id, i1.id, i3.id]);
    assert.deepEqual(await order(), ['I4@0', 'I1@1', 'I3@2']);
    await assert.rejects(reorderItems(db, u.id, w.id, [i4.id, i1.id]), status(400));
    await assert.rejects(reorderItems(db, u.id, w.id, [i4.id, i1.id, i1.id]), status(400));
    await assert.rejects(updateItem(db, u.id, w.id, i1.id, { position: 3 }), status(400));
  });

  test('items: high > low over the merged values; another user gets 404', async () => {
    const u = await createUser(db, { username: 'judy', email: 'judy@example.com', password: 'pass-word-1' });
    const w = await createWatchlist(db, u.id, { name: 'thresholds' });
    const asset = await insertAsset(db, 'THX');
    await assert.rejects(
      addItem(db, u.id, w.id, { asset_id: asset, price_alert_high: 5, price_alert_low: 5 }),
      status(400),
    );
    const item = await addItem(db, u.id, w.id, { asset_id: asset, price_alert_high: 10 });
    await assert.rejects(updateItem(db, u.id, w.id, item.id, { price_alert_low: 11 }), status(400));
    const ok = await updateItem(db, u.id, w.id, item.id, { price_alert_low: 9.5, notes: 'band' });
    assert.deepEqual([ok.price_alert_high, ok.price_alert_low, ok.notes], [10, 9.5, 'band']);
    const cleared = await updateItem(db, u.id, w.id, item.id, { price_alert_high: null });
    assert.equal(cleared.price_alert_high, null);
    const other = await createUser(db, { username: 'mallory', email: 'mallory@example.com', password: 'pass-word-1' });
    await assert.rejects(listItems(db, other.id, w.id, PAGE), status(404));
    await assert.rejects(addItem(db, other.id, w.id, { asset_id: asset }), status(404));
    await assert.rejects(updateItem(db, other.id, w.id, item.id, { notes: 'x' }), status(404));
    await assert.rejects(removeItem(db, other.id, w.id, item.id), status(404));
  });
});
