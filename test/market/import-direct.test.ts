/**
 * The import's direct path (src/market/import/direct.ts) on both backends: rows that cannot conflict go
 * straight into candles with a binary COPY in one transaction; anything else gives way to the staged path,
 * which then answers exactly as it did before the direct path existed.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { forEachBackend } from '../helpers/backends.ts';
import type { Database } from '../../src/db/types.ts';
import { openCsv } from '../../src/market/import/csv-reader.ts';
import {
  importCandles,
  ImportRejectedError,
  type ImportOptions,
  type Reject,
} from '../../src/market/import/importer.ts';
import { addAsset } from '../../src/market/assets-repository.ts';
import { lockSeries } from '../../src/market/candle-series.ts';
import type { Candle } from '../../src/market/candles-repository.ts';
import { untilTrue } from '../helpers/wait.ts';

const HEADER = 'symbol,ts,open,high,low,close,volume,trades,vwap';
const DAY = 86_400_000;

/** n daily rows of `symbol` from `start`, values derived from the day number (and `bump`). */
function rows(symbol: string, n: number, start = Date.UTC(2024, 0, 1), bump = 0): string[] {
  return Array.from({ length: n }, (_, i) => {
    const day = Math.round((start - Date.UTC(2024, 0, 1)) / DAY) + i;
    const o = 100 + day + bump;
    const d = new Date(start + i * DAY).toISOString().slice(0, 10);
    return `${symbol},${d},${o},${o + 2},${o - 1},${o + 1},${1000 + day},${10 + day},${o + 0.5}`;
  });
}

const csv = (lines: string[]) => [HEADER, ...lines].join('\n');

async function run(db: Database, text: string, opts: Partial<ImportOptions> = {}) {
  const src = await openCsv('-', Readable.from([Buffer.from(text)]));
  return importCandles(db, src.rows, { interval: '1d', ...opts });
}

type Stored = { symbol: string; ts: string; open: number; close: number; volume: number; trades: number | null };

async function stored(db: Database): Promise<Stored[]> {
  const r = await db.query<Stored & { ts: Date }>(
    `SELECT a.symbol, c.ts, c.open, c.close, c.volume, c.trades FROM candles c JOIN assets a ON a.id = c.asset_id
     ORDER BY a.symbol, c.ts`,
  );
  return r.rows.map((x) => ({ ...x, ts: x.ts.toISOString() }));
}

async function series(db: Database) {
  const r = await db.query<{ symbol: string; first_ts: Date; last_ts: Date; candles: number }>(
    `SELECT a.symbol, s.first_ts, s.last_ts, s.candles FROM candle_series s JOIN assets a ON a.id = s.asset_id
     ORDER BY a.symbol`,
  );
  return r.rows.map((x) => [
    x.symbol,
    x.first_ts.toISOString().slice(0, 10),
    x.last_ts.toISOString().slice(0, 10),
    x.candles,
  ]);
}

/**
 * `text` imported after `setup` by the first pass, split into [rows, assets] direct and upserted, with
 * [inserted, updated] written; then, from scratch, by the staged path alone: the same summary and stored state.
 */
async function expectSplitAsStaged(
  db: Database,
  setup: string,
  text: string,
  want: { direct: [number, number]; upsert: [number, number]; written: [number, number] },
) {
  await run(db, setup);
  const s = await run(db, text);
  const viaFirstPass = [await stored(db), await series(db)];
  await db.exec('DELETE FROM candles; DELETE FROM candle_series; DELETE FROM candle_writes;');
  await run(db, setup, { direct: false });
  const t = await run(db, text, { direct: false });
  assert.equal(s.path, 'split');
  assert.deepEqual(
    s.parts.map((p) => [p.path, p.rows, p.assets]),
    [
      ['direct', ...want.direct],
      ['upsert', ...want.upsert],
    ],
  );
  const summary = (x: typeof s) => [x.rows_read, x.inserted, x.updated, x.skipped, x.written];
  assert.deepEqual(summary(s), summary(t));
  assert.deepEqual([s.inserted, s.updated], want.written);
  assert.deepEqual(viaFirstPass, [await stored(db), await series(db)]);
  return { s };
}

