/** The market data HTTP routes on both backends: assets, candle POST and range, the six queries. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { adminHeaders } from '../helpers/auth.ts';
import type { Database } from '../../src/db/types.ts';

forEachBackend('market data API', (open) => {
  let db: Database;
  let server: FastifyInstance;
  let admin: { authorization: string };
  // `app` acts as an administrator, `locked` as an anonymous client of the same server.
  const app = { inject: (o: InjectOptions) => server.inject({ ...o, headers: { ...admin, ...o.headers } }) };
  const locked = { inject: (o: InjectOptions) => server.inject(o) };
  before(async () => {
    db = await open();
    server = await buildApp({ db, config: loadConfig({}) });
    admin = await adminHeaders(server);
  });
  after(async () => {
    await server.close();
    await db.close();
  });

  const hours = (n: number, symbol?: string) =>
    Array.from({ length: n }, (_, i) => ({
      ...(symbol ? { symbol } : {}),
      ts: Date.UTC(2024, 0, 1, i) / 1000,
      open: 10 + i,
      high: 12 + i,
      low: 9 + i,
      close: 11 + i,
      volume: 100,
      trades: 5,
      vwap: 10.5 + i,
    }));

  test('assets: GET is public, writes need admin; symbols normalised; ambiguity explained', async () => {
    const denied = await locked.inject({
      method: 'POST',
      url: '/api/assets',
      payload: { symbol: 'x', name: 'X', asset_type: 'stock' },
    });
    assert.equal(denied.statusCode, 401);
    const created = await app.inject({
      method: 'POST',
      url: '/api/assets',
      payload: { symbol: 'msft', name: 'Microsoft', asset_type: 'stock', exchange: 'nasdaq' },
    });
    assert.equal(created.statusCode, 201);
    assert.equal(created.json().symbol, 'MSFT');
    assert.equal(created.json().exchange, 'NASDAQ');
    const again = await app.inject({
      method: 'POST',
      url: '/api/assets',
      payload: { symbol: 'MSFT', name: 'Microsoft', asset_type: 'stock', exchange: 'NASDAQ' },
    });
    assert.equal(again.statusCode, 409);
    assert.match(again.headers['content-type'] as string, /problem\+json/);
    await app.inject({
      method: 'POST',
      url: '/api/assets',
      payload: { symbol: 'MSFT', name: 'Microsoft DE', asset_type: 'stock', exchange: 'XETRA' },
    });
    const ambiguous = await app.inject({ method: 'GET', url: '/api/assets/MSFT' });
    assert.equal(ambiguous.statusCode, 400);
    assert.match(ambiguous.json().detail, /ambiguous.*MSFT:NASDAQ.*MSFT:XETRA/);
    const one = await locked.inject({ method: 'GET', url: '/api/assets/msft:xetra' });
    assert.equal(one.statusCode, 200);
    assert.equal(one.json().name, 'Microsoft DE');
    const list = await locked.inject({ method: 'GET', url: '/api/assets?limit=1' });
    assert.equal(list.json().total, 2);
    assert.equal(list.json().items.length, 1);
    const bad = await locked.inject({ method: 'GET', url: '/api/assets?type=bond' });
    assert.equal(bad.statusCode, 400);
    const patched = await app.inject({
      method: 'PATCH',
      url: '/api/assets/MSFT:XETRA',
      payload: { sector: 'Technology' },
    });
    assert.equal(patched.json().sector, 'Technology');
    const removed = await app.inject({ method: 'DELETE', url: '/api/assets/MSFT:XETRA' });
    assert.equal(removed.statusCode, 200);
    assert.equal((await locked.inject({ method: 'GET', url: '/api/assets/MSFT:XETRA' })).statusCode, 404);
  });

  test('POST /api/candles: admin only, same validation (422 with item and rule), then writes', async () => {
    const body = { interval: '1h', symbol: 'MSFT:NASDAQ', candles: hours(48) };
    assert.equal((await locked.inject({ method: 'POST', url: '/api/candles', payload: body })).statusCode, 401);
    const badBody = structuredClone(body);
    badBody.candles[3].low = 13.5;
    const rejected = await app.inject({ method: 'POST', url: '/api/candles', payload: badBody });
    assert.equal(rejected.statusCode, 422);
    assert.deepEqual(
      rejected.json().errors.map((e: { line: number; rule: string }) => [e.line, e.rule]),
      [[3, 'low_le_open_close']],
    );
    assert.match(rejected.json().detail, /item 3: low_le_open_close/);
    const skipped = await app.inject({
      method: 'POST',
      url: '/api/candles',
      payload: { ...badBody, skip_invalid: true },
    });
    assert.equal(skipped.statusCode, 200);
    assert.deepEqual([skipped.json().inserted, skipped.json().rejected, skipped.json().rejects[0].item], [47, 1, 3]);
    assert.equal(skipped.json().path, 'direct', 'a new series goes straight into candles');
    const ok = await app.inject({ method: 'POST', url: '/api/candles', payload: body });
    assert.deepEqual([ok.json().inserted, ok.json().skipped, ok.json().path], [1, 47, 'staged']);
    assert.equal(ok.json().written[0].from, '2024-01-01T03:00:00.000Z');
    const tooMany = await app.inject({
      method: 'POST',
      url: '/api/candles',
      payload: { ...body, candles: hours(50_001) },
    });
    assert.equal(tooMany.statusCode, 400);
  });

  test('GET /api/candles: stored rows, then rollups of finer stored candles for coarser intervals', async () => {
    const stored = await app.inject({
      method: 'GET',
      url: '/api/candles?symbol=MSFT:NASDAQ&interval=1h&from=2024-01-01T02:00:00Z&to=2024-01-01T05:00:00Z',
    });
    assert.equal(stored.statusCode, 200);
    assert.equal(stored.json().source.kind, 'stored');
    assert.deepEqual(
      stored.json().candles.map((c: { open: number }) => c.open),
      [12, 13, 14],
    );
    const fourH = await app.inject({
      method: 'GET',
      url: '/api/candles?symbol=MSFT:NASDAQ&interval=4h&from=2024-01-01&to=2024-01-03',
    });
    const j = fourH.json();
    assert.deepEqual(j.source, { kind: 'rollup', from_interval: '1h' });
    assert.equal(j.candles.length, 12);
    // Bucket 04:00-08:00 holds hours 4..7: open of hour 4, close of hour 7, extremes, sums.
    assert.deepEqual(j.candles[1], {
      ts: '2024-01-01T04:00:00.000Z',
      open: 14,
      high: 19,
      low: 13,
      close: 18,
      volume: 400,
      trades: 20,
      vwap: 16,
    });
    const day = (
      await app.inject({
        method: 'GET',
        url: '/api/candles?symbol=MSFT:NASDAQ&interval=1d&from=2024-01-01&to=2024-01-03',
      })
    ).json();
    assert.deepEqual(
      day.candles.map((c: { ts: string; open: number; close: number }) => [c.ts, c.open, c.close]),
      [
        ['2024-01-01T00:00:00.000Z', 10, 34],
        ['2024-01-02T00:00:00.000Z', 34, 58],
      ],
    );
    const none = (
      await app.inject({ method: 'GET', url: '/api/candles?symbol=MSFT:NASDAQ&interval=1m&from=2024-01-01' })
    ).json();
    assert.deepEqual([none.source.kind, none.candles.length], ['none', 0]);
    const badTime = await app.inject({ method: 'GET', url: '/api/candles?symbol=MSFT:NASDAQ&from=yesterday' });
    assert.equal(badTime.statusCode, 400);
  });

  test('GET /api/candles pages: a full page answers next_from, following it walks the range without gaps or repeats', async () => {
    const walk = async (interval: string) => {
      const seen: string[] = [];
      let from: string | null = '2024-01-01T00:00:00Z';
      while (from) {
        const page: { candles: { ts: string }[]; next_from: string | null } = (
          await locked.inject({
            method: 'GET',
            url: `/api/candles?symbol=MSFT:NASDAQ&interval=${interval}&from=${from}&to=2024-01-02T12:00:00Z&limit=5`,
          })
        ).json();
        seen.push(...page.candles.map((c) => c.ts));
        assert.ok(page.candles.length === 5 || page.next_from === null);
        from = page.next_from;
      }
      return seen;
    };
    const hours = await walk('1h');
    assert.equal(hours.length, 36);
    assert.equal(new Set(hours).size, 36);
    // A rollup pages by bucket: 4h buckets from 00:00 to 08:00 on the 2nd.
    const fourH = await walk('4h');
    assert.deepEqual(
      fourH,
      Array.from({ length: 9 }, (_, i) => new Date(Date.UTC(2024, 0, 1, 4 * i)).toISOString()),
    );
    const last = (
      await locked.inject({
        method: 'GET',
        url: '/api/candles?symbol=MSFT:NASDAQ&interval=1h&from=2024-01-02T07:00:00Z&to=2024-01-02T12:00:00Z&limit=5',
      })
    ).json();
    assert.equal(last.next_from, null, 'a page that ends at "to" has nothing after it');
  });

  test('the six query routes answer paginated lists', async () => {
    const lc = (
      await app.inject({ method: 'GET', url: '/api/queries/latest-candles?symbol=MSFT:NASDAQ&interval=1h&limit=2' })
    ).json();
    assert.deepEqual(
      [lc.total, lc.items[0].ts, lc.items[1].ts],
      [48, '2024-01-02T23:00:00.000Z', '2024-01-02T22:00:00.000Z'],
    );
    const oldest = (
      await app.inject({
        method: 'GET',
        url: '/api/queries/latest-candles?symbol=MSFT:NASDAQ&interval=1h&limit=5&offset=46',
      })
    ).json();
    assert.deepEqual(
      [oldest.total, oldest.offset, oldest.items.map((c: { ts: string }) => c.ts)],
      [48, 46, ['2024-01-01T01:00:00.000Z', '2024-01-01T00:00:00.000Z']],
    );
    const past = (
      await app.inject({
        method: 'GET',
        url: '/api/queries/latest-candles?symbol=MSFT:NASDAQ&interval=1h&limit=5&offset=1000',
      })
    ).json();
    assert.deepEqual([past.total, past.items], [48, []]);
    const huge = await app.inject({
      method: 'GET',
      url: '/api/queries/latest-candles?symbol=MSFT:NASDAQ&interval=1h&offset=10000000000000000000',
    });
    assert.equal(huge.statusCode, 400);
    assert.match(huge.json().detail, /offset/);
    const pc = (await app.inject({ method: 'GET', url: '/api/queries/price-changes?interval=1h' })).json();
    assert.deepEqual(pc.items, [{ symbol: 'MSFT', current_price: 58, previous_price: 57, pct_change: 1.75 }]);
    const ps = (await app.inject({ method: 'GET', url: '/api/queries/price-stats?interval=1h' })).json();
    assert.equal(ps.items[0].candle_count, 48);
    for (const path of ['latest-indicators?days=7', 'active-signals', 'latest-signals']) {
      const r = await app.inject({ method: 'GET', url: `/api/queries/${path}` });
      assert.equal(r.statusCode, 200, path);
      assert.deepEqual(r.json(), { items: [], limit: 100, offset: 0, total: 0 }, path);
    }
    assert.equal((await app.inject({ method: 'GET', url: '/api/queries/price-stats?interval=2d' })).statusCode, 400);
  });

  test('a rollup uses the finest interval reaching back to "from", else the one reaching furthest', async () => {
    const days = Array.from({ length: 20 }, (_, i) => ({
      ts: new Date(Date.UTC(2023, 11, 1) + i * 86_400_000).toISOString().slice(0, 10),
      open: 5,
      high: 6 + i,
      low: 4,
      close: 5.5,
      volume: 10,
    }));
    const posted = await app.inject({
      method: 'POST',
      url: '/api/candles',
      payload: { interval: '1d', symbol: 'MSFT:NASDAQ', candles: days },
    });
    assert.equal(posted.json().inserted, 20);
    const recent = (
      await app.inject({
        method: 'GET',
        url: '/api/candles?symbol=MSFT:NASDAQ&interval=1w&from=2024-01-01&to=2024-01-08',
      })
    ).json();
    assert.deepEqual(recent.source, { kind: 'rollup', from_interval: '1h' });
    const older = (
      await app.inject({
        method: 'GET',
        url: '/api/candles?symbol=MSFT:NASDAQ&interval=1w&from=2023-12-04&to=2023-12-18',
      })
    ).json();
    assert.deepEqual(older.source, { kind: 'rollup', from_interval: '1d' });
    // Weeks start on Monday: 2023-12-04..10 holds days 3..9 of the series.
    assert.deepEqual(
      older.candles.map((c: { ts: string; high: number; volume: number }) => [c.ts, c.high, c.volume]),
      [
        ['2023-12-04T00:00:00.000Z', 15, 70],
        ['2023-12-11T00:00:00.000Z', 22, 70],
      ],
    );
  });

  test('the OpenAPI document lists the market routes', async () => {
    const paths = Object.keys((await app.inject({ method: 'GET', url: '/docs/json' })).json().paths);
    for (const p of ['/api/assets', '/api/assets/{ref}', '/api/candles', '/api/queries/price-changes'])
      assert.ok(paths.includes(p), p);
  });
});
