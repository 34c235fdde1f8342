/**
 * What opening and closing the embedded database relies on for its speed: the trimmed TimescaleDB bundle
 * (dist/timescaledb.tar.gz, built by npm test as by npm ci) and PGlite's own shutdown checkpoint at close.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { list } from 'tar';
import { keepInBundle, stockBundlePath, unpackTrimmedBundle } from '../../scripts/timescale-bundle.ts';
import { openEmbedded } from '../../src/db/pglite.ts';
import { RELEASE_FILE, UNPACKED_DIR, timescaleExtension } from '../../src/db/timescale-bundle.ts';
import { timescaledb } from '@electric-sql/pglite/timescaledb';

let root: string;
before(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'tm-embedded-open-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

async function entries(file: string): Promise<string[]> {
  const names: string[] = [];
  await list({ file, onReadEntry: (e) => void names.push(e.path) });
  return names.sort();
}

test('update scripts between older TimescaleDB versions are left out; the install script and control file stay', () => {
  assert.equal(keepInBundle('share/postgresql/extension/timescaledb--2.9.2--2.23.0-dev.sql'), false);
  assert.equal(keepInBundle('share/postgresql/extension/timescaledb--2.23.0-dev--2.22.1.sql'), false);
  assert.equal(keepInBundle('share/postgresql/extension/timescaledb--2.23.0-dev.sql'), true);
  assert.equal(keepInBundle('share/postgresql/extension/timescaledb.control'), true);
  assert.equal(keepInBundle('lib/postgresql/timescaledb-tsl-2.23.0-dev.so'), true);
});

test('the unpacked bundle holds every library and the install script of PGlite’s, nothing else', async () => {
  const stock = (await entries(stockBundlePath())).filter((f) => !f.endsWith('/'));
  const out = path.join(root, 'timescaledb');
  const files = await unpackTrimmedBundle(out);
  assert.deepEqual(files, stock.filter(keepInBundle).sort());
  assert.ok(files.some((f) => f.endsWith('.so')) && files.some((f) => f.endsWith('.control')));
  assert.ok(stock.length > files.length, 'PGlite’s bundle carries update scripts to leave out');
  // The build's copy (npm test builds dist/), which the embedded database copies in, is the same.
  assert.equal(UNPACKED_DIR, fileURLToPath(new URL('../../dist/timescaledb/', import.meta.url)));
  for (const f of files) assert.deepEqual(readFileSync(path.join(UNPACKED_DIR, f)), readFileSync(path.join(out, f)), f);
  // It replaces PGlite's bundle: no tarball to unpack, the files go in before PostgreSQL starts.
  const setup = await timescaleExtension().setup({} as never, { preRun: [] });
  assert.equal(setup.bundlePath, undefined);
  assert.equal(setup.emscriptenOpts.preRun.length, 1);
  assert.notEqual(timescaleExtension(out), timescaledb);
  // Files from another PGlite release (an upgrade without a rebuild), or none: PGlite's own bundle.
  writeFileSync(path.join(out, RELEASE_FILE), '@electric-sql/pglite@0.0.1');
  assert.equal(timescaleExtension(out), timescaledb);
  assert.equal(timescaleExtension(path.join(root, 'nowhere')), timescaledb);
});

/** pg_control's first fields (a stable layout): the cluster state and the latest checkpoint's location. */
function controlFile(dir: string): { state: number; checkpoint: bigint } {
  const buf = readFileSync(path.join(dir, 'global', 'pg_control'));
  return { state: buf.readInt32LE(16), checkpoint: buf.readBigUInt64LE(24) };
}
const DB_SHUTDOWNED = 1;
const lsn = (text: string) => {
  const [hi, lo] = text.split('/');
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
};

test('a new data directory creates TimescaleDB from the trimmed bundle; close checkpoints after the last write', async () => {
  const dir = path.join(root, 'data');
  let db = await openEmbedded({ dataDir: dir });
  await db.exec('CREATE EXTENSION timescaledb');
  await db.exec('CREATE TABLE t (ts timestamptz NOT NULL, v int)');
  await db.exec("SELECT create_hypertable('t', 'ts')");
  await db.exec("INSERT INTO t SELECT now() - g * interval '1 minute', g FROM generate_series(1, 20000) g");
  const written = (await db.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn')).rows[0].lsn;
  assert.notEqual(controlFile(dir).state, DB_SHUTDOWNED);
  await db.close();

  // A clean shutdown with a checkpoint past the last write: the next open replays nothing.
  const control = controlFile(dir);
  assert.equal(control.state, DB_SHUTDOWNED);
  assert.ok(control.checkpoint >= lsn(written), `checkpoint ${control.checkpoint} before the last write ${written}`);
  db = await openEmbedded({ dataDir: dir });
  try {
    assert.equal((await db.query<{ n: number }>('SELECT count(*) AS n FROM t')).rows[0].n, 20000);
  } finally {
    await db.close();
  }
});
