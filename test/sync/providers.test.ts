/**
 * Each provider against a local server answering in its documented format: pages, the unfinished
 * last candle, empty ranges, 429 + Retry-After, 5xx, malformed JSON, rows out of order, unknown symbols.
 * Waits go through an injected sleep that records them (no test waits for real time).
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fakeProviderEnv,
  listOneMarketEach,
  providerRejection as rejection,
  resetFakeMarkets,
  startFakeMarkets,
  type FakeMarkets,
} from '../helpers/fake-markets.ts';
import { createProvider as create, type ProviderDeps } from '../../src/sync/providers/index.ts';
import type { ProviderName } from '../../src/sync/providers/provider.ts';
import { backoffMs, retryAfterMs } from '../../src/sync/providers/http.ts';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const MIN = 60_000;
let fake: FakeMarkets;
let env: NodeJS.ProcessEnv;
/** Every wait a provider asked for (ms); the injected sleep returns at once. */
let slept: number[] = [];
const deps: ProviderDeps = {
  sleep: async (ms) => {
    slept.push(ms);
  },
};
const createProvider = (name: ProviderName, e: NodeJS.ProcessEnv = env) => create(name, e, deps);

before(async () => {
  fake = await startFakeMarkets();
  // Coinbase's base URL with a trailing slash; Polygon paced as on its free plan (the injected sleep records it).
  env = fakeProviderEnv(fake, { TM_COINBASE_URL: `${fake.url}/`, TM_POLYGON_MIN_GAP_MS: undefined });
});
after(() => fake.close());
beforeEach(() => {
  slept = [];
  resetFakeMarkets(fake, () => T0 + 10 * 24 * 3_600_000);
  listOneMarketEach(fake, T0);
});

describe('binance klines', () => {
  test('a full page is 1000 rows and covers 1000 buckets', async () => {
    const p = createProvider('binance', env);
    const page = await p.fetchPage({ market: 'BTCUSDT', interval: '1m', from: T0, to: T0 + 5000 * MIN });
    assert.equal(page.candles.length, 1000);
    assert.equal(page.coveredTo, T0 + 1000 * MIN);
    assert.deepEqual([page.candles[0].ts, page.candles[999].ts], [T0, T0 + 999 * MIN]);
    assert.equal(fake.requests[0].path, '/api/v3/time', "Binance's clock first");
    const q = fake.requests[1].query;
    assert.deepEqual(
      [q.get('startTime'), q.get('endTime'), q.get('limit')],
      [String(T0), String(T0 + 1000 * MIN - 1), '1000'],
    );
  });

  test('an empty range is an empty page that still covers its window', async () => {
    fake.markets.set('BTCUSDT', { listedFrom: T0 + 100 * MIN });
    const page = await createProvider('binance', env).fetchPage({
      market: 'BTCUSDT',
      interval: '1m',
      from: T0,
      to: T0 + 50 * MIN,
    });
    assert.deepEqual([page.candles.length, page.coveredTo], [0, T0 + 50 * MIN]);
  });

  test('an unknown symbol is named, not retried', async () => {
    const err = await rejection(
      createProvider('binance', env).fetchPage({ market: 'NOPE', interval: '1m', from: T0, to: T0 + MIN }),
    );
    assert.equal(err.kind, 'unknown_symbol');
    assert.match(err.message, /Binance does not list the symbol "NOPE"/);
    assert.equal(fake.requests.filter((r) => r.path === '/api/v3/klines').length, 1);
  });

  test('429 waits its Retry-After, then succeeds', async () => {
    const p = createProvider('binance', env);
    await p.fetchPage({ market: 'BTCUSDT', interval: '1h', from: T0, to: T0 + 60 * MIN }); // reads the clock
    fake.requests.length = 0;
    fake.script.push({
      status: 429,
      headers: { 'retry-after': '1' },
      body: '{"code":-1003,"msg":"Too many requests"}',
    });
    const page = await p.fetchPage({ market: 'BTCUSDT', interval: '1h', from: T0, to: T0 + 10 * 60 * MIN });
    // The wait runs to the instant the 429 named (Retry-After from its arrival), so the milliseconds
    // spent since then on a busy machine are already off it.
    assert.ok(
      slept.some((ms) => ms >= 900),
      `waited for the second Retry-After names: ${slept}`,
    );
    assert.equal(page.candles.length, 10);
    assert.equal(fake.requests.length, 2);
  });

  test('5xx and malformed JSON are retried; when they persist the error says so', async () => {
    fake.script.push({ status: 200, body: `{"serverTime":${fake.now()}}` });
    fake.script.push({ status: 502, body: 'bad gateway' }, { status: 200, body: '[[1704067200000,"1"' });
    const ok = await createProvider('binance', env).fetchPage({
      market: 'BTCUSDT',
      interval: '1h',
      from: T0,
      to: T0 + 3 * 60 * MIN,
    });
    assert.equal(ok.candles.length, 3);
    assert.equal(fake.requests.length, 4);
    fake.script.push({ status: 200, body: `{"serverTime":${fake.now()}}` });
    fake.script.push(...Array.from({ length: 3 }, () => ({ status: 503, body: '' })));
    const err = await rejection(
      createProvider('binance', env).fetchPage({ market: 'BTCUSDT', interval: '1h', from: T0, to: T0 + 60 * MIN }),
    );
    assert.equal(err.kind, 'server');
    assert.match(err.message, /server error 503/);
    fake.script.push({ status: 200, body: `{"serverTime":${fake.now()}}` });
    fake.script.push(...Array.from({ length: 3 }, () => ({ status: 200, body: '{not json' })));
    assert.equal(
      (
        await rejection(
          createProvider('binance', env).fetchPage({ market: 'BTCUSDT', interval: '1h', from: T0, to: T0 + 60 * MIN }),
        )
      ).kind,
      'malformed',
    );
  });

  test('418 is a ban: not retried, says when to come back', async () => {
    fake.script.push({ status: 200, body: `{"serverTime":${fake.now()}}` });
    fake.script.push({ status: 418, headers: { 'retry-after': '120' }, body: '{"code":-1003,"msg":"banned"}' });
    const err = await rejection(
      createProvider('binance', env).fetchPage({ market: 'BTCUSDT', interval: '1m', from: T0, to: T0 + MIN }),
    );
    assert.equal(err.kind, 'banned');
    assert.match(err.message, /retry after 120 s/);
    assert.equal(fake.requests.length, 2);
  });

  test('the unfinished current candle is in the answer, and the page says where closed bars end', async () => {
    fake.now = () => T0 + 30 * MIN + 5_000;
    const page = await createProvider('binance', env).fetchPage({
      market: 'BTCUSDT',
      interval: '1m',
      from: T0,
      to: T0 + 60 * MIN,
    });
    assert.equal(page.candles.at(-1)?.ts, T0 + 30 * MIN);
    assert.equal(page.finalTo, T0 + 30 * MIN);
  });
});

