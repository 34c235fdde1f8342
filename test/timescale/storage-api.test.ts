/**
 * The columnstore API (TimescaleDB 2.18+) and the compression API it replaced: tm reads which one the
 * database has from its catalog and uses it; TM_STORAGE_API=compression forces the old one. `tm
 * compression` works the same through either: settings, policy job, converting chunks and back, sizes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../../src/db/types.ts';
import { storageApi, type StorageApi } from '../../src/timescale/columnstore-api.ts';
import {
  addCompressionPolicy,
  compressChunks,
  compressionSettings,
  compressionStatus,
  decompressChunk,
  enableCompression,
  removeCompressionPolicy,
} from '../../src/timescale/compression.ts';
import { hypertableStats, listChunks } from '../../src/timescale/hypertables.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { serverHasTimescale } from '../helpers/db.ts';
import { insertAssets, insertCandles } from '../helpers/candles.ts';

/** Runs fn with TM_STORAGE_API set as given (undefined: unset), restoring it after. */
async function withApi<T>(value: string | undefined, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.TM_STORAGE_API;
  if (value === undefined) delete process.env.TM_STORAGE_API;
  else process.env.TM_STORAGE_API = value;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.TM_STORAGE_API;
    else process.env.TM_STORAGE_API = saved;
  }
}

forEachBackend('columnstore and compression APIs', (open, backend) => {
  const skip = backend === 'server' && !serverHasTimescale ? 'the test server has no TimescaleDB' : undefined;
  let db: Database;
  before(async () => {
    if (skip) return;
    db = await open();
    await insertAssets(db, 3);
    await insertCandles(db, {
      interval: '1h',
      step: '1 hour',
      from: "date_trunc('hour', now()) - interval '60 days'",
      to: "date_trunc('hour', now())",
    });
  });
  after(async () => {
    await db?.close();
  });

  test('the catalog decides: both of our TimescaleDB builds have the columnstore API', { skip }, async () => {
    assert.equal(await withApi(undefined, () => storageApi(db)), 'columnstore');
    assert.equal(await withApi('compression', () => storageApi(db)), 'compression');
    await assert.rejects(
      withApi('hypercore', () => storageApi(db)),
      /TM_STORAGE_API must be columnstore or compression, got "hypercore"/,
    );
  });

  for (const api of ['columnstore', 'compression'] as StorageApi[]) {
    test(`tm compression through the ${api} API: settings, policy, chunks in and out, sizes`, { skip }, async () => {
      await withApi(api, async () => {
        // Unmerged, so chunks are counted one by one (merging: test/timescale/chunk-merge.test.ts).
        const set = await enableCompression(db, {
          segmentby: 'asset_id, interval',
          orderby: 'ts DESC',
          mergeUpTo: '0',
        });
        assert.deepEqual(set, { segmentby: ['asset_id', 'interval'], orderby: ['ts DESC'], merge_up_to: null });
        const read = await compressionSettings(db);
        assert.deepEqual(
          { enabled: read.enabled, segmentby: read.segmentby, orderby: read.orderby.map((o) => o.split(' ')[0]) },
          { enabled: true, segmentby: ['asset_id', 'interval'], orderby: ['ts'] },
        );
        // Chunks first, the policy after: on the server a policy's job starts converting chunks at once
        // (background workers), concurrently with whatever the test does next.
        const old = (
          await db.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM show_chunks('candles', older_than => interval '30 days')",
          )
        ).rows[0].n;
        const before = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM candles')).rows[0].n;
        const done = await compressChunks(db, '30d');
        assert.ok(done.compressed.length > 0, 'old chunks were converted');
        const after = await compressionStatus(db);
        assert.equal(after.compressed_chunks, old, 'every chunk older than 30 days is in the columnstore');
        assert.ok((after.compression_ratio ?? 0) > 1, `a ratio is reported (${after.compression_ratio})`);
        const stats = await hypertableStats(db);
        assert.equal(stats.compressed_chunks, old);
        const chunks = (await listChunks(db)).items.filter((c) => c.is_compressed);
        assert.ok(chunks.every((c) => c.before_compression_bytes !== null && c.before_compression_bytes > 0));
        assert.equal((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM candles')).rows[0].n, before);

        for (const c of chunks) assert.equal((await decompressChunk(db, c.chunk_name)).decompressed, true);
        assert.equal((await compressionStatus(db)).compressed_chunks, 0);

        const policy = await addCompressionPolicy(db, '30d');
        assert.equal(policy.created, true);
        const status = await compressionStatus(db);
        assert.equal(status.policy?.job_id, policy.job_id, 'the job the API made is the one tm reports');
        assert.deepEqual(await removeCompressionPolicy(db), { removed: true, job_id: policy.job_id });
        assert.equal((await compressionStatus(db)).policy, null);
        // What the job converted while it existed goes back, so the next test starts from the rowstore.
        for (const c of (await listChunks(db)).items.filter((x) => x.is_compressed))
          await decompressChunk(db, c.chunk_name);
      });
    });
  }
});
