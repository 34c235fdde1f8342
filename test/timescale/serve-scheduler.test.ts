/**
 * tm serve on an embedded data dir runs due policy jobs itself (no background workers there) and
 * stops its scheduler on shutdown.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEmbedded } from '../../src/db/pglite.ts';
import { Migrator } from '../../src/db/migrate/migrator.ts';
import { insertAssets, insertCandles } from '../helpers/candles.ts';
import { addRetentionPolicy } from '../../src/timescale/retention.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-serve-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('tm serve runs a due retention job within seconds, records it, and shuts down cleanly', async () => {
  const dataDir = path.join(dir, 'data');
  const template = process.env.TM_TEST_PGLITE_TEMPLATE;
  let db = await openEmbedded({ dataDir, ...(template ? { loadDataDir: new Blob([readFileSync(template)]) } : {}) });
  if (!template) await new Migrator(db).upgrade('head');
  await insertAssets(db, 1);
  await insertCandles(db, { interval: '1h', step: '1 hour', from: "now() - interval '40 days'", to: 'now()' });
  const { job_id } = await addRetentionPolicy(db, '14d');
  await db.close();

  const child = spawn(process.execPath, [path.resolve('bin/tm.js'), 'serve', '--port', '0'], {
    env: { ...process.env, DATABASE_URL: '', TM_DATA_DIR: dataDir, TM_LOG: '0' },
  });
  let stderr = '';
  const ran = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no job run within 60 s:\n${stderr}`)), 60_000);
    child.stderr.on('data', (d) => {
      stderr += d;
      if (new RegExp(`job ${job_id} \\(policy_retention on candles\\) ran`).test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  try {
    await ran;
  } finally {
    child.kill('SIGTERM');
  }
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stderr);
  assert.match(stderr, /job scheduler: running due TimescaleDB policy jobs/);
  assert.match(stderr, /SIGTERM: shutting down/);

  db = await openEmbedded({ dataDir });
  try {
    const runs = await db.query<{ trigger: string; succeeded: boolean }>(
      'SELECT "trigger", succeeded FROM job_runs WHERE job_id = $1',
      [job_id],
    );
    assert.deepEqual(runs.rows, [{ trigger: 'schedule', succeeded: true }]);
    const oldest = await db.query<{ ok: boolean }>(
      "SELECT min(ts) >= now() - interval '14 days' - interval '7 days' AS ok FROM candles",
    );
    assert.equal(oldest.rows[0].ok, true, 'chunks past the horizon are gone');
  } finally {
    await db.close();
  }
});
