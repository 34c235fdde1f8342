/** Price-alert evaluation on both backends: fire once per crossing, re-arm, spikes, concurrency. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import { insertAsset, insertCloses } from '../helpers/market.ts';
import { evaluateAlerts, evaluateAllAlerts, listAlerts } from '../../src/accounts/alerts.ts';
import { createUser } from '../../src/accounts/users.ts';
import { createWatchlist } from '../../src/accounts/watchlists.ts';
import { addItem, updateItem } from '../../src/accounts/watchlist-items.ts';
import type { Database } from '../../src/db/types.ts';

forEachBackend('price alerts', (open) => {
  let db: Database;
  let userId: string;
  let otherId: string;
  let listId: string;
  before(async () => {
    db = await open();
    userId = (await createUser(db, { username: 'alice', email: 'alice@example.com', password: 'correct horse' })).id;
    otherId = (await createUser(db, { username: 'bob', email: 'bob@example.com', password: 'correct horse' })).id;
    listId = (await createWatchlist(db, userId, { name: 'main' })).id;
  });
  after(() => db.close());

  const directions = (events: { direction: string }[]) => events.map((e) => e.direction);

  test('fires once per crossing and re-arms when the price goes back', async () => {
    const asset = await insertAsset(db, 'AAA');
    const item = await addItem(db, userId, listId, { asset_id: asset, price_alert_high: 110, price_alert_low: 90 });
    await insertCloses(db, asset, [100], { start: '2024-01-01T00:00:00Z' });
    assert.deepEqual(await evaluateAlerts(db, [asset]), [], 'inside the band: nothing');

    await insertCloses(db, asset, [111], { start: '2024-01-01T00:01:00Z' });
    const fired = await evaluateAlerts(db, [asset]);
    assert.equal(fired.length, 1);
    assert.equal(fired[0].direction, 'above');
    assert.equal(fired[0].threshold, 110);
    assert.equal(fired[0].price, 111);
    assert.equal(fired[0].symbol, 'AAA');
    assert.equal(fired[0].user_id, userId);
    assert.equal(fired[0].watchlist_item_id, item.id);
    assert.equal(fired[0].candle_ts.toISOString(), '2024-01-01T00:01:00.000Z');

    assert.deepEqual(await evaluateAlerts(db, [asset]), [], 'the same candle again: nothing');
    await insertCloses(db, asset, [115, 120], { start: '2024-01-01T00:02:00Z' });
    assert.deepEqual(await evaluateAlerts(db, [asset]), [], 'still above: no second event');

    await insertCloses(db, asset, [105], { start: '2024-01-01T00:04:00Z' });
    assert.deepEqual(await evaluateAlerts(db, [asset]), [], 'back inside: re-armed, nothing fires');
    await insertCloses(db, asset, [110], { start: '2024-01-01T00:05:00Z' });
    assert.deepEqual(directions(await evaluateAlerts(db, [asset])), ['above'], 'touching the threshold counts');

    await insertCloses(db, asset, [89.5], { start: '2024-01-01T00:06:00Z' });
    assert.deepEqual(directions(await evaluateAlerts(db, [asset])), ['below']);
  });

  test('a spike that crosses and returns within one batch fires once and stays armed', async () => {
    const asset = await insertAsset(db, 'SPK');
    await addItem(db, userId, listId, { asset_id: asset, price_alert_high: 50 });
    await insertCloses(db, asset, [40], { start: '2024-02-01T00:00:00Z' });
    assert.deepEqual(await evaluateAlerts(db, [asset]), []);
    await insertCloses(db, asset, [45, 55, 60, 44], { start: '2024-02-01T00:01:00Z' });
    const events = await evaluateAlerts(db, [asset]);
    assert.equal(events.length, 1);
    assert.equal(events[0].price, 55, 'the first candle beyond the threshold');
    assert.equal(events[0].candle_ts.toISOString(), '2024-02-01T00:02:00.000Z');
    await insertCloses(db, asset, [51], { start: '2024-02-01T00:05:00Z' });
    assert.deepEqual(directions(await evaluateAlerts(db, [asset])), ['above'], 're-armed by the return to 44');
  });

  test('a changed threshold re-arms its side; cleared thresholds stop firing', async () => {
    const asset = await insertAsset(db, 'THR');
    const item = await addItem(db, userId, listId, { asset_id: asset, price_alert_high: 10 });
    await insertCloses(db, asset, [12], { start: '2024-03-01T00:00:00Z' });
    assert.deepEqual(directions(await evaluateAlerts(db, [asset])), ['above']);
    await updateItem(db, userId, listId, item.id, { price_alert_high: 11 });
    assert.deepEqual(directions(await evaluateAlerts(db, [asset])), ['above'], 'new threshold, price beyond it');
    await updateItem(db, userId, listId, item.id, { price_alert_high: null });
    await insertCloses(db, asset, [5, 20], { start: '2024-03-01T00:01:00Z' });
    assert.deepEqual(await evaluateAlerts(db, [asset]), []);
  });

  test('an alert turned off keeps its thresholds and fires nothing; turned on, it starts from the newest candle', async () => {
    const asset = await insertAsset(db, 'OFF');
    const item = await addItem(db, userId, listId, { asset_id: asset, price_alert_high: 50 });
    await insertCloses(db, asset, [40], { start: '2024-03-01T00:00:00Z' });
    assert.deepEqual(await evaluateAlerts(db, [asset]), []);
    const off = await updateItem(db, userId, listId, item.id, { price_alert_enabled: false });
    assert.equal(off.price_alert_enabled, false);
    assert.equal(off.price_alert_high, 50, 'the threshold stays');
    await insertCloses(db, asset, [60, 45], { start: '2024-03-01T00:01:00Z' });
    assert.deepEqual(await evaluateAlerts(db, [asset]), [], 'off: a crossing fires nothing');
    await updateItem(db, userId, listId, item.id, { price_alert_enabled: true });
    assert.deepEqual(await evaluateAlerts(db, [asset]), [], 'on again: the bars written while off never fire');
    await insertCloses(db, asset, [55], { start: '2024-03-01T00:03:00Z' });
    assert.deepEqual(directions(await evaluateAlerts(db, [asset])), ['above'], 'a new crossing fires');
  });

  test('the newest candle across intervals decides; other assets are untouched', async () => {
    const a = await insertAsset(db, 'MIX');
    const b = await insertAsset(db, 'UNT');
    await addItem(db, userId, listId, { asset_id: a, price_alert_low: 10 });
    await addItem(db, userId, listId, { asset_id: b, price_alert_low: 10 });
    await insertCloses(db, a, [9], { start: '2024-04-01T00:00:00Z', interval: '1d', stepMs: 86_400_000 });
    await insertCloses(db, a, [12], { start: '2024-04-01T15:00:00Z', interval: '1h', stepMs: 3_600_000 });
    await insertCloses(db, b, [5], { start: '2024-04-01T00:00:00Z' });
    assert.deepEqual(await evaluateAlerts(db, [a]), [], 'the 1h candle at 15:00 is newer than the daily one');
    const events = await evaluateAlerts(db, [a, b, b]);
    assert.deepEqual(
      events.map((e) => [e.symbol, e.direction]),
      [['UNT', 'below']],
    );
  });

  test('a backfill of older candles fires nothing', async () => {
    const asset = await insertAsset(db, 'OLD');
    await addItem(db, userId, listId, { asset_id: asset, price_alert_high: 100 });
    await insertCloses(db, asset, [90], { start: '2024-08-01T12:00:00Z' });
    assert.deepEqual(await evaluateAlerts(db, [asset]), []);
    await insertCloses(db, asset, [150, 160], { start: '2024-07-01T00:00:00Z' });
    assert.deepEqual(await evaluateAlerts(db, [asset]), [], 'older than what was evaluated');
  });

  test('concurrent evaluations fire a crossing once', async () => {
    const asset = await insertAsset(db, 'CON');
    await addItem(db, userId, listId, { asset_id: asset, price_alert_high: 1 });
    await insertCloses(db, asset, [2], { start: '2024-05-01T00:00:00Z' });
    const results = await Promise.all(Array.from({ length: 4 }, () => evaluateAlerts(db, [asset])));
    assert.equal(results.flat().length, 1);
  });

  test("every watcher gets their own event; listAlerts shows only the owner's", async () => {
    const asset = await insertAsset(db, 'TWO');
    const bobList = (await createWatchlist(db, otherId, { name: 'bob list' })).id;
    await addItem(db, userId, listId, { asset_id: asset, price_alert_high: 100 });
    await addItem(db, otherId, bobList, { asset_id: asset, price_alert_high: 100 });
    await insertCloses(db, asset, [150], { start: '2024-06-01T00:00:00Z' });
    const { events } = await evaluateAllAlerts(db);
    assert.deepEqual(
      events
        .filter((e) => e.asset_id === asset)
        .map((e) => e.user_id)
        .sort(),
      [userId, otherId].sort(),
    );
    const bobs = await listAlerts(db, otherId, { limit: 10, offset: 0 });
    assert.equal(bobs.total, 1);
    assert.equal(bobs.items[0].user_id, otherId);
    const alices = await listAlerts(db, userId, { limit: 100, offset: 0 }, { asset_id: asset });
    assert.equal(alices.total, 1);
    assert.equal(alices.items[0].symbol, 'TWO');
  });

  test('no thresholds, no candles, no ids: no events', async () => {
    const asset = await insertAsset(db, 'NON');
    await addItem(db, userId, listId, { asset_id: asset });
    await insertCloses(db, asset, [1], { start: '2024-07-01T00:00:00Z' });
    assert.deepEqual(await evaluateAlerts(db, [asset]), []);
    const bare = await insertAsset(db, 'BAR');
    await addItem(db, userId, listId, { asset_id: bare, price_alert_high: 1 });
    assert.deepEqual(await evaluateAlerts(db, [bare]), []);
    assert.deepEqual(await evaluateAlerts(db, []), []);
  });
});
