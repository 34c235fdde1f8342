/**
 * The simulated demo feed (issue 30, point 7): on start it catches the demo up to now (bounded), then
 * appends a 1m candle a minute and extends the stored 1h and 1d bars, through the import, so the series
 * bounds and the write log (live events) follow. Clock and sleep are injected: nothing waits for time.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import type { Database } from '../../src/db/types.ts';
import { seedDemo } from '../../src/market/demo.ts';
import { demoFeedBlocked, demoFeedStatus, feedDemo, startDemoFeed, type FeedRound } from '../../src/demo/feed.ts';
import { candleRange } from '../../src/market/candles-repository.ts';
import { seriesBounds } from '../../src/market/candle-series.ts';
import { latestCandles } from '../../src/market/queries.ts';
import { upsertSource } from '../../src/sync/sources-repository.ts';
import { findAsset } from '../../src/market/assets-repository.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY0 = Date.UTC(2024, 5, 1); // the seed ends here (exclusive)

forEachBackend('simulated demo feed', (open) => {
  let db: Database;
  let acme: string;
  before(async () => {
    db = await open();
    await seedDemo(db, { assets: 2, days: 3, interval: '1h', seed: 42, daily: true, end: new Date(DAY0) });
    acme = (await findAsset(db, 'ACME:DEMO'))?.id ?? '';
  });
  after(async () => db.close());

  test('the catch-up fills the closed minutes since the seed, and the 1h and 1d bars holding them', async () => {
    const before1d = await latestCandles(db, { assetId: acme, interval: '1d', limit: 1 });
    // A server started 15 hours and 30 seconds after the seed ended.
    const r = await feedDemo(db, DAY0 + 15 * HOUR + 30_000);
    assert.equal(r.through?.getTime(), DAY0 + 15 * HOUR - MIN);
    assert.deepEqual(r.written, { '1m': 2 * 15 * 60, '1h': 2 * 15, '1d': 2 });
    const minutes = await candleRange(db, {
      assetId: acme,
      interval: '1m',
      from: new Date(DAY0),
      to: new Date(DAY0 + DAY0),
      limit: 10_000,
    });
    assert.equal(minutes.candles.length, 900);
    // Continuous: the first minute opens at the seed's last close, each next one at the previous close.
    assert.equal(minutes.candles[0].open, before1d[0].close);
    for (let i = 1; i < minutes.candles.length; i++)
      assert.equal(minutes.candles[i].open, minutes.candles[i - 1].close);
    const [day] = (
      await candleRange(db, {
        assetId: acme,
        interval: '1d',
        from: new Date(DAY0),
        to: new Date(DAY0 + 86_400_000),
        limit: 2,
      })
    ).candles;
    assert.equal(day.open, minutes.candles[0].open);
    assert.equal(day.close, minutes.candles[899].close);
    assert.equal(day.high, Math.max(...minutes.candles.map((c) => c.high)));
    assert.equal(
      day.volume,
      minutes.candles.reduce((n, c) => n + c.volume, 0),
    );
    const b = await seriesBounds(db, acme, '1m');
    assert.deepEqual([b?.candles, b?.last_ts.getTime()], [900, DAY0 + 15 * HOUR - MIN]);
    // The write log has the feed's writes: the live feed sends them as candle events.
    const log = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM candle_writes WHERE asset_id = $1 AND "interval" = '1m' AND to_ts = $2`,
      [acme, new Date(DAY0 + 15 * HOUR - MIN)],
    );
    assert.equal(log.rows[0].n, 1);
  });

  test('running: a round at once, then a 1m candle a minute; the 1h bar grows with it', async () => {
    let clock = DAY0 + 15 * HOUR + 5_000;
    const rounds: FeedRound[] = [];
    let third: () => void = () => undefined;
    const thirdRound = new Promise<void>((r) => (third = r));
    const feed = startDemoFeed(db, {
      now: () => clock,
      sleep: async (ms, signal) => {
        if (rounds.length >= 3) await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
        clock += ms;
      },
      onRound: (r) => {
        rounds.push(r);
        if (rounds.length === 3) third();
      },
    });
    await thirdRound;
    assert.equal(demoFeedStatus()?.simulated, true);
    await feed.stop();
    assert.equal(demoFeedStatus(), null);
    assert.deepEqual(
      rounds.map((r) => r.written['1m'] ?? 0),
      [0, 2, 2],
      'nothing due at first (caught up), then one minute per asset per round',
    );
    const [last] = await latestCandles(db, { assetId: acme, interval: '1m', limit: 1 });
    assert.equal(last.ts.getTime(), DAY0 + 15 * HOUR + MIN);
    const [hour] = await latestCandles(db, { assetId: acme, interval: '1h', limit: 1 });
    assert.equal(hour.ts.getTime(), DAY0 + 15 * HOUR);
    assert.equal(hour.close, last.close);
  });

  test('a long absence catches up only the bounded stretch', async () => {
    const now = DAY0 + 10 * 86_400_000;
    const r = await feedDemo(db, now, { catchUpMs: 2 * HOUR });
    assert.equal(r.written['1m'], 2 * 120);
    const b = await seriesBounds(db, acme, '1m');
    assert.equal(b?.last_ts.getTime(), now - MIN);
  });

  test('off with TM_DEMO_FEED=0, and when a market data source is configured', async () => {
    assert.equal(await demoFeedBlocked(db, {}), null);
    assert.equal(await demoFeedBlocked(db, { TM_DEMO_FEED: '0' }), 'TM_DEMO_FEED=0');
    await upsertSource(db, { asset_id: acme, provider: 'binance', market: 'ACMEUSDT', intervals: ['1m'] });
    assert.match((await demoFeedBlocked(db, {})) ?? '', /market data source/);
    // A running feed stops by itself once a source is configured.
    const lines: string[] = [];
    const feed = startDemoFeed(db, { log: (l) => lines.push(l), sleep: async () => undefined });
    await feed.done;
    assert.match(lines.join('\n'), /SIMULATED/);
    assert.match(lines.join('\n'), /stopped: a market data source is configured/);
  });
});
