/** The candle import on both backends: round trips, every failure mode, idempotence, crash recovery. */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { forEachBackend } from '../helpers/backends.ts';
import type { Database } from '../../src/db/types.ts';
import { openCsv } from '../../src/market/import/csv-reader.ts';
import {
  importCandles,
  ImportRejectedError,
  type ImportOptions,
  type Reject,
  type WrittenRange,
} from '../../src/market/import/importer.ts';
import { addAsset } from '../../src/market/assets-repository.ts';
import type { RawCandle } from '../../src/market/import/validate.ts';

const HEADER = 'Date,Open,High,Low,Close,Volume,Trades,VWAP';

/** n valid daily rows from 2024-01-01, deterministic values. */
function rows(n: number, start = Date.UTC(2024, 0, 1), symbol?: string): string[] {
  return Array.from({ length: n }, (_, i) => {
    const d = new Date(start + i * 86_400_000).toISOString().slice(0, 10);
    const o = 100 + i;
    return `${symbol ? `${symbol},` : ''}${d},${o},${o + 2},${o - 1},${o + 1},${1000 + i},${10 + i},${o + 0.5}`;
  });
}

async function run(db: Database, text: string | Buffer, opts: Partial<ImportOptions> = {}) {
  const src = await openCsv('-', Readable.from([typeof text === 'string' ? Buffer.from(text) : text]));
  return importCandles(db, src.rows, { interval: '1d', ...opts });
}

async function candles(db: Database) {
  const r = await db.query<{
    symbol: string;
    ts: Date;
    open: number;
    high: number;
    low: number;
    close: number;
    volume: number;
    trades: number | null;
    vwap: number | null;
  }>(
    `SELECT a.symbol, c.ts, c.open, c.high, c.low, c.close, c.volume, c.trades, c.vwap
     FROM candles c JOIN assets a ON a.id = c.asset_id ORDER BY a.symbol, c.ts`,
  );
  return r.rows;
}