describe('coinbase candles', () => {
  test('newest-first rows of [time, low, high, open, close, volume], at most 300 buckets a request', async () => {
    const p = createProvider('coinbase', env);
    const page = await p.fetchPage({ market: 'BTC-USD', interval: '1m', from: T0, to: T0 + 1000 * MIN });
    assert.equal(page.candles.length, 300);
    assert.equal(page.coveredTo, T0 + 300 * MIN);
    assert.equal(page.candles[0].ts, T0 + 299 * MIN, 'newest first as sent');
    const c = page.candles.at(-1);
    assert.ok(c && Number(c.low) <= Number(c.open) && Number(c.high) >= Number(c.close));
    assert.equal(fake.requests[0].query.get('granularity'), '60');
  });

  test('an unknown product is named; 30m is not a Coinbase granularity', async () => {
    const err = await rejection(
      createProvider('coinbase', env).fetchPage({ market: 'NOPE-USD', interval: '1m', from: T0, to: T0 + MIN }),
    );
    assert.equal(err.kind, 'unknown_symbol');
    assert.deepEqual(createProvider('coinbase', env).intervals, ['1m', '5m', '15m', '1h', '1d']);
  });
});

describe('kraken OHLC', () => {
  test('the latest 720 rows only, the last one unfinished; older history is marked unavailable', async () => {
    const now = T0 + 5 * 24 * 3_600_000 + 30_000;
    fake.now = () => now;
    const page = await createProvider('kraken', env).fetchPage({ market: 'XBTUSD', interval: '1m', from: T0, to: now });
    assert.equal(page.candles.length, 720);
    assert.equal(page.candles.at(-1)?.ts, Math.floor(now / MIN) * MIN, 'the unfinished candle comes last');
    assert.equal(page.historyStart, page.candles[0].ts);
    assert.equal(page.candles[0].vwap !== undefined, true);
  });

  test('a recent range: rows after since; unknown pair is a 200 with an error list', async () => {
    const now = T0 + 100 * MIN + 1;
    fake.now = () => now;
    const page = await createProvider('kraken', env).fetchPage({
      market: 'XBTUSD',
      interval: '1m',
      from: T0 + 90 * MIN,
      to: T0 + 100 * MIN,
    });
    assert.deepEqual(
      page.candles.map((c) => (c.ts - T0) / MIN),
      [90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100],
    );
    assert.equal(page.historyStart, undefined);
    const err = await rejection(
      createProvider('kraken', env).fetchPage({ market: 'NOPE', interval: '1m', from: T0, to: now }),
    );
    assert.equal(err.kind, 'unknown_symbol');
  });
});

describe('polygon aggregates', () => {
  test('the key goes in the Authorization header, never the URL; daily bars land on 00:00 UTC', async () => {
    const page = await createProvider('polygon', env).fetchPage({
      market: 'AAPL',
      interval: '1d',
      from: T0,
      to: T0 + 5 * 1440 * MIN,
    });
    assert.deepEqual(
      page.candles.map((c) => new Date(c.ts).toISOString().slice(11)),
      Array(5).fill('00:00:00.000Z'),
    );
    const r = fake.requests[0];
    assert.equal(r.headers.authorization, 'Bearer test-key');
    assert.doesNotMatch(`${r.path}?${r.query}`, /test-key/);
  });

  test('no key, or a refused key, is a configuration error', async () => {
    const none = await rejection(
      createProvider('polygon', { ...env, POLYGON_API_KEY: '' }).fetchPage({
        market: 'AAPL',
        interval: '1m',
        from: T0,
        to: T0 + MIN,
      }),
    );
    assert.equal(none.kind, 'config');
    const bad = await rejection(
      createProvider('polygon', { ...env, POLYGON_API_KEY: 'wrong' }).fetchPage({
        market: 'AAPL',
        interval: '1m',
        from: T0,
        to: T0 + MIN,
      }),
    );
    assert.equal(bad.kind, 'config');
    assert.doesNotMatch(bad.message, /wrong/);
  });
});

test('backoff grows exponentially with jitter; Retry-After reads seconds and dates', () => {
  const policy = { attempts: 5, baseMs: 100, maxMs: 1000 };
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((i) => backoffMs(policy, i, () => 0)),
    [50, 100, 200, 400, 500],
  );
  assert.deepEqual(
    [0, 1, 2].map((i) => backoffMs(policy, i, () => 1)),
    [100, 200, 400],
  );
  assert.equal(retryAfterMs('3'), 3000);
  assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
  assert.equal(retryAfterMs(null), undefined);
});
