/**
 * Compressed chunks merged up to a span (`tm compression enable --merge-up-to`, 28 days by default) and
 * no bloom filters for candles' id: fewer, fuller compressed chunks (docs/timescaledb.md, "Where the
 * space goes"). Checked on both backends: old chunks end compressed and merged, every row and every read
 * the same as before, a correction written into a merged chunk is read back; bad spans are clear errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../../src/db/types.ts';
import { compressChunks, compressionStatus, enableCompression } from '../../src/timescale/compression.ts';
import { listChunks } from '../../src/timescale/hypertables.ts';
import { forEachBackend, hourlyCandlesDb } from '../helpers/backends.ts';

const OLD = "now() - interval '30 days'";

/** What the product reads: the latest bars of each asset, a day's range, and totals. */
async function reads(db: Database): Promise<unknown> {
  const latest = await db.query(
    `SELECT a.symbol, c.ts, c.close FROM assets a
       CROSS JOIN LATERAL (SELECT ts, close FROM candles WHERE asset_id = a.id AND "interval" = '1h'
                            ORDER BY ts DESC LIMIT 5) c ORDER BY 1, 2`,
  );
  const range = await db.query(
    `SELECT asset_id, ts, open, high, low, close, volume FROM candles
      WHERE ts >= date_trunc('day', now()) - interval '40 days' AND ts < date_trunc('day', now()) - interval '39 days'
      ORDER BY asset_id, ts`,
  );
  const totals = await db.query(
    'SELECT count(*)::int AS n, round(sum(close)::numeric, 6)::text AS s, min(ts) AS first, max(ts) AS last FROM candles',
  );
  return { latest: latest.rows, range: range.rows, totals: totals.rows };
}

forEachBackend('compressed chunks merged', (open, backend) => {
  const fixture = hourlyCandlesDb(open, backend, { assets: 3, days: 90 });
  const skip = fixture.skip;

  test('a span that is not whole chunks, or not a duration, is refused before anything changes', { skip }, async () => {
    const db = fixture.db();
    await assert.rejects(enableCompression(db, { mergeUpTo: '10d' }), /not a whole number of chunk intervals/);
    await assert.rejects(enableCompression(db, { mergeUpTo: '3d' }), /not a whole number of chunk intervals/);
    await assert.rejects(enableCompression(db, { mergeUpTo: 'soon' }), /--merge-up-to "soon" is not a duration/);
    assert.equal((await compressionStatus(db)).enabled, false);
    const off = await enableCompression(db, { mergeUpTo: '0' });
    assert.equal(off.merge_up_to, null);
    assert.equal((await compressionStatus(db)).merge_up_to, null);
  });

  test('old chunks compress merged up to 28 days; every read is the same; a correction lands', { skip }, async () => {
    const db = fixture.db();
    const set = await enableCompression(db);
    assert.equal(set.merge_up_to, '28 days');
    assert.equal((await compressionStatus(db)).merge_up_to, '28 days');
    const before = await reads(db);
    const oldChunks = (await listChunks(db)).items.filter((c) => c.range_end.getTime() <= Date.now() - 30 * 86_400_000);
    assert.ok(oldChunks.length >= 8, `${oldChunks.length} old chunks`);

    await compressChunks(db, '30d');
    const compressed = (await listChunks(db)).items.filter((c) => c.is_compressed);
    assert.ok(
      compressed.length < oldChunks.length && compressed.length >= Math.ceil(oldChunks.length / 4),
      `${oldChunks.length} old chunks became ${compressed.length} compressed ones`,
    );
    const first = Math.min(...oldChunks.map((c) => c.range_start.getTime()));
    const last = Math.max(...oldChunks.map((c) => c.range_end.getTime()));
    assert.equal(Math.min(...compressed.map((c) => c.range_start.getTime())), first);
    assert.equal(Math.max(...compressed.map((c) => c.range_end.getTime())), last);
    assert.ok(
      compressed.some((c) => c.range_end.getTime() - c.range_start.getTime() > 7 * 86_400_000),
      'some compressed chunk spans more than one 7-day chunk',
    );
    const uncompressedOld = await db.query(
      `SELECT chunk_name FROM timescaledb_information.chunks
        WHERE hypertable_name = 'candles' AND NOT is_compressed AND range_end <= ${OLD}`,
    );
    assert.deepEqual(uncompressedOld.rows, []);
    assert.deepEqual(await reads(db), before);

    // No bloom filters for id in the compressed chunks' sparse index (the pkey would add them).
    const blooms = await db.query(
      "SELECT relid::text FROM _timescaledb_catalog.compression_settings WHERE index::text LIKE '%bloom%'",
    );
    assert.deepEqual(blooms.rows, []);

    // A correction of a bar inside a merged compressed chunk is written and read back.
    const fix = await db.query<{ n: number }>(
      `UPDATE candles SET close = 123.5, high = greatest(high, 123.5), low = least(low, 123.5)
        WHERE ts = date_trunc('hour', now()) - interval '60 days' AND "interval" = '1h'`,
    );
    assert.equal(fix.rowCount, 3);
    const back = await db.query<{ close: number }>(
      `SELECT close FROM candles WHERE ts = date_trunc('hour', now()) - interval '60 days' AND "interval" = '1h'`,
    );
    assert.deepEqual(
      back.rows.map((r) => r.close),
      [123.5, 123.5, 123.5],
    );
  });
});
