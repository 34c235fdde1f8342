/**
 * tm export candles on both backends: every format reads back to the stored candles (in pages smaller
 * than the series, so the keyset paging is crossed), ranges, refusals that leave no file, and freqtrade's
 * layout round-tripping through the freqtrade import into another symbol.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableFromIPC, TimeUnit, type Timestamp } from 'apache-arrow';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { forEachBackend } from '../helpers/backends.ts';
import type { Database } from '../../src/db/types.ts';
import { exportCandles } from '../../src/market/export/exporter.ts';
import type { ExportFormat } from '../../src/market/export/layout.ts';
import { importCandles } from '../../src/market/import/importer.ts';
import type { RawCandle } from '../../src/market/import/validate.ts';
import { openFreqtrade } from '../../src/market/import/freqtrade-reader.ts';

const N = 23;
const T0 = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;

/** Awkward doubles on purpose: 0.1 + 0.2, tiny, large, many digits; some trades and vwap missing. */
async function* source(): AsyncGenerator<RawCandle> {
  for (let i = 0; i < N; i++) {
    const open = i % 3 === 0 ? 0.1 + 0.2 : 1234.5678 + i / 7;
    const close = open * (1 + (i % 5) / 1000);
    yield {
      line: i + 2,
      ts: T0 + i * HOUR,
      open,
      high: Math.max(open, close) + 1e-8,
      low: Math.min(open, close) - 0.0001,
      close,
      volume: i === 4 ? 0 : 98765.4321 * (i + 1),
      trades: i % 4 === 0 ? null : i * 10,
      vwap: i % 2 === 0 ? null : (open + close) / 2,
    };
  }
}

interface Row {
  t: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades: number | null;
  vwap: number | null;
}

