/**
 * Several tm serve processes on one server database: rate limits counted across processes, background
 * jobs run by one of them (a job lease) and handed over when it stops, `--workers N` restarting a
 * worker that dies, and the embedded database refusing --workers > 1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serverDb, serverSkip, type ServerTestDb } from '../helpers/db.ts';
import { startFakeMarkets, type FakeMarkets } from '../helpers/fake-markets.ts';
import { tm } from '../helpers/tm.ts';
import { ServeProcess } from '../helpers/serve-process.ts';
import { addSource } from '../../src/sync/sources.ts';
import { listLeases } from '../../src/db/lease.ts';
import { until } from '../helpers/wait.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('two tm serve processes on one database [server]', { skip: serverSkip }, () => {
  let db: ServerTestDb;
  let fake: FakeMarkets;
  let a: ServeProcess;
  let b: ServeProcess;
  before(async () => {
    db = await serverDb();
    fake = await startFakeMarkets();
    fake.markets.set('LEASEUSDT', { listedFrom: (Math.floor(Date.now() / 3_600_000) - 3) * 3_600_000 });
    await addSource(db, { asset: 'LEASEUSDT', provider: 'binance', intervals: ['1m'] });
    const env = {
      DATABASE_URL: db.url,
      TM_BINANCE_URL: fake.url,
      TM_SYNC_TICK_MS: '200',
      TM_STATS_PER_MINUTE: '5',
      TM_LOGIN_MAX_PER_IP: '4',
      TM_LOGIN_MAX_PER_USER: '100',
    };
    a = new ServeProcess([], env);
    await a.url(); // the first one migrates; then the second starts
    b = new ServeProcess(['--no-migrate'], env);
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await fake?.close();
    await db?.close();
  });

  test('a rate limit is reached at the combined count of both processes', async () => {
    const [ua, ub] = [await a.url(), await b.url()];
    assert.notEqual(ua, ub);
    const stats = async (u: string) => (await fetch(`${u}/api/queries/price-stats`)).status;
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push(await stats(ua), await stats(ub));
    assert.deepEqual(codes.slice(0, 5), [200, 200, 200, 200, 200]);
    assert.deepEqual(codes.slice(5), [429, 429, 429], 'limit 5 per minute over both processes');

    const login = async (u: string) =>
      (
        await fetch(`${u}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'nobody', password: 'wrong password' }),
        })
      ).status;
    const logins = [];
    for (let i = 0; i < 3; i++) logins.push(await login(ua), await login(ub));
    assert.deepEqual(logins, [401, 401, 401, 401, 429, 429], 'login limit 4 per IP over both processes');
  });

  test('the sync job runs in one process only, and moves to the other when it stops', async () => {
    const syncing = /sync: LEASEUSDT:BINANCE 1m from binance: \d+ new/;
    const end = Date.now() + 60_000;
    while (!syncing.test(a.stderr + b.stderr)) {
      if (Date.now() > end) throw new Error(`no sync within 60 s:\n${a.stderr}\n${b.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const [leader, other] = syncing.test(a.stderr) ? [a, b] : [b, a];
    // Several rounds later (the lease counts them), still one holder and the other process never synced.
    const leases = await until('a few more sync rounds', async () => {
      const l = await listLeases(db);
      return Number(l.find((x) => x.name === 'sync')?.runs ?? 0) >= 4 ? l : undefined;
    });
    assert.equal(leases.filter((l) => l.name === 'sync').length, 1, JSON.stringify(leases));
    assert.match(leader.stderr, /lease sync: this process runs it/);
    assert.doesNotMatch(other.stderr, /lease sync: this process runs it|sync: LEASEUSDT/);
    const klines = fake.requests.filter((r) => r.path.includes('klines'));
    const starts = klines.map((r) => r.query.get('startTime'));
    assert.equal(new Set(starts).size, starts.length, `no range asked for twice: ${starts.join(',')}`);

    const mark = other.stderr.length;
    assert.equal(await leader.stop(), 0);
    await other.waitFor(/lease sync: this process runs it/, 30_000, mark);
    const after = await listLeases(db);
    assert.equal(after.filter((l) => l.name === 'sync').length, 1);
  });
});

describe('tm serve --workers 2 [server]', { skip: serverSkip }, () => {
  let db: ServerTestDb;
  before(async () => {
    db = await serverDb();
  });
  after(async () => db?.close());

  test('both workers serve one port; a killed worker is restarted; SIGTERM stops them all', async () => {
    const s = new ServeProcess(['--workers', '2'], { DATABASE_URL: db.url, TM_SYNC: '0' });
    try {
      await s.waitFor(/2 workers listening/);
      const ports = [...s.stderr.matchAll(/\[worker \d\] Trading Manager API listening on (\S+)/g)].map((m) => m[1]);
      assert.equal(ports.length, 2);
      assert.equal(ports[0], ports[1], 'one address for both workers');
      const first = Number((await s.waitFor(/worker 1 started \(pid (\d+)\)/))[1]);
      const second = Number((await s.waitFor(/worker 2 started \(pid (\d+)\)/))[1]);
      for (let i = 0; i < 6; i++) assert.equal((await fetch(`${ports[0]}/health`)).status, 200);

      const mark = s.stderr.length;
      process.kill(first, 'SIGKILL');
      await s.waitFor(new RegExp(`worker 1 \\(pid ${first}\\) exited with signal SIGKILL; restarting in 1 s`), 10_000);
      const again = Number((await s.waitFor(/worker 1 started \(pid (\d+)\)/, 30_000, mark))[1]);
      await s.waitFor(/\[worker 1\] Trading Manager API listening/, 30_000, mark);
      assert.notEqual(again, first);
      assert.equal((await fetch(`${ports[0]}/health`)).status, 200);

      assert.equal(await s.stop('SIGTERM'), 0, s.stderr);
      assert.match(s.stderr, /all workers stopped/);
      assert.equal(alive(again) || alive(second), false, 'no worker left running');
    } finally {
      await s.stop('SIGKILL');
    }
  });
});

test('tm serve --workers 2 on the embedded database is refused, and nothing is created', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-workers-'));
  try {
    const dataDir = path.join(dir, 'data');
    const r = await tm(['serve', '--workers', '2'], { DATABASE_URL: '', TM_DATA_DIR: dataDir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--workers 2 needs a server database \(DATABASE_URL\): the embedded database \(PGlite\)/);
    assert.equal(existsSync(dataDir), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