forEachBackend('candle import, direct path', (open, backend) => {
  let db: Database;
  before(async () => {
    db = await open();
  });
  after(async () => db.close());
  beforeEach(async () => {
    await db.exec('DELETE FROM candles; DELETE FROM candle_writes; DELETE FROM candle_series; DELETE FROM assets;');
    for (const symbol of ['AAA', 'BBB']) await addAsset(db, { symbol, name: symbol, asset_type: 'stock' });
  });

  test('new series of known assets go direct: every value stored as given, bounds and write log recorded', async () => {
    const text = csv([
      ...rows('AAA', 3),
      'BBB,1950-06-01,1.5,2.5,0.5,2,0,,', // before 2000 (negative PostgreSQL time), no trades, no vwap
      'BBB,2600-01-01,3,4,2,3.5,7.25,9007199254740991,3.1', // beyond 2^53 microseconds; the largest safe trades
    ]);
    const s = await run(db, text);
    assert.equal(s.path, 'direct');
    assert.deepEqual([s.rows_read, s.inserted, s.updated, s.skipped, s.rejected], [5, 5, 0, 0, 0]);
    assert.deepEqual(
      s.written.map((w) => [w.symbol, w.from.slice(0, 10), w.to.slice(0, 10), w.inserted]),
      [
        ['AAA', '2024-01-01', '2024-01-03', 3],
        ['BBB', '1950-06-01', '2600-01-01', 2],
      ],
    );
    const r = await db.query<Candle & { interval: string }>(
      `SELECT c.ts, c.open, c.high, c.low, c.close, c.volume, c.trades, c.vwap, c."interval"::text AS "interval"
       FROM candles c JOIN assets a ON a.id = c.asset_id WHERE a.symbol = 'BBB' ORDER BY c.ts`,
    );
    assert.deepEqual(r.rows, [
      {
        ts: new Date('1950-06-01T00:00:00Z'),
        open: 1.5,
        high: 2.5,
        low: 0.5,
        close: 2,
        volume: 0,
        trades: null,
        vwap: null,
        interval: '1d',
      },
      {
        ts: new Date('2600-01-01T00:00:00Z'),
        open: 3,
        high: 4,
        low: 2,
        close: 3.5,
        volume: 7.25,
        trades: 9007199254740991,
        vwap: 3.1,
        interval: '1d',
      },
    ]);
    assert.deepEqual((await stored(db)).slice(0, 1), [
      { symbol: 'AAA', ts: '2024-01-01T00:00:00.000Z', open: 100, close: 101, volume: 1000, trades: 10 },
    ]);
    assert.deepEqual(await series(db), [
      ['AAA', '2024-01-01', '2024-01-03', 3],
      ['BBB', '1950-06-01', '2600-01-01', 2],
    ]);
    const writes = await db.query<{ rows: number }>('SELECT rows FROM candle_writes ORDER BY rows');
    assert.deepEqual(
      writes.rows.map((w) => w.rows),
      [2, 3],
      'one write-log row per series',
    );
  });

  test('the staged path (direct off, binary COPY into staging) stores every value as the direct path does', async () => {
    const text = csv([
      ...rows('AAA', 3),
      'BBB,1950-06-01,1.5,2.5,0.5,2,0,,',
      'BBB,2600-01-01,3,4,2,3.5,7.25,9007199254740991,3.1',
    ]);
    const all = () =>
      db.query(
        `SELECT a.symbol, c.ts, c."interval"::text, c.open, c.high, c.low, c.close, c.volume, c.trades, c.vwap
         FROM candles c JOIN assets a ON a.id = c.asset_id ORDER BY a.symbol, c.ts`,
      );
    assert.equal((await run(db, text)).path, 'direct');
    const direct = (await all()).rows;
    await db.exec('DELETE FROM candles; DELETE FROM candle_series;');
    const s = await run(db, text, { direct: false });
    assert.deepEqual([s.path, s.inserted], ['staged', 5]);
    assert.deepEqual((await all()).rows, direct);
  });

  test('two references to one asset, each in time order: a repeated time is still a duplicate', async () => {
    await addAsset(db, { symbol: 'CCC', name: 'CCC', asset_type: 'stock', exchange: 'XX' });
    const text = csv([...rows('CCC', 2), rows('CCC:XX', 1, Date.UTC(2024, 0, 2))[0]]);
    for (const direct of [true, false])
      await assert.rejects(
        run(db, text, { direct }),
        /line 4: duplicate: CCC:XX 2024-01-02T00:00:00.000Z already appears at line 3/,
      );
    assert.deepEqual(await stored(db), []);
  });

  test('appending after the stored candles goes direct; the same file again is staged and changes nothing', async () => {
    const first = csv(rows('AAA', 5));
    assert.equal((await run(db, first)).path, 'direct');
    const next = csv(rows('AAA', 5, Date.UTC(2024, 0, 6)));
    const s = await run(db, next);
    assert.deepEqual([s.path, s.inserted], ['direct', 5]);
    const before = await stored(db);
    const again = await run(db, next);
    assert.deepEqual([again.path, again.inserted, again.updated, again.skipped], ['staged', 0, 0, 5]);
    assert.deepEqual(await stored(db), before);
    assert.deepEqual(await series(db), [['AAA', '2024-01-01', '2024-01-10', 10]]);
  });

  test('a file that overlaps stored candles part-way: the rest goes direct, the overlap is staged, as the staged path alone would', async () => {
    // BBB is a new series; AAA's first three rows overlap its stored candles, its last three are later.
    const setup = csv(rows('AAA', 5));
    const text = csv([...rows('BBB', 4), ...rows('AAA', 6, Date.UTC(2024, 0, 3), 1)]);
    const { s } = await expectSplitAsStaged(db, setup, text, { direct: [7, 2], upsert: [3, 1], written: [7, 3] });
    assert.match(s.parts[1].why ?? '', /at or before the stored candles/);
  });

  test('an invalid row after rows already copied rejects the whole input with every error listed, nothing written', async () => {
    const lines = rows('AAA', 6);
    lines[4] = 'AAA,2024-01-05,1,2,3,1.5,10,,'; // low > high: line 6
    lines.push(rows('AAA', 1, Date.UTC(2024, 0, 2))[0]); // a duplicate of line 3: line 8
    await assert.rejects(run(db, csv(lines), { copyBatch: 2 }), (err: unknown) => {
      assert.ok(err instanceof ImportRejectedError);
      assert.deepEqual(
        err.errors.map((e) => [e.line, e.rule]),
        [
          [6, 'low_le_high'],
          [8, 'duplicate'],
        ],
      );
      return true;
    });
    assert.deepEqual(await stored(db), []);
    assert.deepEqual(await series(db), []);
  });

  test('--skip-invalid stays direct: invalid rows go to the rejects sink', async () => {
    const lines = rows('AAA', 4);
    lines[1] = 'AAA,2024-01-02,1,2,0.5,1.5,-1,,'; // negative volume: line 3
    const rejects: Reject[] = [];
    const s = await run(db, csv(lines), { skipInvalid: true, onReject: (r) => void rejects.push(r) });
    assert.deepEqual([s.path, s.inserted, s.rejected], ['direct', 3, 1]);
    assert.deepEqual(
      rejects.map((r) => [r.line, r.rule]),
      [[3, 'volume_nonneg']],
    );
  });

  test('a crash during the direct COPY leaves nothing (one transaction); running again completes', async () => {
    const text = csv(rows('AAA', 25));
    await assert.rejects(
      run(db, text, {
        copyBatch: 7,
        beforeDirectBatch: (i) => {
          if (i === 2) throw new Error('killed');
        },
      }),
      /killed/,
    );
    assert.deepEqual(await stored(db), [], 'the first two COPY batches were rolled back with the rest');
    assert.deepEqual(await series(db), []);
    const s = await run(db, text, { copyBatch: 7 });
    assert.deepEqual([s.path, s.inserted], ['direct', 25]);
  });

  test('newest-first files go direct too, and their overlap with stored candles is upserted, as the staged path would', async () => {
    // AAA: 5 days stored; the file has 8 days newest first, its last 3 rows at or before the stored ones.
    // BBB: a new series, newest first.
    const setup = csv(rows('AAA', 5));
    const text = csv([...rows('AAA', 8, Date.UTC(2024, 0, 3), 1).reverse(), ...rows('BBB', 4).reverse()]);
    await expectSplitAsStaged(db, setup, text, { direct: [9, 2], upsert: [3, 1], written: [9, 3] });
    assert.deepEqual(await series(db), [
      ['AAA', '2024-01-01', '2024-01-10', 10],
      ['BBB', '2024-01-01', '2024-01-04', 4],
    ]);
  });

  test('rows out of time order give way to the staged path; duplicates are found as before', async () => {
    // Among rows at or before the stored candles: day 3, day 1, then day 2 (inside what was upserted).
    await run(db, csv(rows('AAA', 5)));
    const [a1, a2, a3] = rows('AAA', 3, Date.UTC(2024, 0, 1), 1);
    const zigzag = await run(db, csv([a3, a1, a2]));
    assert.deepEqual([zigzag.path, zigzag.updated], ['staged', 3]);
    assert.match(zigzag.parts[0].why ?? '', /out of order among rows that may be stored/);
    const [d1, d2, d3] = rows('BBB', 3, Date.UTC(2025, 0, 1));
    const inside = await run(db, csv([d1, d3, d2]));
    assert.deepEqual([inside.path, inside.inserted, inside.parts[0].why], ['staged', 3, inside.parts[0].why]);
    assert.match(inside.parts[0].why ?? '', /within the rows taken directly/);
    await db.exec(
      "DELETE FROM candles WHERE asset_id IN (SELECT id FROM assets WHERE symbol = 'BBB'); DELETE FROM candle_series;",
    );
    const dup = [...rows('BBB', 3), rows('BBB', 1, Date.UTC(2024, 0, 3))[0]];
    await assert.rejects(
      run(db, csv(dup)),
      /line 5: duplicate: BBB 2024-01-03T00:00:00.000Z already appears at line 4/,
    );
    assert.deepEqual(
      (await stored(db)).filter((r) => r.symbol === 'BBB'),
      [],
    );
  });

  test('candles written by plain SQL that candle_series does not know: the unique index turns the COPY back', async () => {
    // As a writer that bypasses the triggers recording plain SQL's writes (migration 0012) would leave it.
    await db.transaction(async (tx) => {
      await tx.query("SELECT set_config('tm.series_recorded', 'on', true)");
      await tx.exec(`INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume)
                     SELECT id, '2024-01-03', '1d', 1, 1, 1, 1, 1 FROM assets WHERE symbol = 'AAA'`);
    });
    assert.deepEqual(await series(db), [], 'candle_series does not know the row');
    const s = await run(db, csv(rows('AAA', 5)));
    assert.deepEqual([s.path, s.inserted, s.updated], ['staged', 4, 1]);
    assert.equal((await stored(db))[2].close, 103);
  });

  test('unknown symbols with an asset type are created in the transaction of their candles: direct', async () => {
    const s = await run(db, csv([...rows('AAA', 2), ...rows('NEW1', 2), ...rows('NEW2:X', 1)]), {
      createAssetType: 'crypto',
      copyBatch: 2,
    });
    assert.deepEqual([s.path, s.inserted, s.created_assets], ['direct', 5, ['NEW1', 'NEW2:X']]);
    const made = await db.query<{ symbol: string; exchange: string | null; asset_type: string }>(
      "SELECT symbol, exchange, asset_type FROM assets WHERE symbol LIKE 'NEW%' ORDER BY symbol",
    );
    assert.deepEqual(made.rows, [
      { symbol: 'NEW1', exchange: null, asset_type: 'crypto' },
      { symbol: 'NEW2', exchange: 'X', asset_type: 'crypto' },
    ]);
    assert.deepEqual(await series(db), [
      ['AAA', '2024-01-01', '2024-01-02', 2],
      ['NEW1', '2024-01-01', '2024-01-02', 2],
      ['NEW2', '2024-01-01', '2024-01-01', 1],
    ]);
  });

  test('a rejected input with new symbols creates no asset and writes nothing, direct or split', async () => {
    const known = csv(rows('AAA', 3));
    await run(db, known);
    const before = await stored(db);
    const invalid = [...rows('NEW1', 4), 'NEW1,2024-01-09,1,2,3,1.5,10,,']; // low > high at the end: line 6
    await assert.rejects(run(db, csv(invalid), { createAssetType: 'stock', copyBatch: 2 }), /line 6: low_le_high/);
    // The overlap is staged and checked before the commit: its duplicate rejects the direct rows too.
    const dup = [...rows('NEW2', 3), ...rows('AAA', 5, Date.UTC(2024, 0, 2)), rows('AAA', 1, Date.UTC(2024, 0, 2))[0]];
    await assert.rejects(run(db, csv(dup), { createAssetType: 'stock', copyBatch: 2 }), (err: unknown) => {
      assert.ok(err instanceof ImportRejectedError);
      assert.deepEqual(
        err.errors.map((e) => [e.line, e.rule]),
        [[10, 'duplicate']],
      );
      return true;
    });
    // --on-conflict error: the staged overlap conflicts, so nothing of the input is written.
    await assert.rejects(
      run(db, csv([...rows('NEW3', 2), ...rows('AAA', 4)]), { createAssetType: 'stock', onConflict: 'error' }),
      /already stored/,
    );
    const assets = await db.query<{ symbol: string }>('SELECT symbol FROM assets ORDER BY symbol');
    assert.deepEqual(
      assets.rows.map((a) => a.symbol),
      ['AAA', 'BBB'],
    );
    assert.deepEqual(await stored(db), before);
    assert.deepEqual(await series(db), [['AAA', '2024-01-01', '2024-01-03', 3]]);
  });

  test('--skip-invalid: a duplicate of an upserted row gives way, is rejected, every other row written', async () => {
    await run(db, csv(rows('AAA', 3)));
    const text = csv([...rows('AAA', 5, Date.UTC(2024, 0, 2), 1), rows('AAA', 1, Date.UTC(2024, 0, 2), 2)[0]]);
    const rejects: Reject[] = [];
    const s = await run(db, text, { skipInvalid: true, onReject: (r) => void rejects.push(r) });
    assert.deepEqual([s.path, s.inserted, s.updated, s.rejected], ['staged', 3, 2, 1]);
    assert.deepEqual(
      rejects.map((r) => [r.line, r.rule]),
      [[7, 'duplicate']],
    );
    assert.deepEqual(
      (await stored(db)).map((r) => r.close),
      [101, 103, 104, 105, 106, 107],
    );
  });

  test('a re-import of the same file changes nothing: no candle, bound or write-log row', async () => {
    const text = csv([...rows('AAA', 4), ...rows('NEW1', 4)]);
    const first = await run(db, text, { createAssetType: 'stock' });
    assert.deepEqual([first.path, first.inserted], ['direct', 8]);
    const [candles, bounds, writes] = [
      await stored(db),
      await series(db),
      await db.query('SELECT * FROM candle_writes'),
    ];
    const again = await run(db, text, { createAssetType: 'stock' });
    assert.deepEqual(
      [again.path, again.inserted, again.updated, again.skipped, again.created_assets],
      ['staged', 0, 0, 8, []],
    );
    assert.deepEqual(
      again.parts.map((p) => [p.path, p.rows, p.assets]),
      [['upsert', 8, 2]],
      'upserted in the first pass: nothing to stage',
    );
    assert.deepEqual(await stored(db), candles);
    assert.deepEqual(await series(db), bounds);
    assert.equal((await db.query('SELECT * FROM candle_writes')).rowCount, writes.rowCount);
  });

  test('concurrent imports creating the same new symbols: one asset each, every row once, no error', async () => {
    const file = (from: number, bump: number) =>
      csv(['N1', 'N2', 'N3'].flatMap((sym) => rows(sym, 10, Date.UTC(2024, 0, 1 + from), bump)));
    const results = await Promise.all(
      [0, 5, 0, 5].map((from, i) => run(db, file(from, i), { createAssetType: 'stock', copyBatch: 4 })),
    );
    const assets = await db.query<{ symbol: string; n: number }>(
      "SELECT symbol, count(*)::int AS n FROM assets WHERE symbol LIKE 'N%' GROUP BY symbol ORDER BY symbol",
    );
    assert.deepEqual(
      assets.rows.map((a) => [a.symbol, a.n]),
      [
        ['N1', 1],
        ['N2', 1],
        ['N3', 1],
      ],
    );
    const keys = await db.query<{ n: number; distinct_keys: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT (asset_id, ts))::int AS distinct_keys FROM candles c
        JOIN assets a ON a.id = c.asset_id WHERE a.symbol LIKE 'N%'`,
    );
    assert.deepEqual(keys.rows[0], { n: 45, distinct_keys: 45 });
    assert.equal(
      results.reduce((n, r) => n + r.inserted, 0),
      45,
      'each candle inserted by exactly one import',
    );
    assert.deepEqual(await series(db), [
      ['N1', '2024-01-01', '2024-01-15', 15],
      ['N2', '2024-01-01', '2024-01-15', 15],
      ['N3', '2024-01-01', '2024-01-15', 15],
    ]);
  });

  test('two concurrent imports of one series: each row stored once, the later range after the earlier', async () => {
    const a = csv(rows('AAA', 10));
    const b = csv(rows('AAA', 10, Date.UTC(2024, 0, 8), 1)); // overlaps the last 3 days of a, other values
    const [x, y] = await Promise.all([run(db, a, { copyBatch: 3 }), run(db, b, { copyBatch: 3 })]);
    assert.equal(x.inserted + y.inserted, 17);
    assert.equal((await stored(db)).length, 17);
    assert.deepEqual(await series(db), [['AAA', '2024-01-01', '2024-01-17', 17]]);
    assert.ok([x.path, y.path].includes('direct'), 'one of them went direct');
  });

  if (backend === 'server') {
    test('a series another transaction holds: the import gives way and its merge waits for the lock', async () => {
      const id = (await db.query<{ id: string }>("SELECT id FROM assets WHERE symbol = 'AAA'")).rows[0].id;
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => {
        locked = r;
      });
      const holder = db.transaction(async (tx) => {
        await lockSeries(tx, [id], '1d');
        locked();
        await held;
      });
      await isLocked;
      let done = false;
      const importing = run(db, csv(rows('AAA', 3))).then((s) => {
        done = true;
        return s;
      });
      // The import's own session waiting on a lock is the event: until then "not done" would prove nothing.
      await untilTrue('the import waiting for the series lock', async () => {
        const r = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
        );
        return r.rows[0].n > 0 || done;
      });
      assert.equal(done, false, 'the merge waits for the series lock');
      release();
      await holder;
      const s = await importing;
      assert.deepEqual([s.path, s.inserted], ['staged', 3]);
    });
  }
});