forEachBackend('candle import', (open) => {
  let db: Database;
  before(async () => {
    db = await open();
  });
  after(async () => db.close());
  beforeEach(async () => {
    await db.exec('DELETE FROM candles; DELETE FROM assets;');
    await addAsset(db, { symbol: 'AAA', name: 'A', asset_type: 'stock' });
  });

  test('round trip: every value stored as given, UTC, with the written range reported', async () => {
    const written: WrittenRange[] = [];
    const s = await run(db, [HEADER, ...rows(5)].join('\n'), {
      symbol: 'aaa',
      onWritten: (w) => void written.push(...w),
    });
    assert.deepEqual([s.rows_read, s.inserted, s.updated, s.skipped, s.rejected], [5, 5, 0, 0, 0]);
    const stored = await candles(db);
    assert.equal(stored.length, 5);
    assert.deepEqual(stored[2], {
      symbol: 'AAA',
      ts: new Date('2024-01-03T00:00:00Z'),
      open: 102,
      high: 104,
      low: 101,
      close: 103,
      volume: 1002,
      trades: 12,
      vwap: 102.5,
    });
    assert.equal(written.length, 1);
    assert.deepEqual(
      [written[0].symbol, written[0].from, written[0].to, written[0].inserted],
      ['AAA', '2024-01-01T00:00:00.000Z', '2024-01-05T00:00:00.000Z', 5],
    );
    assert.deepEqual(
      s.written.map((w) => [w.symbol, w.from, w.to]),
      [['AAA', '2024-01-01T00:00:00.000Z', '2024-01-05T00:00:00.000Z']],
    );
  });

  test('idempotent: the same file twice leaves the same rows; a changed row is updated', async () => {
    const file = [HEADER, ...rows(10)].join('\n');
    await run(db, file, { symbol: 'AAA' });
    const first = await candles(db);
    const again = await run(db, file, { symbol: 'AAA' });
    assert.deepEqual([again.inserted, again.updated, again.skipped], [0, 0, 10]);
    assert.deepEqual(await candles(db), first);
    const changed = file.replace('2024-01-04,103,105,102,104', '2024-01-04,103,105,102,104.5');
    const third = await run(db, changed, { symbol: 'AAA' });
    assert.deepEqual([third.inserted, third.updated, third.skipped], [0, 1, 9]);
    assert.deepEqual(
      third.written.map((w) => [w.from, w.to]),
      [['2024-01-04T00:00:00.000Z', '2024-01-04T00:00:00.000Z']],
    );
    assert.equal((await candles(db))[3].close, 104.5);
  });

  test('all-or-nothing by default: one bad row rejects the file, nothing written, errors name line and rule', async () => {
    const lines = [HEADER, ...rows(6)];
    lines[3] = '2024-01-03,102,101,100,103,5,1,'; // high < max(open, close): file line 4
    lines.push('2024-01-02,1,2,0.5,1.5,10,,'); // duplicate of line 3
    await assert.rejects(run(db, lines.join('\n'), { symbol: 'AAA' }), (err: unknown) => {
      assert.ok(err instanceof ImportRejectedError);
      assert.equal(err.errorCount, 2);
      assert.deepEqual(
        err.errors.map((e) => [e.line, e.rule]),
        [
          [4, 'high_ge_open_close'],
          [8, 'duplicate'],
        ],
      );
      assert.match(err.message, /nothing written/);
      assert.match(err.message, /line 8: duplicate: AAA 2024-01-02T00:00:00.000Z already appears at line 3/);
      return true;
    });
    assert.equal((await candles(db)).length, 0);
  });

  test('lists only the first 20 errors but counts all', async () => {
    const bad = Array.from({ length: 30 }, (_, i) => `2024-02-${String((i % 28) + 1).padStart(2, '0')},1,1,1,1,-1,,`);
    await assert.rejects(run(db, [HEADER, ...bad].join('\n'), { symbol: 'AAA' }), (err: unknown) => {
      assert.ok(err instanceof ImportRejectedError);
      assert.equal(err.errorCount, 30);
      assert.equal(err.errors.length, 20);
      assert.equal(err.errors[0].line, 2);
      return true;
    });
  });

  test('--skip-invalid loads the valid rows and hands every reject over with its reason', async () => {
    const lines = [HEADER, ...rows(5)];
    lines[2] = '2024-01-02,1,2,3,1.5,10,,'; // low > high
    lines.push('2024-01-01,100,102,99,101,1000,10,100.5'); // duplicate of line 2
    lines.push('2024-01-09T12:00:00Z,1,2,0.5,1.5,10,,'); // not aligned to 1d
    lines.push('2024-01-10,1,2,0.5'); // too few fields
    const rejects: Reject[] = [];
    const s = await run(db, lines.join('\n'), {
      symbol: 'AAA',
      skipInvalid: true,
      onReject: (r) => void rejects.push(r),
    });
    assert.deepEqual([s.inserted, s.rejected], [4, 4]);
    assert.deepEqual(
      rejects.map((r) => [r.line, r.rule]).sort((a, b) => (a[0] as number) - (b[0] as number)),
      [
        [3, 'low_le_high'],
        [7, 'duplicate'],
        [8, 'aligned'],
        [9, 'columns'],
      ],
    );
    assert.equal((await candles(db)).length, 4);
  });

  test('a multi-symbol file; unknown symbols are rejected with the list, or created with an asset type', async () => {
    const file = [
      'symbol,ts,open,high,low,close,volume',
      ...rows(3, undefined, 'AAA').map((r) => r.split(',').slice(0, 7).join(',')),
      ...rows(2, undefined, 'bbb').map((r) => r.split(',').slice(0, 7).join(',')),
      ...rows(1, undefined, 'CCC').map((r) => r.split(',').slice(0, 7).join(',')),
    ].join('\n');
    await assert.rejects(run(db, file), /3 rows name unknown symbols: BBB, CCC/);
    assert.equal((await candles(db)).length, 0);
    const s = await run(db, file, { createAssetType: 'crypto' });
    assert.deepEqual(s.created_assets, ['BBB', 'CCC']);
    assert.equal(s.inserted, 6);
    assert.deepEqual(
      s.written.map((w) => [w.symbol, w.inserted]),
      [
        ['AAA', 3],
        ['BBB', 2],
        ['CCC', 1],
      ],
    );
    const types = await db.query<{ symbol: string; asset_type: string }>(
      "SELECT symbol, asset_type::text FROM assets WHERE symbol <> 'AAA' ORDER BY symbol",
    );
    assert.deepEqual(types.rows, [
      { symbol: 'BBB', asset_type: 'crypto' },
      { symbol: 'CCC', asset_type: 'crypto' },
    ]);
  });

  test('an ambiguous bare symbol is an error; SYMBOL:EXCHANGE picks one', async () => {
    await addAsset(db, { symbol: 'DUP', name: 'x', asset_type: 'stock', exchange: 'NYSE' });
    await addAsset(db, { symbol: 'DUP', name: 'y', asset_type: 'stock', exchange: 'LSE' });
    await assert.rejects(
      run(db, [HEADER, ...rows(1)].join('\n'), { symbol: 'DUP' }),
      /ambiguous.*DUP:LSE, DUP:NYSE|ambiguous.*DUP:NYSE, DUP:LSE/,
    );
    const s = await run(db, [HEADER, ...rows(1)].join('\n'), { symbol: 'dup:lse' });
    assert.equal(s.inserted, 1);
    const r = await db.query<{ exchange: string }>(
      'SELECT a.exchange FROM candles c JOIN assets a ON a.id = c.asset_id',
    );
    assert.deepEqual(r.rows, [{ exchange: 'LSE' }]);
  });

  test('gzip input is recognised by its bytes', async () => {
    const s = await run(db, gzipSync(Buffer.from([HEADER, ...rows(7)].join('\n'))), { symbol: 'AAA' });
    assert.equal(s.inserted, 7);
  });

  test('a file path works as well as a stream', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-import-'));
    const file = path.join(dir, 'c.csv.gz');
    writeFileSync(file, gzipSync(Buffer.from([HEADER, ...rows(4)].join('\r\n'))));
    const src = await openCsv(file);
    const s = await importCandles(db, src.rows, { interval: '1d', symbol: 'AAA' });
    assert.equal(s.inserted, 4);
    assert.equal(src.bytesRead(), src.totalBytes);
  });

  test('--on-conflict ignore keeps stored candles; error refuses the file before writing', async () => {
    await run(db, [HEADER, ...rows(3)].join('\n'), { symbol: 'AAA' });
    const changed = [HEADER, ...rows(5).map((r) => r.replace(/,(\d+)$/, ',$1'))];
    changed[1] = '2024-01-01,100,102,99,101.5,1000,10,100.5';
    const ign = await run(db, changed.join('\n'), { symbol: 'AAA', onConflict: 'ignore' });
    assert.deepEqual([ign.inserted, ign.updated, ign.skipped], [2, 0, 3]);
    assert.equal((await candles(db))[0].close, 101);
    await assert.rejects(
      run(db, [HEADER, ...rows(6)].join('\n'), { symbol: 'AAA', onConflict: 'error' }),
      (err: unknown) => {
        assert.ok(err instanceof ImportRejectedError);
        assert.equal(err.errorCount, 5);
        assert.equal(err.errors[0].rule, 'conflict');
        return true;
      },
    );
    assert.equal((await candles(db)).length, 5, 'the new sixth row was not written either');
  });

  test('a crash mid-merge leaves whole committed batches; rerunning completes the import (staged path)', async () => {
    const file = [HEADER, ...rows(25)].join('\n');
    await assert.rejects(
      run(db, file, {
        symbol: 'AAA',
        direct: false, // the direct path is one transaction: import-direct.test.ts
        copyBatch: 7,
        mergeBatch: 10,
        beforeMergeBatch: (i) => {
          if (i === 2) throw new Error('killed');
        },
      }),
      /killed/,
    );
    const partial = await candles(db);
    assert.equal(partial.length, 20, 'two whole batches of 10');
    const s = await run(db, file, { symbol: 'AAA', mergeBatch: 10 });
    assert.deepEqual([s.inserted, s.skipped], [5, 20]);
    assert.equal((await candles(db)).length, 25);
    const left = await db.query("SELECT 1 FROM pg_class WHERE relname LIKE 'tm_stage_%' AND relpersistence = 't'");
    assert.equal(left.rowCount, 0, 'staging tables are dropped');
  });

  test('two concurrent imports of overlapping files both complete, each row once', async () => {
    const a = [HEADER, ...rows(10)].join('\n');
    const b = [HEADER, ...rows(10, Date.UTC(2024, 0, 6))].join('\n');
    const [x, y] = await Promise.all([
      run(db, a, { symbol: 'AAA', mergeBatch: 3 }),
      run(db, b, { symbol: 'AAA', mergeBatch: 3 }),
    ]);
    assert.equal(x.inserted + y.inserted, 15);
    assert.equal(x.updated + y.updated, 5, 'the overlap differs in value: the later import updates it');
    assert.equal((await candles(db)).length, 15);
  });

  test('rows numbered from 0 (API items) are checked too: a stored candle or an unknown symbol at item 0', async () => {
    await run(db, [HEADER, ...rows(2)].join('\n'), { symbol: 'AAA' });
    const item = (line: number, symbol: string, day: string) => ({
      line,
      symbol,
      ts: day,
      open: 1,
      high: 2,
      low: 0.5,
      close: 1.5,
      volume: 10,
    });
    const items = (list: RawCandle[]) =>
      (async function* () {
        yield* list;
      })();
    const rejects: Reject[] = [];
    const s = await importCandles(db, items([item(0, 'AAA', '2024-01-01'), item(1, 'AAA', '2024-01-05')]), {
      interval: '1d',
      unit: 'item',
      onConflict: 'error',
      skipInvalid: true,
      onReject: (r) => void rejects.push(r),
    });
    assert.deepEqual([s.inserted, s.rejected, rejects.map((r) => [r.line, r.rule])], [1, 1, [[0, 'conflict']]]);
    rejects.length = 0;
    const u = await importCandles(db, items([item(0, 'ZZZ', '2024-01-06'), item(1, 'AAA', '2024-01-06')]), {
      interval: '1d',
      unit: 'item',
      skipInvalid: true,
      onReject: (r) => void rejects.push(r),
    });
    assert.deepEqual([u.inserted, u.rejected, rejects.map((r) => [r.line, r.rule])], [1, 1, [[0, 'unknown_symbol']]]);
  });

  test('--asset-type creates assets only when the import is accepted', async () => {
    const file = (extra: string[]) =>
      [
        'symbol,ts,open,high,low,close,volume',
        'NEW1,2024-01-01,1,2,0.5,1.5,10',
        'NEW2,2024-01-01,1,2,0.5,1.5,10',
        ...extra,
      ].join('\n');
    const assets = async () =>
      (await db.query<{ symbol: string }>('SELECT symbol FROM assets ORDER BY symbol')).rows.map((r) => r.symbol);
    await assert.rejects(
      run(db, file(['NEW1,2024-01-02,1,2,3,1.5,10']), { createAssetType: 'stock' }),
      ImportRejectedError,
    );
    await assert.rejects(
      run(db, file(['NEW2,2024-01-01,1,2,0.5,1.5,10']), { createAssetType: 'stock' }),
      /line 4: duplicate: NEW2 .* already appears at line 3/,
    );
    assert.deepEqual(await assets(), ['AAA'], 'a rejected import leaves no new asset');
    const s = await run(db, file(['NEW2,2024-01-01,1,2,0.5,1.5,10']), { createAssetType: 'stock', skipInvalid: true });
    assert.deepEqual([s.created_assets, s.inserted, s.rejected], [['NEW1', 'NEW2'], 2, 1]);
    assert.deepEqual(
      s.written.map((w) => w.symbol),
      ['NEW1', 'NEW2'],
    );
    assert.deepEqual(await assets(), ['AAA', 'NEW1', 'NEW2']);
  });

  test('a bad timestamp or symbol is a row error naming its line, also in --skip-invalid', async () => {
    const lines = [
      'symbol,ts,open,high,low,close,volume',
      'AAA,2024-01-01,1,2,0.5,1.5,10',
      'AAA,9000000000000000,1,2,0.5,1.5,10',
      'AAA,300000000000000,1,2,0.5,1.5,10',
      'AAA:,2024-01-02,1,2,0.5,1.5,10',
      `${'X'.repeat(33)},2024-01-02,1,2,0.5,1.5,10`,
    ];
    await assert.rejects(run(db, lines.join('\n')), (err: unknown) => {
      assert.ok(err instanceof ImportRejectedError);
      assert.deepEqual(
        err.errors.map((e) => [e.line, e.rule]),
        [
          [3, 'timestamp'],
          [4, 'timestamp'],
          [5, 'symbol'],
          [6, 'symbol'],
        ],
      );
      return true;
    });
    const rejects: Reject[] = [];
    const s = await run(db, lines.join('\n'), { skipInvalid: true, onReject: (r) => void rejects.push(r) });
    assert.deepEqual(
      [s.inserted, rejects.map((r) => [r.line, r.rule])],
      [
        1,
        [
          [3, 'timestamp'],
          [4, 'timestamp'],
          [5, 'symbol'],
          [6, 'symbol'],
        ],
      ],
    );
  });

  test('header problems and a missing symbol are clear errors', async () => {
    await assert.rejects(
      run(db, 'date,time,open,high,low,close,volume\n2024-01-01,09:30,1,2,0.5,1.5,10', { symbol: 'AAA' }),
      /2 timestamp columns \(date, time\)/,
    );
    await assert.rejects(run(db, 'date,open,high,low\n2024-01-01,1,2,0.5', { symbol: 'AAA' }), /lacks close, volume/);
    await assert.rejects(run(db, ''), /input is empty/);
    await assert.rejects(run(db, [HEADER, ...rows(1)].join('\n')), ImportRejectedError);
  });
});
