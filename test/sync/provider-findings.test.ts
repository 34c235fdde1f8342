/**
 * The providers against stand-ins that behave as their documentation says (test/helpers/fake-markets.ts
 * names the source of each fixture): when a bar is final, Polygon's base-aggregate limit and next_url,
 * empty-but-OK answers, plan limits, Kraken's zero-trade rows and throttling, Binance's host, firewall and
 * row shape; and bad answers failing loudly and safely (malformed rows, stalls, huge or secret-bearing text).
 * Waits go through an injected sleep that records them.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  answers,
  fakeProviderEnv,
  listOneMarketEach,
  providerRejection as rejection,
  resetFakeMarkets,
  startFakeMarkets,
  type FakeMarkets,
} from '../helpers/fake-markets.ts';
import { createProvider as create, DEFAULT_URLS } from '../../src/sync/providers/index.ts';
import { ProviderError, type ProviderName } from '../../src/sync/providers/provider.ts';
import { dailyFinalTo, sessionEnd } from '../../src/sync/providers/polygon.ts';
import { providerProblem } from '../../src/api/problem.ts';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;
let fake: FakeMarkets;
let env: NodeJS.ProcessEnv;
let slept: number[] = [];
const createProvider = (name: ProviderName, e: NodeJS.ProcessEnv = env) =>
  create(name, e, { sleep: async (ms) => void slept.push(ms) });

before(async () => {
  fake = await startFakeMarkets();
  env = fakeProviderEnv(fake, { POLYGON_API_KEY: 'test-key-123456' });
});
after(() => fake.close());
beforeEach(() => {
  slept = [];
  resetFakeMarkets(fake, () => T0 + 10 * DAY);
  fake.polygonKey = 'test-key-123456';
  listOneMarketEach(fake, T0);
});

describe('when a bar is final', () => {
  test("binance: by the bar's close time against Binance's clock (/api/v3/time), not ours, plus a grace", async () => {
    fake.now = () => T0 + 30 * MIN + 1_000; // our clock is years later: only Binance's counts
    const page = await createProvider('binance').fetchPage({ market: 'BTCUSDT', interval: '1m', from: T0, to: T0 + H });
    assert.equal(fake.requests[0].path, '/api/v3/time');
    // Bar 29 closed 1 s ago (less than the 2 s grace), bar 30 is open.
    assert.equal(page.finalTo, T0 + 29 * MIN);
  });

  test('kraken: never the last row, whatever `since` asked; on the clock of its Date header', async () => {
    fake.now = () => T0 + 100 * MIN + 30_000;
    const page = await createProvider('kraken').fetchPage({
      market: 'XBTUSD',
      interval: '1m',
      from: T0 + 90 * MIN,
      to: T0 + 200 * MIN,
    });
    assert.equal(page.candles.at(-1)?.ts, T0 + 100 * MIN);
    assert.equal(page.finalTo, T0 + 100 * MIN);
  });

  test("coinbase: the end of the bar a grace period behind Coinbase's Date header", async () => {
    fake.now = () => T0 + 10 * MIN + 10_000;
    const page = await createProvider('coinbase').fetchPage({
      market: 'BTC-USD',
      interval: '1m',
      from: T0,
      to: T0 + H,
    });
    assert.equal(page.finalTo, T0 + 9 * MIN, 'the bar that ended 10 s ago is inside the 30 s grace');
  });

  test('polygon daily: after 20:00 New York time (after-hours included) plus the delay and grace', () => {
    const jan2 = Date.parse('2024-01-02T00:00:00Z');
    assert.equal(sessionEnd(jan2), Date.parse('2024-01-03T01:00:00Z'), '20:00 EST');
    assert.equal(sessionEnd(Date.parse('2024-07-02T00:00:00Z')), Date.parse('2024-07-03T00:00:00Z'), '20:00 EDT');
    // 00:00:02 UTC on Jan 3: Jan 2's session runs until 01:00 UTC, so Jan 2 is still forming.
    assert.equal(dailyFinalTo(Date.parse('2024-01-03T00:00:02Z')), jan2);
    assert.equal(dailyFinalTo(Date.parse('2024-01-03T01:00:00Z')), jan2 + DAY);
  });

  test('polygon: the page applies the delay and grace on its Date-header clock', async () => {
    fake.now = () => Date.parse('2024-01-03T00:00:02Z');
    const page = await createProvider('polygon').fetchPage({
      market: 'AAPL',
      interval: '1d',
      from: T0,
      to: Date.parse('2024-01-04T00:00:00Z'),
    });
    assert.equal(page.finalTo, Date.parse('2024-01-02T00:00:00Z'), 'Jan 2 is not final at 00:00:02 UTC Jan 3');
    fake.now = () => Date.parse('2024-01-03T01:00:00Z') + 15 * MIN + 60_000;
    const later = await createProvider('polygon').fetchPage({
      market: 'AAPL',
      interval: '1d',
      from: T0,
      to: T0 + 5 * DAY,
    });
    assert.equal(later.finalTo, Date.parse('2024-01-03T00:00:00Z'));
  });
});

describe('polygon', () => {
  test('limit caps base minutes: a 1h page covers 833 hours, and next_url is followed to the end', async () => {
    fake.polygonMaxLimit = 10_000; // the server reads fewer minutes than asked: it pages by next_url
    fake.now = () => T0 + 60 * DAY;
    const page = await createProvider('polygon').fetchPage({
      market: 'AAPL',
      interval: '1h',
      from: T0,
      to: T0 + 5000 * H,
    });
    assert.equal(page.coveredTo, T0 + 833 * H);
    assert.equal(page.candles.length, 833);
    assert.deepEqual(new Set(page.candles.map((c) => c.ts)).size, 833);
    assert.equal(fake.requests.length, 5, '50,000 minutes read 10,000 at a time');
    assert.equal(fake.requests[0].query.get('limit'), '50000');
    assert.ok(fake.requests.every((r) => r.headers.authorization === 'Bearer test-key-123456'));
  });

  test('an empty-but-OK answer is a page with no bars (the engine records it as a gap to ask again)', async () => {
    fake.script.push(answers.polygonEmpty('AAPL'));
    const page = await createProvider('polygon').fetchPage({
      market: 'AAPL',
      interval: '1d',
      from: T0,
      to: T0 + 5 * DAY,
    });
    assert.deepEqual(page.candles, []);
  });

  test('403 NOT_AUTHORIZED is a plan limit, not a refused key; 401 is the refused key', async () => {
    fake.script.push(answers.polygonNotAuthorized());
    const err = await rejection(
      createProvider('polygon').fetchPage({ market: 'AAPL', interval: '1m', from: T0, to: T0 + H }),
    );
    assert.equal(err.kind, 'plan_limit');
    assert.match(err.message, /plan does not include this data/);
    assert.doesNotMatch(err.message, /key/i);
  });

  test("the default gap between calls keeps to the free plan's 5 calls a minute", async () => {
    const p = createProvider('polygon', { ...env, TM_POLYGON_MIN_GAP_MS: undefined });
    await p.fetchPage({ market: 'AAPL', interval: '1h', from: T0, to: T0 + H });
    await p.fetchPage({ market: 'AAPL', interval: '1h', from: T0, to: T0 + H });
    assert.equal(slept.length, 1);
    assert.ok(slept[0] > 11_000 && slept[0] <= 12_000, `waited ${slept[0]} ms`);
  });

  test('an API key the provider echoes in its error is redacted', async () => {
    fake.script.push({
      status: 400,
      body: JSON.stringify({ status: 'ERROR', error: 'bad request for apiKey=test-key-123456' }),
    });
    const err = await rejection(
      createProvider('polygon').fetchPage({ market: 'AAPL', interval: '1m', from: T0, to: T0 + H }),
    );
    assert.doesNotMatch(err.message, /test-key-123456/);
    assert.match(err.message, /\[redacted\]/);
  });
});

describe('kraken', () => {
  test('a zero-trade row stores no vwap (Kraken sends 0, outside [low, high])', async () => {
    fake.now = () => T0 + 10 * MIN + 30_000;
    fake.markets.set('XBTUSD', { listedFrom: T0, zeroTrades: (ts) => ts === T0 + 3 * MIN });
    const page = await createProvider('kraken').fetchPage({
      market: 'XBTUSD',
      interval: '1m',
      from: T0,
      to: T0 + 10 * MIN,
    });
    const quiet = page.candles.find((c) => c.ts === T0 + 3 * MIN);
    assert.deepEqual([quiet?.vwap, quiet?.trades, quiet?.volume], [null, 0, '0.00000000']);
    assert.ok(page.candles.filter((c) => c.ts !== T0 + 3 * MIN).every((c) => c.vwap !== null));
  });

  test("EService: Throttled: [timestamp] waits until the time it names (on Kraken's clock)", async () => {
    const now = T0 + 10 * MIN;
    fake.now = () => now;
    const p = createProvider('kraken');
    await p.fetchPage({ market: 'XBTUSD', interval: '1m', from: T0, to: T0 + 5 * MIN }); // learns Kraken's clock
    slept = [];
    fake.script.push(answers.krakenThrottled(now / 1000 + 40));
    const page = await p.fetchPage({ market: 'XBTUSD', interval: '1m', from: T0, to: T0 + 5 * MIN });
    assert.ok(page.candles.length > 0);
    const waited = Math.max(...slept);
    assert.ok(waited > 38_000 && waited <= 41_000, `waited ${waited} ms for the named time`);
  });
});

describe('binance', () => {
  test('public market data comes from data-api.binance.vision by default', () => {
    assert.equal(DEFAULT_URLS.binance, 'https://data-api.binance.vision');
  });

  test("403 is the firewall's rate limit: a pause the scheduler honours, not retried in place", async () => {
    const p = createProvider('binance');
    await p.fetchPage({ market: 'BTCUSDT', interval: '1h', from: T0, to: T0 + H });
    fake.requests.length = 0;
    fake.script.push(answers.binanceWaf());
    const err = await rejection(p.fetchPage({ market: 'BTCUSDT', interval: '1h', from: T0, to: T0 + H }));
    assert.equal(err.kind, 'rate_limited');
    assert.ok(err.retryAt !== undefined && err.retryAt - Date.now() > 60_000);
    assert.equal(fake.requests.length, 1);
  });

  test('a row must have exactly the 12 documented fields; a bad open time fails the answer naming the row', async () => {
    const p = createProvider('binance');
    const row = [T0, '1', '2', '0.5', '1.5', '10', T0 + MIN - 1, '15', 3, '1', '1', '0'];
    fake.script.push({ status: 200, body: `{"serverTime":${fake.now()}}` });
    fake.script.push({ status: 200, body: JSON.stringify([row, row.slice(0, 10)]) });
    const short = await rejection(p.fetchPage({ market: 'BTCUSDT', interval: '1m', from: T0, to: T0 + 2 * MIN }));
    assert.equal(short.kind, 'malformed');
    assert.match(short.message, /row 2 of the klines answer is not an array of exactly 12 fields/);
    fake.script.push({ status: 200, body: JSON.stringify([row, ['abc', ...row.slice(1)]]) });
    const bad = await rejection(p.fetchPage({ market: 'BTCUSDT', interval: '1m', from: T0, to: T0 + 2 * MIN }));
    assert.match(bad.message, /row 2 of the klines answer: the time is not a whole number: \["abc"/);
  });
});

describe('bad answers fail loudly and safely', () => {
  test('a provider that sends headers and then trickles spaces is reported as a timeout', async () => {
    const e = { ...env, TM_SYNC_TIMEOUT_MS: '300', TM_SYNC_RETRIES: '1' };
    fake.script.push({ status: 200, body: '', trickleMs: 20 });
    const err = await rejection(
      createProvider('coinbase', e).fetchPage({ market: 'BTC-USD', interval: '1m', from: T0, to: T0 + MIN }),
    );
    assert.equal(err.kind, 'timeout');
    assert.match(err.message, /timed out after 0.3 s while its answer was still arriving/);
  });

  test('provider text in errors is bounded (a 5 MB message stays a short error)', async () => {
    fake.script.push({ status: 400, body: JSON.stringify({ message: 'x'.repeat(5_000_000) }) });
    const err = await rejection(
      createProvider('coinbase').fetchPage({ market: 'BTC-USD', interval: '1m', from: T0, to: T0 + MIN }),
    );
    assert.ok(err.message.length < 1000, `${err.message.length} characters`);
    assert.match(err.message, /more characters\)/);
  });

  test('the answer size is capped: a huge answer fails with a clear error instead of filling memory', async () => {
    const e = { ...env, TM_SYNC_MAX_RESPONSE_BYTES: '100000' };
    const err = await rejection(
      createProvider('binance', e).fetchPage({ market: 'BTCUSDT', interval: '1m', from: T0, to: T0 + 1000 * MIN }),
    );
    assert.equal(err.kind, 'too_large');
    assert.match(err.message, /more than 100000 bytes \(TM_SYNC_MAX_RESPONSE_BYTES\)/);
  });
});

test('the API maps provider failures by kind: never 400, which means a problem with the request', () => {
  const status = (kind: ProviderError['kind']) => providerProblem(new ProviderError('binance', kind, 'x')).status;
  assert.deepEqual(
    [status('unknown_symbol'), status('server'), status('malformed'), status('timeout'), status('config')],
    [404, 502, 502, 504, 503],
  );
  const limited = providerProblem(new ProviderError('kraken', 'rate_limited', 'x', 40_000), 10_000);
  assert.deepEqual(limited, { status: 503, retryAfter: 30 });
});
