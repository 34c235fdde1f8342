/**
 * Decades of daily bars in the seed's 7-day chunks: every read of candles the product makes carries a
 * time bound the planner can use, so its plan touches a few chunks, not all of them; page totals come
 * from candle_series, not from counting all history; the bounds follow imports and stay right after
 * candles are written with plain SQL.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import type { Database, Queryable, QueryResult, Row } from '../../src/db/types.ts';
import { importCandles } from '../../src/market/import/importer.ts';
import type { RawCandle } from '../../src/market/import/validate.ts';
import { countCandles, latestCandles, priceChanges } from '../../src/market/queries.ts';
import { candleRange, readCandleColumns } from '../../src/market/candles-repository.ts';
import { evaluateAlerts } from '../../src/accounts/alerts.ts';
import { seriesBounds } from '../../src/market/candle-series.ts';

const YEARS = 12;
const DAY = 86_400_000;
const START = Date.UTC(2000, 0, 3);

async function* dailyBars(symbol: string, days: number): AsyncIterable<RawCandle> {
  for (let i = 0; i < days; i++) {
    const p = 100 + Math.sin(i / 30) * 10 + i / 100;
    yield {
      line: i + 1,
      symbol,
      ts: new Date(START + i * DAY).toISOString(),
      open: p,
      high: p + 1,
      low: p - 1,
      close: p + 0.5,
      volume: 1000 + i,
    };
  }
}

/** Passes every statement through to the real database and keeps the ones that read candles. */
function recording(db: Queryable): { q: Queryable; reads: { sql: string; params: readonly unknown[] }[] } {
  const reads: { sql: string; params: readonly unknown[] }[] = [];
  const q: Queryable = {
    async query<R = Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      if (/\bFROM\s+candles\b/i.test(sql)) reads.push({ sql, params });
      return db.query<R>(sql, params);
    },
    exec: (sql) => db.exec(sql),
    copyFrom: (sql, data) => db.copyFrom(sql, data),
  };
  return { q, reads };
}

/** Chunks of candles the plan of this statement reads (after the planner excluded the rest). */
async function chunksPlanned(db: Queryable, sql: string, params: readonly unknown[]): Promise<number> {
  const r = await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
  const raw = r.rows[0]['QUERY PLAN'];
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
  return new Set(text.match(/_hyper_\d+_\d+_chunk/g) ?? []).size;
}

forEachBackend('bounded candle reads over decades of daily bars', (open) => {
  let db: Database;
  let assetId: string;
  const days = Math.round(YEARS * 365.25);
  before(async () => {
    db = await open();
    await importCandles(db, dailyBars('OLD', days), { interval: '1d', createAssetType: 'stock' });
    await importCandles(db, dailyBars('NEW', 40), { interval: '1d', createAssetType: 'stock' });
    assetId = (await db.query<{ id: string }>("SELECT id FROM assets WHERE symbol = 'OLD'")).rows[0].id;
    await db.exec('ANALYZE candles');
  });
  after(async () => db.close());

  test('the import recorded the series: first and last candle and the count', async () => {
    const b = await seriesBounds(db, assetId, '1d');
    assert.equal(b?.candles, days);
    assert.equal(b?.first_ts.getTime(), START);
    assert.equal(b?.last_ts.getTime(), START + (days - 1) * DAY);
    const chunks = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'candles'",
    );
    assert.ok(chunks.rows[0].n > 500, `${chunks.rows[0].n} chunks`);
  });

  test('the latest 30 candles: right rows, and a plan of a few chunks', async () => {
    const { q, reads } = recording(db);
    const rows = await latestCandles(q, { assetId, interval: '1d', limit: 30 });
    assert.equal(rows.length, 30);
    assert.equal(rows[0].ts.getTime(), START + (days - 1) * DAY);
    assert.equal(rows[29].ts.getTime(), START + (days - 30) * DAY);
    assert.ok(reads.length >= 1);
    for (const r of reads) {
      const n = await chunksPlanned(db, r.sql, r.params);
      assert.ok(n <= 20, `${n} chunks planned for: ${r.sql}`);
    }
  });

  test('paging to the oldest candles reads them all, and the total needs no count of all history', async () => {
    const { q, reads } = recording(db);
    assert.equal(await countCandles(q, { assetId, interval: '1d' }), days);
    assert.equal(reads.length, 0, 'the total came from candle_series');
    const last = await latestCandles(db, { assetId, interval: '1d', limit: 50, offset: days - 20 });
    assert.equal(last.length, 20);
    assert.equal(last.at(-1)?.ts.getTime(), START);
  });

  test('ranges, analysis reads, price changes and alerts are bounded too', async () => {
    const { q, reads } = recording(db);
    const from = new Date(START + (days - 60) * DAY);
    const range = await candleRange(q, { assetId, interval: '1d', from, to: new Date(START + days * DAY), limit: 100 });
    assert.equal(range.candles.length, 60);
    const cols = await readCandleColumns(q, { assetId, interval: '1d', from, warmup: 50 });
    assert.equal(cols.ts.length, 110);
    assert.equal(cols.start, 50);
    const changes = await priceChanges(q, { interval: '1d' });
    assert.deepEqual(changes.map((c) => c.symbol).sort(), ['NEW', 'OLD']);
    await evaluateAlerts(q, [assetId]);
    for (const r of reads) {
      const n = await chunksPlanned(db, r.sql, r.params);
      assert.ok(n <= 40, `${n} chunks planned for: ${r.sql.slice(0, 200)}`);
    }
  });

  test('candles written with plain SQL after the import are still the latest', async () => {
    const ts = new Date(START + (days + 5) * DAY);
    await db.query(
      `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume) VALUES ($1, $2, '1d', 1, 2, 0.5, 1.5, 10)`,
      [assetId, ts],
    );
    const [newest] = await latestCandles(db, { assetId, interval: '1d', limit: 1 });
    assert.equal(newest.ts.getTime(), ts.getTime());
  });
});