forEachBackend('candle export', (open) => {
  let db: Database;
  let dir: string;
  let stored: Row[];
  before(async () => {
    db = await open();
    dir = mkdtempSync(path.join(os.tmpdir(), 'tm-export-'));
    await importCandles(db, source(), { interval: '1h', symbol: 'ETHUSDT', createAssetType: 'crypto' });
    stored = await rowsOf('ETHUSDT');
    assert.equal(stored.length, N);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db.close();
  });

  async function rowsOf(symbol: string): Promise<Row[]> {
    const r = await db.query<Row>(
      `SELECT (extract(epoch FROM c.ts) * 1000)::float8 AS t, c.open, c.high, c.low, c.close, c.volume, c.trades, c.vwap
       FROM candles c JOIN assets a ON a.id = c.asset_id WHERE a.symbol = $1 AND c."interval" = '1h' ORDER BY c.ts`,
      [symbol],
    );
    return r.rows;
  }

  const run = (format: ExportFormat, extra: Partial<Parameters<typeof exportCandles>[1]> = {}) =>
    exportCandles(db, { symbol: 'ETHUSDT', interval: '1h', format, outDir: dir, pageSize: 5, ...extra });

  const ohlcv = (r: Row) => [r.t, r.open, r.high, r.low, r.close, r.volume];

  test('csv and json hold every stored value exactly', async () => {
    const c = await run('csv');
    assert.equal(path.basename(c.file), 'ETHUSDT-1h.csv');
    assert.equal(c.rows, N);
    const lines = readFileSync(c.file, 'utf8').trimEnd().split('\n');
    assert.equal(lines[0], 'ts,open,high,low,close,volume,trades,vwap');
    const fromCsv = lines.slice(1).map((l) => {
      const [ts, o, h, lo, cl, v, tr, vw] = l.split(',');
      return {
        t: Date.parse(ts),
        open: Number(o),
        high: Number(h),
        low: Number(lo),
        close: Number(cl),
        volume: Number(v),
        trades: tr === '' ? null : Number(tr),
        vwap: vw === '' ? null : Number(vw),
      };
    });
    assert.deepEqual(fromCsv, stored);

    const j = await run('json');
    const items = JSON.parse(readFileSync(j.file, 'utf8')) as (Omit<Row, 't'> & { ts: string })[];
    assert.deepEqual(
      items.map(({ ts, ...v }) => ({ t: Date.parse(ts), ...v })),
      stored,
    );
    assert.equal(j.first, new Date(T0).toISOString());
    assert.equal(j.last, new Date(T0 + (N - 1) * HOUR).toISOString());
  });

  test("freqtrade's JSON and feather: its file names, rows and column names", async () => {
    const j = await run('freqtrade-json');
    assert.equal(path.basename(j.file), 'ETH_USDT-1h.json');
    assert.equal(j.pair, 'ETH/USDT');
    assert.deepEqual(JSON.parse(readFileSync(j.file, 'utf8')), stored.map(ohlcv));

    const f = await run('freqtrade-feather', { pair: 'eth/usdt' });
    assert.equal(path.basename(f.file), 'ETH_USDT-1h.feather');
    const t = tableFromIPC(readFileSync(f.file));
    assert.deepEqual(
      t.schema.fields.map((x) => x.name),
      ['date', 'open', 'high', 'low', 'close', 'volume'],
    );
    const date = t.schema.fields[0].type as Timestamp;
    assert.equal(date.unit, TimeUnit.MILLISECOND);
    assert.equal(date.timezone, 'UTC');
    assert.equal(t.numRows, N);
    assert.ok(t.batches.length >= Math.ceil(N / 5), 'one record batch per page');
    const back = t.toArray().map((r) => {
      const o = r.toJSON() as Record<string, number>;
      return [Number(o.date), o.open, o.high, o.low, o.close, o.volume];
    });
    assert.deepEqual(back, stored.map(ohlcv));
  });

  test('parquet reads back in hyparquet with a UTC millisecond timestamp', async () => {
    const p = await run('parquet');
    const buf = readFileSync(p.file);
    const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const md = parquetMetadata(file);
    assert.equal(Number(md.num_rows), N);
    assert.deepEqual(md.schema.find((s) => s.name === 'ts')?.logical_type, {
      type: 'TIMESTAMP',
      isAdjustedToUTC: true,
      unit: 'MILLIS',
    });
    const rows = (await parquetReadObjects({ file })) as (Omit<Row, 't' | 'trades'> & {
      ts: Date;
      trades: bigint | null;
    })[];
    assert.deepEqual(
      rows.map(({ ts, trades, ...v }) => ({ t: ts.getTime(), ...v, trades: trades === null ? null : Number(trades) })),
      stored.map(({ t, open: o, high, low, close, volume, vwap, trades }) => ({
        t,
        open: o,
        high,
        low,
        close,
        volume,
        vwap,
        trades,
      })),
    );
  });

  test('--from (inclusive) and --to (exclusive) bound the rows', async () => {
    const r = await run('freqtrade-json', {
      outDir: path.join(dir, 'range'),
      from: new Date(T0 + 5 * HOUR),
      to: new Date(T0 + 12 * HOUR),
      countTotal: true,
    });
    assert.equal(r.rows, 7);
    assert.deepEqual(JSON.parse(readFileSync(r.file, 'utf8')), stored.slice(5, 12).map(ohlcv));
  });

  test('refusals name the problem and leave no file', async () => {
    const out = path.join(dir, 'refused');
    await assert.rejects(run('csv', { outDir: out, symbol: 'NOPE' }), /no asset "NOPE"/);
    await assert.rejects(run('csv', { outDir: out, interval: '1d' }), /no 1d candles stored for ETHUSDT/);
    await assert.rejects(run('freqtrade-json', { outDir: out, pair: 'ETHUSDT' }), /--pair must look like BASE\/QUOTE/);
    await assert.rejects(
      run('csv', { outDir: out, from: new Date(T0 + HOUR), to: new Date(T0) }),
      /--from must be before --to/,
    );
    await importCandles(db, source(), { interval: '1h', symbol: 'ACME', createAssetType: 'stock' });
    await assert.rejects(run('freqtrade-json', { outDir: out, symbol: 'ACME' }), /pass --pair BASE\/QUOTE/);
    let left: string[] = [];
    try {
      left = readdirSync(out);
    } catch {
      // never created: nothing written at all
    }
    assert.deepEqual(left, []);
  });

  test('an export in freqtrade layout imports into another symbol as the same candles', async () => {
    for (const [format, symbol] of [
      ['freqtrade-json', 'ETHCOPYA'],
      ['freqtrade-feather', 'ETHCOPYB'],
    ] as const) {
      const e = await run(format, { outDir: path.join(dir, 'roundtrip', format) });
      const src = await openFreqtrade(e.file);
      const s = await importCandles(db, src.rows, { interval: '1h', symbol, createAssetType: 'crypto' });
      assert.equal(s.inserted, N, format);
      assert.equal(s.rejected, 0);
      const copy = await rowsOf(symbol);
      assert.deepEqual(copy.map(ohlcv), stored.map(ohlcv), format);
    }
  });
});
