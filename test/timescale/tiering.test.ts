/**
 * Tiering without the cloud (issue 27): a tablespace on another directory and a job that moves chunks
 * older than an age there, compressed ones included; the doctor reports sizes per tablespace. The
 * embedded database has no tablespaces and says so; a server without TimescaleDB has no jobs.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../../src/db/types.ts';
import { compressChunks, enableCompression } from '../../src/timescale/compression.ts';
import { runDoctor } from '../../src/timescale/doctor.ts';
import { runJob } from '../../src/timescale/jobs.ts';
import {
  addTablespace,
  addTierPolicy,
  listTablespaces,
  removeTierPolicy,
  tierPolicies,
} from '../../src/timescale/tiering.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { insertAssets, insertCandles } from '../helpers/candles.ts';
import { chownTree } from '../helpers/pg-cluster.ts';

/** Each chunk of candles with where it is stored, oldest first. */
async function chunkPlaces(db: Database) {
  const r = await db.query<{ chunk: string; tablespace: string; compressed: boolean; old: boolean }>(
    `SELECT chunk_name AS chunk, coalesce(chunk_tablespace, 'pg_default') AS tablespace, is_compressed AS compressed,
            range_end <= now() - interval '60 days' AS old
       FROM timescaledb_information.chunks WHERE hypertable_name = 'candles' ORDER BY range_start`,
  );
  return r.rows;
}

forEachBackend(
  'tiering',
  (open, backend, name) => {
    let db: Database;
    let dir = '';
    // Tablespaces belong to the whole cluster, which other test files share: a name of this run's own.
    const space = `cold_${process.pid}`;
    before(async () => {
      db = await open();
      dir = mkdtempSync(path.join(os.tmpdir(), 'tm-tier-'));
      chownTree(dir);
    });
    after(async () => {
      await db?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    if (backend === 'embedded') {
      test('the embedded database has no tablespaces, and says so', async () => {
        await assert.rejects(
          addTablespace(db, 'cold', dir),
          /needs a PostgreSQL server: the embedded database keeps all its data in one directory/,
        );
        await assert.rejects(
          addTierPolicy(db, { tablespace: 'cold', olderThan: '1y' }),
          /a tiering policy needs a PostgreSQL server/,
        );
        assert.deepEqual(
          (await listTablespaces(db)).map((t) => t.name),
          ['pg_default'],
        );
      });
      return;
    }

    if (name === 'server-plain') {
      test('without TimescaleDB: a tablespace can be made, a tiering job cannot', async () => {
        const made = await addTablespace(db, `${space}_plain`, dir);
        assert.equal(made.location, dir);
        await assert.rejects(addTierPolicy(db, { tablespace: made.name, olderThan: '1y' }), /TimescaleDB/);
        assert.deepEqual(await tierPolicies(db), []);
      });
      return;
    }

    test('bad names and paths are refused before anything is made', async () => {
      await assert.rejects(addTablespace(db, 'Cold Disk', dir), /must be lower-case letters, digits and _/);
      await assert.rejects(addTablespace(db, 'pg_cold', dir), /reserved by PostgreSQL/);
      await assert.rejects(addTablespace(db, space, 'relative/dir'), /must be absolute/);
      await assert.rejects(
        addTablespace(db, space, path.join(dir, 'missing')),
        /could not create tablespace .* must exist on the database server/,
      );
      await assert.rejects(
        addTierPolicy(db, { tablespace: 'nowhere', olderThan: '1y' }),
        /tablespace "nowhere" does not exist/,
      );
    });

    test('a job moves chunks older than the age to the tablespace, compressed ones too', async () => {
      await insertAssets(db, 2);
      await insertCandles(db, {
        interval: '1h',
        step: '1 hour',
        from: "date_trunc('hour', now()) - interval '120 days'",
        to: "date_trunc('hour', now())",
      });
      await enableCompression(db);
      await compressChunks(db, '90d');
      const before = await chunkPlaces(db);
      assert.ok(before.some((c) => c.compressed && c.old) && before.some((c) => !c.compressed && c.old));
      const counted = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM candles');

      const made = await addTablespace(db, space, dir);
      assert.deepEqual([made.name, made.location, made.chunks], [space, dir, 0]);
      await assert.rejects(addTablespace(db, space, dir), /already exists/);
      const policy = await addTierPolicy(db, { tablespace: space, olderThan: '60d', schedule: '7d' });
      assert.equal(policy.created, true);
      assert.equal((await addTierPolicy(db, { tablespace: space, olderThan: '60d' })).created, false);
      await runJob(db, policy.job_id);

      const moved = await chunkPlaces(db);
      for (const c of moved) assert.equal(c.tablespace, c.old ? space : 'pg_default', JSON.stringify(c));
      assert.deepEqual(
        moved.map((c) => c.compressed),
        before.map((c) => c.compressed),
      );
      assert.deepEqual((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM candles')).rows, counted.rows);
      // Running again moves nothing and fails nothing.
      await runJob(db, policy.job_id);
      assert.deepEqual(await chunkPlaces(db), moved);

      const listed = (await listTablespaces(db)).find((t) => t.name === space);
      assert.equal(listed?.chunks, moved.filter((c) => c.old).length);
      assert.ok((listed?.size_bytes ?? 0) > 0);
      const doctor = await runDoctor(db);
      const check = doctor.checks.find((c) => c.check === 'tablespaces');
      assert.match(
        check?.detail ?? '',
        new RegExp(`${space} .* \\(${listed?.chunks} chunks\\).*tiering: candles older than`),
      );

      assert.deepEqual(await removeTierPolicy(db), { removed: [policy.job_id] });
      assert.deepEqual(await tierPolicies(db), []);
    });
  },
  { plain: true },
);
