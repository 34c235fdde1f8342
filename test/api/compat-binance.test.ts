/**
 * The Binance-compatible read endpoint on a running app (both backends): ccxt's binance class, its
 * public URL pointed at /compat/binance/api/v3 and a read token in its headers, loads our assets as
 * markets and reads with fetchOHLCV exactly the candles stored (and rollups as /api/candles serves
 * them). Raw requests check Binance's formats, limits and error codes, and the tokens (personal API tokens).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/types.ts';
import { ingestCandles } from '../../src/ingest/ingest.ts';
import { addAsset } from '../../src/market/assets-repository.ts';
import type { RawCandle } from '../../src/market/import/validate.ts';
import { createApiToken, revokeApiToken } from '../../src/accounts/api-tokens.ts';
import { nextBucket, type Interval } from '../../src/intervals.ts';
import { createProvider } from '../../src/sync/providers/index.ts';
import { addSource, sourceFor } from '../../src/sync/sources.ts';
import { syncRange } from '../../src/sync/engine.ts';
import { tokenFor } from '../helpers/auth.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { fakeCandle } from '../helpers/fake-markets.ts';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const MIN = 60_000;
const N = 1500;
const MISSING = T0 + 700 * MIN;

async function seed(db: Database, ref: string, interval: Interval, from: number, n: number, skip = new Set<number>()) {
  const [symbol, exchange] = ref.split(':');
  await addAsset(db, { symbol, name: symbol, asset_type: 'crypto', exchange });
  async function* rows(): AsyncGenerator<RawCandle> {
    let t = from;
    for (let i = 0; i < n; i++, t = nextBucket(interval, t)) {
      if (skip.has(t)) continue;
      const c = fakeCandle(interval, t);
      yield { line: i, ...c, vwap: null };
    }
  }
  await ingestCandles(db, rows(), { interval, symbol: ref, onConflict: 'update', unit: 'item' });
}

async function storedRows(db: Database, symbol: string, interval: string) {
  const r = await db.query<{ ts: Date; open: number; high: number; low: number; close: number; volume: number }>(
    `SELECT c.ts, c.open::float8 AS open, c.high::float8 AS high, c.low::float8 AS low, c.close::float8 AS close,
            c.volume::float8 AS volume
       FROM candles c JOIN assets a ON a.id = c.asset_id WHERE a.symbol = $1 AND c."interval" = $2 ORDER BY c.ts`,
    [symbol, interval],
  );
  return r.rows.map((x) => [x.ts.getTime(), x.open, x.high, x.low, x.close, x.volume]);
}

forEachBackend('Binance-compatible endpoint', (open) => {
  let db: Database;
  let app: FastifyInstance;
  let base: string;
  let readToken: string;
  let readTokenId: string;
  let userId: string;
  let access: string;

  const get = async (path: string, token: string | null = readToken) => {
    const r = await fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: r.status, body: (await r.json()) as unknown };
  };
  const binance = async (apiPath = '/compat/binance/api/v3', token = readToken) => {
    const ccxt = await import('ccxt');
    return new ccxt.binance({
      urls: { api: { public: `${base}${apiPath}` } },
      headers: { Authorization: `Bearer ${token}` },
      options: { fetchMarkets: { types: ['spot'] } },
    });
  };

  before(async () => {
    db = await open();
    app = await buildApp({ db, config: loadConfig({}), webDir: false });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    await seed(db, 'BTCUSDT:BINANCE', '1m', T0, N, new Set([MISSING]));
    await seed(db, 'BTC-USD:COINBASE', '1h', T0, 48);
    await seed(db, 'ETHUSDT:BINANCE', '1h', T0, 10);
    await seed(db, 'ETHUSDT:OKX', '1h', T0, 10);
    const u = await tokenFor(app);
    userId = u.userId;
    access = u.token;
    const t = await createApiToken(db, userId, { name: 'freqtrade', scope: 'read' });
    readToken = t.token;
    readTokenId = t.id;
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  test("ccxt's binance class loads our assets as markets and reads the stored candles with fetchOHLCV", async () => {
    const ex = await binance();
    const markets = await ex.loadMarkets();
    assert.ok(markets['BTC/USDT'], 'BTCUSDT is BTC/USDT');
    assert.equal(markets['BTC/USDT']?.id, 'BTCUSDT');
    assert.equal(markets['BTC/USD']?.id, 'BTCUSD', 'BTC-USD is BTCUSD, BTC/USD');
    const first = await ex.fetchOHLCV('BTC/USDT', '1m', T0, 1000);
    const last = first.at(-1)?.[0] ?? 0;
    const second = await ex.fetchOHLCV('BTC/USDT', '1m', last + 1, 1000);
    const read = [...first, ...second];
    const stored = await storedRows(db, 'BTCUSDT', '1m');
    assert.equal(stored.length, N - 1);
    assert.equal(first.length, 1000, 'a full page is 1000 klines');
    assert.deepEqual(read, stored);
  });

  test('coarser intervals are served as /api/candles serves them (a rollup of the stored minutes)', async () => {
    const ex = await binance();
    const read = await ex.fetchOHLCV('BTC/USDT', '1h', T0, 100);
    const api = (await get(
      `/api/candles?symbol=BTCUSDT:BINANCE&interval=1h&from=${new Date(T0).toISOString()}&to=${new Date(T0 + N * MIN).toISOString()}`,
      access,
    )) as {
      body: { candles: { ts: string; open: number; high: number; low: number; close: number; volume: number }[] };
    };
    const want = api.body.candles.map((c) => [Date.parse(c.ts), c.open, c.high, c.low, c.close, c.volume]);
    assert.equal(read.length, 25);
    assert.deepEqual(read, want);
  });

  test("kline rows are Binance's 12 fields; limit defaults to 500, stops at 1000; no startTime reads the latest", async () => {
    const end = T0 + (N - 1) * MIN;
    const r = await get(`/compat/binance/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=${T0}&endTime=${end}`);
    const rows = r.body as unknown[][];
    assert.equal(r.status, 200);
    assert.equal(rows.length, 500);
    const c = fakeCandle('1m', T0);
    assert.deepEqual(rows[0], [
      T0,
      String(c.open),
      String(c.high),
      String(c.low),
      String(c.close),
      String(c.volume),
      T0 + MIN - 1,
      '0',
      c.trades,
      '0',
      '0',
      '0',
    ]);
    const big = await get(`/compat/binance/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=${T0}&limit=5000`);
    assert.equal((big.body as unknown[]).length, 1000);
    const latest = (await get(`/compat/binance/api/v3/klines?symbol=BTCUSDT&interval=1m&endTime=${end}&limit=3`))
      .body as number[][];
    assert.deepEqual(
      latest.map((k) => k[0]),
      [end - 2 * MIN, end - MIN, end],
    );
    // startTime inside a bucket: the first kline opens at or after it.
    const mid = (
      await get(`/compat/binance/api/v3/klines?symbol=BTCUSDT&interval=1h&startTime=${T0 + 90 * MIN}&limit=1`)
    ).body as number[][];
    assert.equal(mid[0][0], T0 + 120 * MIN);
  });

  test("errors come in Binance's format and codes", async () => {
    const cases: [string, number][] = [
      ['/klines?symbol=NOPEUSDT&interval=1m', -1121],
      ['/klines?interval=1m', -1102],
      ['/klines?symbol=BTCUSDT&interval=3m', -1120],
      ['/klines?symbol=BTCUSDT&interval=1m&limit=0', -1130],
      ['/klines?symbol=BTCUSDT&interval=1m&startTime=abc', -1100],
      ['/klines?symbol=btc%20usdt&interval=1m', -1100],
      ['/exchangeInfo?symbol=NOPEUSDT', -1121],
    ];
    for (const [path, code] of cases) {
      const r = await get(`/compat/binance/api/v3${path}`);
      assert.equal(r.status, 400, path);
      assert.equal((r.body as { code: number }).code, code, path);
    }
    const ex = await binance();
    await assert.rejects(ex.fetchOHLCV('NOPE/USDT', '1m'), (e: Error) => e.constructor.name === 'BadSymbol');
  });

  test('a symbol on two exchanges is named as ambiguous; /x/EXCHANGE serves one exchange', async () => {
    const r = await get('/compat/binance/api/v3/klines?symbol=ETHUSDT&interval=1h');
    assert.equal((r.body as { code: number }).code, -1121);
    assert.match((r.body as { msg: string }).msg, /ETHUSDT:BINANCE and ETHUSDT:OKX/);
    const ex = await binance('/compat/binance/x/okx/api/v3');
    const markets = await ex.loadMarkets();
    assert.deepEqual(Object.keys(markets), ['ETH/USDT']);
    const read = await ex.fetchOHLCV('ETH/USDT', '1h', T0, 100);
    assert.equal(read.length, 10);
    const info = await get('/compat/binance/x/OKX/api/v3/exchangeInfo?symbols=["ETHUSDT"]');
    assert.deepEqual(
      (info.body as { symbols: { symbol: string; baseAsset: string; quoteAsset: string }[] }).symbols.map((s) => [
        s.symbol,
        s.baseAsset,
        s.quoteAsset,
      ]),
      [['ETHUSDT', 'ETH', 'USDT']],
    );
  });

  test('a ccxt:binance source syncs from our own endpoint (one Trading Manager reading another)', async () => {
    const env = {
      TM_CCXT_BINANCE_URL: `${base}/compat/binance`,
      TM_CCXT_BINANCE_CONFIG: JSON.stringify({
        headers: { Authorization: `Bearer ${readToken}` },
        options: { fetchMarkets: { types: ['spot'] } },
      }),
      TM_SYNC_RETRIES: '1',
    };
    await addSource(db, { asset: 'BTCCOPY:MIRROR', provider: 'ccxt:binance', market: 'BTC/USDT', intervals: ['1m'] });
    const source = await sourceFor(db, 'BTCCOPY:MIRROR');
    const r = await syncRange(db, createProvider('ccxt:binance', env), source, '1m', T0, T0 + N * MIN);
    assert.deepEqual([r.requests, r.inserted, r.gaps], [2, N - 1, 1]);
    assert.deepEqual(await storedRows(db, 'BTCCOPY', '1m'), await storedRows(db, 'BTCUSDT', '1m'));
  });

  test('ping and time answer as Binance does', async () => {
    assert.deepEqual((await get('/compat/binance/api/v3/ping')).body, {});
    const t = (await get('/compat/binance/api/v3/time')).body as { serverTime: number };
    assert.ok(Math.abs(t.serverTime - Date.now()) < 60_000);
  });

  test('a token is needed: a read-scoped API token or an access token pass; revoked, wrong or missing ones do not', async () => {
    assert.equal((await get('/compat/binance/api/v3/ping', null)).status, 401);
    assert.equal((await get('/compat/binance/api/v3/ping', 'tmk_nope')).status, 401);
    assert.equal((await get('/compat/binance/api/v3/ping', access)).status, 200);
    const used = await db.query<{ last_used_at: Date | null }>('SELECT last_used_at FROM api_tokens WHERE id = $1', [
      readTokenId,
    ]);
    assert.ok(used.rows[0].last_used_at, 'last use recorded');
    const t2 = await createApiToken(db, userId, { name: 'to revoke', scope: 'read' });
    const ex = await binance('/compat/binance/api/v3', t2.token);
    assert.ok((await ex.loadMarkets())['BTC/USDT'], 'the new token reads');
    await revokeApiToken(db, userId, t2.id);
    assert.equal((await get('/compat/binance/api/v3/ping', t2.token)).status, 401);
    const ex2 = await binance('/compat/binance/api/v3', t2.token);
    await assert.rejects(
      ex2.loadMarkets(),
      (e: Error) => e.constructor.name === 'AuthenticationError' || /401/.test(e.message),
    );
  });
});
