/**
 * The ccxt provider: ccxt's okx class, its URLs pointed at a local server answering in OKX's
 * documented format (test/helpers/fake-okx.ts). Pages, the bar still forming, unknown symbols and
 * exchanges, a 429 waited out, an exchange down; then a source synced end to end on both backends.
 * Waits go through an injected sleep that records them.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import { fakeCandle, providerRejection as rejection } from '../helpers/fake-markets.ts';
import { okxAnswers, startFakeOkx, type FakeOkx } from '../helpers/fake-okx.ts';
import type { Database } from '../../src/db/types.ts';
import { createProvider, type ProviderDeps } from '../../src/sync/providers/index.ts';
import { ProviderError } from '../../src/sync/providers/provider.ts';
import { rebase } from '../../src/sync/providers/ccxt.ts';
import { addSource, removeSources, sourceFor } from '../../src/sync/sources.ts';
import { startSyncScheduler } from '../../src/sync/scheduler.ts';
import { bucketStart } from '../../src/intervals.ts';
import { syncRange, NO_CANDLE } from '../../src/sync/engine.ts';
import { listGaps } from '../../src/sync/gaps-repository.ts';
import { syncStatus } from '../../src/sync/status.ts';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const MIN = 60_000;
const H = 60 * MIN;
let fake: FakeOkx;
let env: NodeJS.ProcessEnv;
let slept: number[] = [];
const deps: ProviderDeps = {
  sleep: async (ms) => {
    slept.push(ms);
  },
};
const okx = () => createProvider('ccxt:okx', env, deps);
const candleRequests = () => fake.requests.filter((r) => r.path.includes('candles'));

before(async () => {
  fake = await startFakeOkx();
  env = { TM_CCXT_OKX_URL: fake.url, TM_SYNC_RETRY_BASE_MS: '5', TM_SYNC_RETRIES: '3' };
});
after(() => fake.close());
beforeEach(() => {
  slept = [];
  fake.requests.length = 0;
  fake.script.length = 0;
  fake.markets.clear();
  fake.markets.set('BTC-USDT', { listedFrom: T0 });
  fake.now = () => T0 + 10 * 24 * H;
});

describe('ccxt provider (okx class against an OKX stand-in)', () => {
  test('the exchange URLs are rebased on the given host, paths kept', () => {
    assert.deepEqual(rebase({ public: 'https://api.binance.com/api/v3', rest: 'https://{hostname}' }, 'http://h:1'), {
      public: 'http://h:1/api/v3',
      rest: 'http://h:1',
    });
  });

  test("intervals and page size come from ccxt's okx class; a full page covers its window", async () => {
    const p = okx();
    await p.ready?.();
    assert.deepEqual(p.intervals, ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w', '1M']);
    assert.equal(p.pageBuckets('1m'), 300, "ccxt's features: okx serves 300 candles a request");
    const page = await p.fetchPage({ market: 'BTC/USDT', interval: '1m', from: T0, to: T0 + 1000 * MIN });
    assert.equal(page.candles.length, 300);
    assert.equal(page.coveredTo, T0 + 300 * MIN);
    const first = page.candles.find((c) => c.ts === T0);
    const want = fakeCandle('1m', T0);
    assert.deepEqual(
      [first?.open, first?.high, first?.low, first?.close, first?.volume],
      [want.open, want.high, want.low, want.close, want.volume],
    );
    const q = candleRequests()[0].query;
    assert.deepEqual([q.get('instId'), q.get('bar'), q.get('limit')], ['BTC-USDT', '1m', '300']);
  });

  test('fewer bars than asked cover only up to the last one; an empty window is covered whole', async () => {
    const p = okx();
    fake.markets.set('BTC-USDT', { listedFrom: T0, missing: (t) => t >= T0 + 100 * MIN && t < T0 + 400 * MIN });
    const a = await p.fetchPage({ market: 'BTC/USDT', interval: '1m', from: T0, to: T0 + 1000 * MIN });
    assert.deepEqual([a.candles.length, a.coveredTo], [100, T0 + 100 * MIN]);
    const b = await p.fetchPage({ market: 'BTC/USDT', interval: '1m', from: a.coveredTo, to: T0 + 1000 * MIN });
    assert.deepEqual([b.candles.length, b.coveredTo], [0, T0 + 400 * MIN]);
  });

  test("the bar still forming on the exchange's clock (its Date header) is not final until the next has begun + 30 s", async () => {
    const now = T0 + 50 * MIN + 20_000; // 20 s into the 51st bar
    fake.now = () => now;
    const page = await okx().fetchPage({ market: 'BTC/USDT', interval: '1m', from: T0, to: T0 + 60 * MIN });
    assert.ok(
      page.candles.some((c) => c.ts === T0 + 50 * MIN),
      'the forming bar was sent',
    );
    // 49 ended 20 s ago (< 30 s grace): not final either.
    assert.equal(page.finalTo, T0 + 49 * MIN);
  });

  test('an unknown symbol is named and not retried; no candles are asked for', async () => {
    const err = await rejection(okx().fetchPage({ market: 'NOPE/USDT', interval: '1m', from: T0, to: T0 + MIN }));
    assert.equal(err.kind, 'unknown_symbol');
    assert.match(err.message, /okx does not list the symbol "NOPE\/USDT"/);
    assert.equal(candleRequests().length, 0);
    assert.deepEqual(slept, []);
  });

  test("the exchange's market list is loaded once, and again after an hour (a new listing appears without a restart)", async () => {
    let clock = T0;
    const p = createProvider('ccxt:okx', env, { ...deps, now: () => clock });
    await p.fetchPage({ market: 'BTC/USDT', interval: '1h', from: T0, to: T0 + H });
    fake.markets.set('SOL-USDT', { listedFrom: T0 });
    const before = await rejection(p.fetchPage({ market: 'SOL/USDT', interval: '1h', from: T0, to: T0 + H }));
    assert.equal(before.kind, 'unknown_symbol');
    const lists = () => fake.requests.filter((r) => r.query.get('instType') === 'SPOT').length;
    assert.equal(lists(), 1, 'markets loaded once');
    clock += 61 * MIN;
    const page = await p.fetchPage({ market: 'SOL/USDT', interval: '1h', from: T0, to: T0 + H });
    assert.equal(page.candles.length, 1);
    assert.equal(lists(), 2);
  });

  test('429 (OKX code 50011) waits its Retry-After, then succeeds', async () => {
    fake.script.push(okxAnswers.tooManyRequests(2));
    const page = await okx().fetchPage({ market: 'BTC/USDT', interval: '1h', from: T0, to: T0 + 10 * H });
    assert.equal(page.candles.length, 10);
    assert.equal(candleRequests().length, 2);
    assert.equal(slept.length, 1);
    assert.ok(slept[0] >= 1900, `waited ${slept[0]} ms for Retry-After: 2`);
  });

  test('429 every time gives up after TM_SYNC_RETRIES as rate limited', async () => {
    for (let i = 0; i < 5; i++) fake.script.push(okxAnswers.tooManyRequests());
    const err = await rejection(okx().fetchPage({ market: 'BTC/USDT', interval: '1h', from: T0, to: T0 + H }));
    assert.equal(err.kind, 'rate_limited');
    assert.equal(candleRequests().length, 3);
  });

  test('an exchange down (503) is transient: retried, then reported as such', async () => {
    for (let i = 0; i < 3; i++) fake.script.push({ status: 503, body: 'Service Unavailable' });
    const err = await rejection(okx().fetchPage({ market: 'BTC/USDT', interval: '1h', from: T0, to: T0 + H }));
    assert.equal(err.kind, 'server');
    assert.ok(err.transient);
    assert.equal(candleRequests().length, 3);
  });

  test('an error that echoes a credential or header from TM_CCXT_<ID>_CONFIG shows it as [redacted]', async () => {
    const key = 'k3y-0123456789abcdef';
    const cfg = JSON.stringify({ apiKey: key, headers: { Authorization: 'Bearer tmr_sekrit-token-value' } });
    fake.script.push({
      status: 400,
      body: JSON.stringify({ code: '50113', msg: `Invalid sign for ${key} and tmr_sekrit-token-value` }),
    });
    const p = createProvider('ccxt:okx', { ...env, TM_CCXT_OKX_CONFIG: cfg }, deps);
    const err = await rejection(p.fetchPage({ market: 'BTC/USDT', interval: '1h', from: T0, to: T0 + H }));
    assert.equal(err.kind, 'rejected');
    assert.ok(!err.message.includes(key) && !err.message.includes('sekrit'), err.message);
    assert.match(err.message, /\[redacted\]/);
  });

  test('a host that refuses connections is a network error', async () => {
    const p = createProvider('ccxt:okx', { ...env, TM_CCXT_OKX_URL: 'http://127.0.0.1:9' }, deps);
    const err = await rejection(p.fetchPage({ market: 'BTC/USDT', interval: '1h', from: T0, to: T0 + H }));
    assert.equal(err.kind, 'network');
  });

  test('an exchange ccxt does not know, or a bad config, is the user’s error', async () => {
    await assert.rejects(
      createProvider('ccxt:nosuchex', env).ready?.() ?? Promise.resolve(),
      /ccxt has no exchange "nosuchex"/,
    );
    assert.throws(() => createProvider('ccxt:okx', { TM_CCXT_OKX_CONFIG: '{' }), /TM_CCXT_OKX_CONFIG is not JSON/);
  });
});

async function stored(db: Database, symbol: string, interval: string) {
  const r = await db.query<{ ts: Date; open: number; high: number; low: number; close: number; volume: number }>(
    `SELECT c.ts, c.open::float8 AS open, c.high::float8 AS high, c.low::float8 AS low, c.close::float8 AS close,
            c.volume::float8 AS volume
       FROM candles c JOIN assets a ON a.id = c.asset_id WHERE a.symbol = $1 AND c."interval" = $2 ORDER BY c.ts`,
    [symbol, interval],
  );
  return r.rows;
}

forEachBackend('ccxt source sync', (open) => {
  let db: Database;
  before(async () => {
    db = await open();
  });
  after(() => db.close());

  test('tm sources add BTCUSDT:okx --provider ccxt:okx --symbol BTC/USDT; refused intervals and exchanges', async () => {
    const s = await addSource(db, {
      asset: 'BTCUSDT:okx',
      provider: 'ccxt:okx',
      market: 'BTC/USDT',
      intervals: ['1m,1h'],
    });
    assert.deepEqual(
      [s.asset, s.provider, s.market, s.intervals],
      ['BTCUSDT:OKX', 'ccxt:okx', 'BTC/USDT', ['1m', '1h']],
    );
    await assert.rejects(
      addSource(db, { asset: 'XBTUSD:KRAKEN', provider: 'ccxt:kraken', market: 'BTC/USD', intervals: ['1M'] }),
      /ccxt:kraken does not serve 1M candles \(it serves 1m, 5m, 15m, 30m, 1h, 4h, 1d, 1w\)/,
    );
    await assert.rejects(
      addSource(db, { asset: 'X:Y', provider: 'ccxt:nosuchex', intervals: ['1m'] }),
      /ccxt has no exchange "nosuchex"/,
    );
    await assert.rejects(addSource(db, { asset: 'X:Y', provider: 'ccxt:', intervals: ['1m'] }), /or ccxt:EXCHANGE/);
    assert.equal((await db.query(`SELECT 1 FROM assets WHERE symbol IN ('XBTUSD', 'X')`)).rows.length, 0);
  });

  test('a backfill through ccxt stores exactly the closed bars, records gaps, survives a 429; a rerun asks nothing', async () => {
    const missing = new Set([T0 + 10 * MIN, T0 + 11 * MIN, T0 + 500 * MIN]);
    fake.markets.set('ETH-USDT', { listedFrom: T0, missing: (t) => missing.has(t) });
    const now = T0 + 700 * MIN + 45_000;
    fake.now = () => now;
    await addSource(db, { asset: 'ETHUSDT:OKX', provider: 'ccxt:okx', market: 'ETH/USDT', intervals: ['1m', '1h'] });
    const source = await sourceFor(db, 'ETHUSDT:OKX');
    const p = okx();
    fake.script.push(okxAnswers.tooManyRequests(1));
    const r = await syncRange(db, p, source, '1m', T0, undefined, { now: () => now });
    assert.ok(
      slept.some((ms) => ms >= 900),
      'the 429 was waited out',
    );
    // Bars 0..699 are closed (699 ended 45 s ago, past the 30 s grace); 700 is forming.
    const rows = await stored(db, 'ETHUSDT', '1m');
    assert.equal(rows.length, 700 - missing.size);
    assert.equal(r.inserted, rows.length);
    assert.equal(rows.at(-1)?.ts.getTime(), T0 + 699 * MIN);
    for (const row of [rows[0], rows[300], rows.at(-1)]) {
      const want = fakeCandle('1m', row?.ts.getTime() ?? 0);
      assert.deepEqual(
        [row?.open, row?.high, row?.low, row?.close, row?.volume],
        [want.open, want.high, want.low, want.close, want.volume],
      );
    }
    const gaps = await listGaps(db, { sourceIds: [source.id], interval: '1m' });
    assert.deepEqual(
      gaps.map((g) => [new Date(g.from_ts).getTime(), new Date(g.to_ts).getTime(), g.reason]),
      [
        [T0 + 10 * MIN, T0 + 12 * MIN, NO_CANDLE],
        [T0 + 500 * MIN, T0 + 501 * MIN, NO_CANDLE],
      ],
    );
    const asked = candleRequests().length;
    const again = await syncRange(db, p, source, '1m', T0, T0 + 700 * MIN, { now: () => now });
    assert.deepEqual([again.requests, candleRequests().length], [0, asked]);
  });

  test('an unknown symbol fails the sync with a named error in the status, nothing stored', async () => {
    await addSource(db, { asset: 'NOPE:OKX', provider: 'ccxt:okx', market: 'NOPE/USDT', intervals: ['1h'] });
    const source = await sourceFor(db, 'NOPE:OKX');
    const err = await rejection(syncRange(db, okx(), source, '1h', T0, T0 + 5 * H, { now: () => fake.now() }));
    assert.ok(err instanceof ProviderError);
    assert.equal(err.kind, 'unknown_symbol');
    const st = (await syncStatus(db)).find((s) => s.asset === 'NOPE:OKX');
    assert.equal(st?.state, 'error');
    assert.match(st?.last_error ?? '', /okx does not list the symbol "NOPE\/USDT"/);
    assert.equal((await stored(db, 'NOPE', '1h')).length, 0);
  });

  test('tm serve keeps a ccxt source current: its first round takes the latest page of closed bars', async () => {
    for (const a of ['BTCUSDT:OKX', 'ETHUSDT:OKX', 'NOPE:OKX']) await removeSources(db, a);
    fake.now = () => Date.now();
    const open = bucketStart('1h', Date.now());
    fake.markets.set('LIVE-USDT', { listedFrom: open - 400 * H });
    await addSource(db, { asset: 'LIVEUSDT:OKX', provider: 'ccxt:okx', market: 'LIVE/USDT', intervals: ['1h'] });
    const logs: string[] = [];
    const sched = startSyncScheduler(db, {
      env: { ...env, TM_SYNC_GRACE_MS: '0' },
      tickMs: 3_600_000,
      graceMs: 0,
      log: (l) => logs.push(l),
    });
    try {
      await sched.tick();
    } finally {
      await sched.stop();
    }
    // OKX serves 300 bars a request (ccxt's features): the scheduler sized its first page by it.
    assert.match(logs.join('\n'), /sync: LIVEUSDT:OKX 1h from ccxt:okx: 300 new, 0 updated candle\(s\)/);
    const rows = await stored(db, 'LIVEUSDT', '1h');
    assert.equal(rows.length, 300);
    assert.ok((rows.at(-1)?.ts.getTime() ?? 0) >= open - H, 'up to the last closed hour');
  });
});
