/**
 * tm sources / tm sync as a user runs them, on both backends: a 100,000-candle backfill killed with
 * SIGKILL in the middle, then rerun: exact counts, no duplicates, nothing downloaded twice.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeMarkets, type FakeMarkets } from '../helpers/fake-markets.ts';
import { serverDb, serverSkip, type ServerTestDb } from '../helpers/db.ts';
import { openEmbedded } from '../../src/db/pglite.ts';
import type { Database } from '../../src/db/types.ts';

const BIN = path.resolve('bin/tm.js');
const T0 = Date.parse('2024-01-01T00:00:00Z');
const MIN = 60_000;
const N = 100_000;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function suite(backend: 'embedded' | 'server') {
  let fake: FakeMarkets;
  let dir: string;
  let server: ServerTestDb | undefined;
  let env: NodeJS.ProcessEnv;

  const tm = (args: string[], onChild?: (kill: () => void) => void): Promise<Run> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      onChild?.(() => child.kill('SIGKILL'));
      child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
  /** The database as the test sees it, between commands (the embedded one is closed while a command runs). */
  const withDb = async <T>(fn: (db: Database) => Promise<T>): Promise<T> => {
    if (server) return fn(server);
    const db = await openEmbedded({ dataDir: path.join(dir, 'data') });
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  };

  before(async () => {
    fake = await startFakeMarkets();
    fake.markets.set('KILLUSDT', { listedFrom: T0 });
    dir = mkdtempSync(path.join(os.tmpdir(), 'tm-sync-cli-'));
    if (backend === 'server') server = await serverDb();
    env = {
      ...process.env,
      DATABASE_URL: server?.url ?? '',
      TM_DATA_DIR: path.join(dir, 'data'),
      TM_BINANCE_URL: fake.url,
      TM_COINBASE_URL: fake.url,
      TM_SYNC_RETRY_BASE_MS: '5',
    };
    if (!server) assert.equal((await tm(['migrate', 'upgrade', 'head'])).code, 0);
  });
  after(async () => {
    await fake.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('sources add / list; unknown provider and interval are usage problems named', async () => {
    const add = await tm(['sources', 'add', 'KILLUSDT', '--provider', 'binance', '--intervals', '1m,1h']);
    assert.equal(add.code, 0, add.stderr);
    assert.match(
      add.stdout,
      /created asset KILLUSDT:BINANCE; KILLUSDT:BINANCE syncs 1m, 1h from binance market KILLUSDT/,
    );
    const list = await tm(['sources', 'list', '--json']);
    assert.deepEqual(
      JSON.parse(list.stdout).map((s: { asset: string; intervals: string[] }) => [s.asset, s.intervals]),
      [['KILLUSDT:BINANCE', ['1m', '1h']]],
    );
    const bad = await tm(['sources', 'add', 'ETH-USD', '--provider', 'coinbase', '--intervals', '30m']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /coinbase does not serve 30m candles/);
  });

  test('a backfill killed with SIGKILL mid-way, then rerun: 100,000 candles exactly, no page downloaded twice', async () => {
    const args = [
      'sync',
      'backfill',
      'KILLUSDT',
      '--interval',
      '1m',
      '--from',
      '2024-01-01',
      '--to',
      String((T0 + N * MIN) / 1000),
      '--json',
    ];
    fake.now = () => T0 + N * MIN + 10_000;
    fake.requests.length = 0;
    const killed = await tm(args, (kill) => {
      fake.onRequest = () => {
        if (fake.requests.length === 55) kill();
      };
    });
    fake.onRequest = undefined;
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    const firstRun = fake.requests.length;
    // The killed process could not release the embedded data dir's lock; it names a dead pid, so the next open takes it over.
    const mid = await withDb(async (db) => {
      const c = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM candles WHERE "interval" = '1m'`);
      const cov = await db.query<{ t: Date }>(`SELECT max(to_ts) AS t FROM sync_coverage`);
      return { n: c.rows[0].n, covered: cov.rows[0].t ? (cov.rows[0].t.getTime() - T0) / MIN : 0 };
    });
    assert.ok(mid.covered >= 25_000 && mid.covered < N, `committed up to candle ${mid.covered}`);
    // Candles past the watermark can exist only from a batch whose commit raced the kill.
    assert.ok(mid.n >= mid.covered, `${mid.n} candles stored, ${mid.covered} covered`);

    fake.requests.length = 0;
    const rerun = await tm(args);
    assert.equal(rerun.code, 0, rerun.stderr);
    const r = JSON.parse(rerun.stdout);
    assert.equal(
      // The first request of a process reads Binance's clock (/api/v3/time); then the klines.
      Number(fake.requests.find((q) => q.path === '/api/v3/klines')?.query.get('startTime')),
      T0 + mid.covered * MIN,
      'continues from the last committed page',
    );
    assert.equal(r.requests, (N - mid.covered) / 1000, 'only the pages not committed are fetched');
    // Fetched again at most: the batch being written and the one being fetched meanwhile (25 pages each), and
    // the page in flight.
    assert.ok(firstRun + r.requests <= 100 + 51, `${firstRun} + ${r.requests} requests for 100 pages`);
    const end = await withDb(async (db) => {
      const c = await db.query<{ n: number; d: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT ts)::int AS d FROM candles WHERE "interval" = '1m'`,
      );
      return c.rows[0];
    });
    assert.deepEqual(end, { n: N, d: N });

    fake.requests.length = 0;
    const again = await tm(args);
    assert.equal(JSON.parse(again.stdout).requests, 0, 'a synced range asks nothing');
    const status = JSON.parse((await tm(['sync', 'status', '--json'])).stdout);
    const row = status.find((s: { interval: string }) => s.interval === '1m');
    assert.deepEqual([row.state, row.last_candle, row.gaps], ['ok', new Date(T0 + (N - 1) * MIN).toISOString(), 0]);
    const gaps = await tm(['sync', 'gaps', 'KILLUSDT', '--interval', '1m']);
    assert.deepEqual([gaps.code, gaps.stdout.trim()], [0, '(no rows)']);
  });

  test('an unknown market fails with the provider named and shows in sync status', async () => {
    assert.equal((await tm(['sources', 'add', 'NOPE', '--provider', 'binance', '--intervals', '1h'])).code, 0);
    const r = await tm(['sync', 'backfill', 'NOPE', '--interval', '1h', '--from', '2024-01-01', '--to', '2024-01-02']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /binance: Binance does not list the symbol "NOPE"/);
    const status = await tm(['sync', 'status']);
    assert.match(status.stdout, /NOPE:BINANCE\s+1h\s+binance\s+error/);
    // Three failures in a row: failing, and tm doctor warns with the error.
    for (let i = 0; i < 2; i++) await tm(['sync', 'backfill', 'NOPE', '--interval', '1h', '--from', '2024-01-01']);
    const doctor = JSON.parse((await tm(['doctor', '--json'])).stdout);
    const check = doctor.checks.find((c: { check: string }) => c.check === 'sync from binance');
    assert.equal(check.status, 'warning');
    assert.match(
      check.detail,
      /1 of 3 market interval\(s\) keep failing: binance: Binance does not list the symbol "NOPE"/,
    );
  });
}

describe('tm sync [embedded]', () => suite('embedded'));
describe('tm sync [server]', { skip: serverSkip }, () => suite('server'));
