/**
 * Backfill and live sync into a real database (both backends) from the local provider server:
 * exact counts, no duplicates, gaps recorded and retried, the open candle never stored, resumable
 * after a failure mid-way, alerts following synced candles, a failing provider in the status.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import {
  answers,
  fakeCandle,
  fakeProviderEnv,
  resetFakeMarkets,
  startFakeMarkets,
  type FakeMarkets,
} from '../helpers/fake-markets.ts';
import type { Database } from '../../src/db/types.ts';
import { createProvider } from '../../src/sync/providers/index.ts';
import { addSource, removeSources, sourceFor } from '../../src/sync/sources.ts';
import { retryRanges, syncRange, NO_BARS, NO_CANDLE, BEYOND_HISTORY } from '../../src/sync/engine.ts';
import { coveredRanges } from '../../src/sync/state-repository.ts';
import { gapsToRetry, listGaps } from '../../src/sync/gaps-repository.ts';
import { syncHealth, syncStatus } from '../../src/sync/status.ts';
import { startSyncScheduler } from '../../src/sync/scheduler.ts';
import { createUser } from '../../src/accounts/users.ts';
import { createWatchlist } from '../../src/accounts/watchlists.ts';
import { addItem } from '../../src/accounts/watchlist-items.ts';
import { evaluateAlerts } from '../../src/accounts/alerts.ts';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const MIN = 60_000;
const H_MS = 60 * MIN;
const DAY_MS = 24 * H_MS;

let fake: FakeMarkets;
let env: NodeJS.ProcessEnv;
before(async () => {
  fake = await startFakeMarkets();
  env = fakeProviderEnv(fake);
});
after(() => fake.close());
beforeEach(() => resetFakeMarkets(fake));

async function counts(db: Database, symbol: string, interval = '1m') {
  const r = await db.query<{ n: number; d: number; lo: Date | null; hi: Date | null }>(
    `SELECT count(*)::int AS n, count(DISTINCT c.ts)::int AS d, min(c.ts) AS lo, max(c.ts) AS hi
       FROM candles c JOIN assets a ON a.id = c.asset_id WHERE a.symbol = $1 AND c."interval" = $2`,
    [symbol, interval],
  );
  return r.rows[0];
}

forEachBackend('market data sync', (open) => {
  let db: Database;
  before(async () => {
    db = await open();
  });
  after(() => db.close());

  test('sources add creates the asset on the provider exchange; list and remove', async () => {
    fake.markets.set('ETHUSDT', { listedFrom: T0 });
    const s = await addSource(db, { asset: 'ethusdt', provider: 'binance', intervals: ['1m,1h', '1d'] });
    assert.deepEqual(
      [s.asset, s.market, s.intervals, s.created_asset],
      ['ETHUSDT:BINANCE', 'ETHUSDT', ['1m', '1h', '1d'], true],
    );
    const a = await db.query<{ asset_type: string }>(`SELECT asset_type FROM assets WHERE symbol = 'ETHUSDT'`);
    assert.equal(a.rows[0].asset_type, 'crypto');
    await assert.rejects(
      addSource(db, { asset: 'ETH-USD', provider: 'coinbase', intervals: ['4h'] }),
      /coinbase does not serve 4h candles \(it serves 1m, 5m, 15m, 1h, 1d\)/,
    );
    await assert.rejects(
      addSource(db, { asset: 'X', provider: 'nyse', intervals: ['1d'] }),
      /provider "nyse" is not one of binance, coinbase, kraken, polygon/,
    );
    assert.equal(
      (await db.query(`SELECT 1 FROM assets WHERE symbol IN ('ETH-USD', 'X')`)).rows.length,
      0,
      'nothing half-written',
    );
    const removed = await removeSources(db, 'ETHUSDT', 'binance');
    assert.equal(removed.length, 1);
    await assert.rejects(sourceFor(db, 'ETHUSDT'), /has no sync source/);
  });

  test('backfill over pages: out-of-order and repeated rows, no-trade buckets recorded as gaps, open candle never stored; a rerun asks nothing', async () => {
    // 999 and 1000 straddle the first page boundary: one gap.
    const missing = new Set([T0 + 999 * MIN, T0 + 1000 * MIN, T0 + 2999 * MIN]);
    fake.markets.set('GAPUSDT', { listedFrom: T0, missing: (t) => missing.has(t) });
    fake.disorder = true;
    const now = T0 + 3000 * MIN + 20_000; // bucket 3000 is open
    fake.now = () => now;
    const source = await addSource(db, { asset: 'GAPUSDT', provider: 'binance', intervals: ['1m'] });
    const p = createProvider('binance', env);
    const r = await syncRange(db, p, source, '1m', T0, undefined, { now: () => now, batchCandles: 1000 });
    assert.equal(r.requests, 3);
    assert.deepEqual([r.inserted, r.updated, r.gaps], [2997, 0, 2]);
    const c = await counts(db, 'GAPUSDT');
    assert.deepEqual([c.n, c.d, c.hi?.getTime()], [2997, 2997, T0 + 2998 * MIN], 'the open bucket 3000 is not stored');
    const gaps = await listGaps(db, { sourceIds: [source.id] });
    assert.deepEqual(
      gaps.map((g) => [(g.from_ts.getTime() - T0) / MIN, (g.to_ts.getTime() - T0) / MIN, g.reason]),
      [
        [999, 1001, NO_CANDLE],
        [2999, 3000, NO_CANDLE],
      ],
    );
    await assert.rejects(
      syncRange(db, p, source, '1h', T0, T0 + 3000 * MIN, { now: () => now }),
      /GAPUSDT:BINANCE syncs 1m from binance, not 1h: add it with "tm sources add GAPUSDT:BINANCE --provider binance --intervals 1m,1h"/,
    );
    fake.requests.length = 0;
    const again = await syncRange(db, p, source, '1m', T0, T0 + 3000 * MIN, { now: () => now });
    assert.deepEqual([again.requests, fake.requests.length], [0, 0], 'a range already synced costs no request');

    // Gaps due for a retry: checked longer ago than the retry period. Still missing: one more attempt each.
    assert.deepEqual(await gapsToRetry(db, source.id, '1m', 5, 600_000), [], 'just checked');
    await db.query(`UPDATE sync_gaps SET checked_at = now() - interval '1 hour' WHERE source_id = $1`, [source.id]);
    const due = await gapsToRetry(db, source.id, '1m', 5, 600_000);
    assert.deepEqual(
      due,
      gaps.map((g) => ({ from: g.from_ts.getTime(), to: g.to_ts.getTime() })),
    );
    await retryRanges(db, p, source, '1m', due);
    assert.deepEqual(
      (await listGaps(db, { sourceIds: [source.id] })).map((g) => g.attempts),
      [2, 2],
    );
    // The provider later has the missing candles: retrying stores them and the gaps go.
    missing.clear();
    const retried = await retryRanges(db, p, source, '1m', due);
    assert.equal(retried.inserted, 3);
    assert.equal((await listGaps(db, { sourceIds: [source.id] })).length, 0);
    assert.equal((await counts(db, 'GAPUSDT')).n, 3000);
  });

  test('100,000 1m candles over 100 pages: exact count, no duplicates; a failure mid-way resumes from the last committed batch', async () => {
    fake.markets.set('BIGUSDT', { listedFrom: T0 });
    const to = T0 + 100_000 * MIN;
    fake.now = () => to + 5_000;
    const source = await addSource(db, { asset: 'BIGUSDT', provider: 'binance', intervals: ['1m'] });
    const p = createProvider('binance', env);
    // Page 43 fails for good (more 5xx than retries): batches of 10 pages before it are committed.
    let n = 0;
    fake.onRequest = () => {
      if (++n === 43) fake.script.push(...Array.from({ length: 3 }, () => ({ status: 500, body: 'oops' })));
    };
    await assert.rejects(syncRange(db, p, source, '1m', T0, to, { batchCandles: 10_000 }), /server error 500/);
    const part = await counts(db, 'BIGUSDT');
    assert.equal(part.n, 40_000, 'four whole batches committed');
    const st = (await syncStatus(db)).find((s) => s.asset === 'BIGUSDT:BINANCE');
    assert.deepEqual([st?.state, st?.failures], ['error', 1]);
    assert.match(st?.last_error ?? '', /server error 500/);

    fake.onRequest = undefined;
    fake.requests.length = 0;
    const r = await syncRange(db, p, source, '1m', T0, to, { batchCandles: 10_000 });
    assert.equal(r.requests, 60, 'only the pages not committed are fetched again');
    assert.equal(Number(fake.requests[0].query.get('startTime')), T0 + 40_000 * MIN);
    const c = await counts(db, 'BIGUSDT');
    assert.deepEqual([c.n, c.d, c.lo?.getTime(), c.hi?.getTime()], [100_000, 100_000, T0, to - MIN]);
    const cov = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sync_coverage WHERE source_id = $1`, [
      source.id,
    ]);
    assert.equal(cov.rows[0].n, 1, 'coverage merged into one range');
    const st2 = (await syncStatus(db)).find((s) => s.asset === 'BIGUSDT:BINANCE');
    assert.deepEqual([st2?.state, st2?.failures, st2?.last_candle?.getTime()], ['ok', 0, to - MIN]);
  });

  test('a provider candle that fails validation writes nothing of its batch and shows in the status', async () => {
    fake.markets.set('BAD-USD', { listedFrom: T0 });
    const source = await addSource(db, { asset: 'BAD-USD', provider: 'coinbase', intervals: ['1h'] });
    // [time, low, high, open, close, volume] with low above high.
    fake.script.push({
      status: 200,
      body: JSON.stringify([
        [T0 / 1000 + 3600, 10, 12, 11, 11, 1],
        [T0 / 1000, 13, 12, 12, 12, 1],
      ]),
    });
    await assert.rejects(
      syncRange(db, createProvider('coinbase', env), source, '1h', T0, T0 + 2 * 3_600_000),
      /low_le_high/,
    );
    assert.equal((await counts(db, 'BAD-USD', '1h')).n, 0);
    assert.equal((await syncStatus(db)).find((s) => s.asset === 'BAD-USD:COINBASE')?.state, 'error');
  });

  test('a row with open time "abc" fails its batch naming the row: nothing stored, no gap recorded', async () => {
    fake.markets.set('ABCUSDT', { listedFrom: T0 });
    fake.now = () => T0 + 2 * DAY_MS;
    const source = await addSource(db, { asset: 'ABCUSDT', provider: 'binance', intervals: ['1h'] });
    const good = (i: number) => [
      T0 + i * H_MS,
      '1',
      '2',
      '0.5',
      '1.5',
      '10',
      T0 + (i + 1) * H_MS - 1,
      '15',
      3,
      '1',
      '1',
      '0',
    ];
    fake.script.push({ status: 200, body: `{"serverTime":${fake.now()}}` });
    fake.script.push({ status: 200, body: JSON.stringify([good(0), ['abc', ...good(1).slice(1)], good(2)]) });
    await assert.rejects(
      syncRange(db, createProvider('binance', env), source, '1h', T0, T0 + 3 * H_MS),
      /row 2 of the klines answer: the time is not a whole number/,
    );
    assert.equal((await counts(db, 'ABCUSDT', '1h')).n, 0);
    assert.deepEqual(await listGaps(db, { sourceIds: [source.id] }), []);
    assert.deepEqual(await coveredRanges(db, source.id, '1h', T0, T0 + DAY_MS), []);
  });

  test('a bar still forming at the provider is neither stored nor covered, even when our clock says it closed', async () => {
    fake.markets.set('FORMUSDT', { listedFrom: T0 });
    const providerNow = T0 + 5 * H_MS + 1_000; // Binance: bar 4 closed 1 s ago (inside the grace)
    fake.now = () => providerNow;
    const source = await addSource(db, { asset: 'FORMUSDT', provider: 'binance', intervals: ['1h'] });
    // Our clock runs 10 minutes ahead of Binance's.
    const r = await syncRange(db, createProvider('binance', env), source, '1h', T0, undefined, {
      now: () => providerNow + 10 * MIN,
    });
    assert.equal(r.inserted, 4);
    assert.deepEqual(await coveredRanges(db, source.id, '1h', T0, T0 + DAY_MS), [{ from: T0, to: T0 + 4 * H_MS }]);
    fake.now = () => providerNow + 10 * MIN;
    const again = await syncRange(db, createProvider('binance', env), source, '1h', T0, undefined, {
      now: () => providerNow + 10 * MIN,
    });
    assert.equal(again.inserted, 1, 'the bar is fetched again once final');
  });

  test('polygon after a split: stored history and new bars stay on one basis (unadjusted, as traded)', async () => {
    const splitAt = T0 + 5 * DAY_MS;
    fake.markets.set('SPLT', { listedFrom: T0, split: { at: splitAt, ratio: 4 } });
    const source = await addSource(db, { asset: 'SPLT', provider: 'polygon', intervals: ['1d'] });
    const p = createProvider('polygon', env);
    fake.now = () => T0 + 4 * DAY_MS + 2 * H_MS; // before the split
    await syncRange(db, p, source, '1d', T0, T0 + 3 * DAY_MS);
    fake.now = () => T0 + 10 * DAY_MS; // after it: adjusted answers would now divide the old bars by 4
    await syncRange(db, p, source, '1d', T0 + 3 * DAY_MS, T0 + 8 * DAY_MS);
    assert.ok(fake.requests.every((r) => r.query.get('adjusted') === 'false'));
    const stored = await db.query<{ ts: Date; close: number }>(
      `SELECT c.ts, c.close::float8 AS close FROM candles c JOIN assets a ON a.id = c.asset_id
        WHERE a.symbol = 'SPLT' AND c."interval" = '1d' ORDER BY c.ts`,
    );
    assert.equal(stored.rows.length, 8);
    for (const r of stored.rows)
      assert.equal(r.close, fakeCandle('1d', r.ts.getTime()).close, `${r.ts.toISOString()} on the traded basis`);
  });

  test('polygon: an empty-but-OK answer is a gap asked for again, not covered history without gaps', async () => {
    fake.markets.set('EMPT', { listedFrom: T0 });
    fake.now = () => T0 + 10 * DAY_MS;
    const source = await addSource(db, { asset: 'EMPT', provider: 'polygon', intervals: ['1d'] });
    fake.script.push(answers.polygonEmpty('EMPT'));
    const p = createProvider('polygon', env);
    const r = await syncRange(db, p, source, '1d', T0, T0 + 5 * DAY_MS);
    assert.equal(r.inserted, 0);
    const gaps = await listGaps(db, { sourceIds: [source.id] });
    assert.deepEqual(
      gaps.map((g) => [(g.from_ts.getTime() - T0) / DAY_MS, (g.to_ts.getTime() - T0) / DAY_MS, g.reason]),
      [[0, 5, NO_BARS]],
    );
    const retried = await retryRanges(db, p, source, '1d', [{ from: T0, to: T0 + 5 * DAY_MS }]);
    assert.equal(retried.inserted, 5);
    assert.deepEqual(await listGaps(db, { sourceIds: [source.id] }), []);
  });

  test('kraken: history older than the latest 720 rows is a gap with its reason, not invented candles', async () => {
    fake.markets.set('XBTUSD', { listedFrom: T0 });
    const now = T0 + 1000 * MIN + 10_000; // the bar ending at 1000 min is past Kraken's grace
    fake.now = () => now;
    const source = await addSource(db, { asset: 'XBTUSD', provider: 'kraken', intervals: ['1m'] });
    const r = await syncRange(db, createProvider('kraken', env), source, '1m', T0, undefined, { now: () => now });
    assert.equal(r.requests, 1);
    assert.equal(r.inserted, 719, '720 rows, the last one open');
    const gaps = await listGaps(db, { sourceIds: [source.id] });
    assert.deepEqual(
      gaps.map((g) => [(g.from_ts.getTime() - T0) / MIN, (g.to_ts.getTime() - T0) / MIN, g.reason]),
      [[0, 281, BEYOND_HISTORY]],
    );
  });

  test('synced candles fire price alerts as imported ones do', async () => {
    fake.markets.set('ALRT', { listedFrom: T0 });
    const source = await addSource(db, { asset: 'ALRT', provider: 'polygon', intervals: ['1h'] });
    const p = createProvider('polygon', env);
    const H = 3_600_000;
    assert.equal((await syncRange(db, p, source, '1h', T0, T0 + H)).inserted, 1);
    // A threshold between the first close and a later one: the later sync crosses it.
    const closes = Array.from({ length: 24 }, (_, i) => fakeCandle('1h', T0 + i * H).close);
    const [first, top, bottom] = [closes[0], Math.max(...closes.slice(1)), Math.min(...closes.slice(1))];
    const side = top > first ? { price_alert_high: (first + top) / 2 } : { price_alert_low: (first + bottom) / 2 };
    const user = await createUser(db, { username: 'sync_alerts', email: 'sa@example.com', password: 'correct horse' });
    const list = await createWatchlist(db, user.id, { name: 'w' });
    await addItem(db, user.id, list.id, { asset_id: source.asset_id, ...side });
    assert.deepEqual(await evaluateAlerts(db, [source.asset_id]), [], 'armed at the first close');
    const r = await syncRange(db, p, source, '1h', T0, T0 + 24 * H);
    assert.equal(r.inserted, 23);
    assert.equal(r.gaps, 0, 'stock markets close: missing bars are not gaps');
    assert.ok(r.alerts_fired >= 1, `alerts fired: ${r.alerts_fired}`);
    const writes = await db.query(`SELECT 1 FROM candle_writes WHERE asset_id = $1`, [source.asset_id]);
    assert.ok(writes.rows.length >= 1, 'the analysis write log follows synced candles');
  });

  test('the live scheduler keeps sources current; a failing provider shows in status and health and does not stop the others', async () => {
    const main = db;
    db = await open(); // only this test's sources
    after(() => db.close().finally(() => (db = main)));
    fake.markets.set('LIVEUSDT', { listedFrom: T0 });
    const ok = await addSource(db, { asset: 'LIVEUSDT', provider: 'binance', intervals: ['1m'] });
    await addSource(db, { asset: 'GONE-USD', provider: 'coinbase', intervals: ['1m'] });
    const logs: string[] = [];
    // One clock for the scheduler, its providers and the fake exchange, half way through a minute: at a
    // minute's edge the newest bar may or may not be final yet (999 or 1000 new candles). The providers are
    // this test's own: the process's shared ones measured the exchange's clock in earlier tests.
    const now = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;
    const realNow = fake.now;
    fake.now = () => now;
    const sched = startSyncScheduler(db, {
      env,
      tickMs: 3_600_000,
      graceMs: 0,
      log: (l) => logs.push(l),
      now: () => now,
      provider: (name) => createProvider(name, env, { now: () => now }),
    });
    try {
      await sched.tick();
    } finally {
      await sched.stop();
      fake.now = realNow;
    }
    assert.match(logs.join('\n'), /sync: LIVEUSDT:BINANCE 1m from binance: 1000 new, 0 updated candle\(s\)/);
    assert.match(logs.join('\n'), /sync: GONE-USD:COINBASE 1m from coinbase failed \(1 in a row\)/);
    assert.equal(logs.length, 2, logs.join('\n'));
    const rows = await syncStatus(db);
    const live = rows.find((r) => r.source_id === ok.id);
    assert.equal(live?.state, 'ok');
    assert.ok((live?.lag_seconds ?? 999) < 120, `lag ${live?.lag_seconds}`);
    assert.equal((await counts(db, 'LIVEUSDT')).n, 1000, 'a first sync takes the latest page');
    const gone = rows.find((r) => r.asset === 'GONE-USD:COINBASE');
    assert.equal(gone?.state, 'error');
    assert.match(gone?.last_error ?? '', /Coinbase does not list the product "GONE-USD"/);
    // Two more failures make it "failing": health and doctor say so.
    const src = await sourceFor(db, 'GONE-USD');
    for (let i = 0; i < 2; i++)
      await assert.rejects(syncRange(db, createProvider('coinbase', env), src, '1m', T0, T0 + MIN));
    const h = await syncHealth(db);
    assert.equal(h.status, 'failing');
    assert.deepEqual(
      h.providers.find((p) => p.provider === 'coinbase'),
      {
        provider: 'coinbase',
        markets: 1,
        failing: 1,
        last_error: 'coinbase: Coinbase does not list the product "GONE-USD"',
      },
    );
  });
});
