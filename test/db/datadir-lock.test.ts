/** The embedded data directory's lock: names its holder, taken over at once when the holder is gone. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataDirBusyError, DataDirLock, lockPathFor, readHolder } from '../../src/db/datadir-lock.ts';
import { openEmbedded } from '../../src/db/pglite.ts';

const BIN = path.resolve('bin/tm.js');
let root: string;
before(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'tm-datadir-lock-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const fresh = (name: string) => path.join(root, name);

/** A live process that is not us: pid, and its own start time as the lock would record it. */
function sleeper() {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  return { child, pid: child.pid!, start };
}

function writeLock(dir: string, holder: object) {
  writeFileSync(lockPathFor(dir), JSON.stringify(holder));
}

test('the lock file names its holder, refuses a second taker with that name, and goes on release', () => {
  const dir = fresh('a');
  const lock = DataDirLock.acquire(dir);
  const h = readHolder(dir)!;
  assert.equal(h.pid, process.pid);
  assert.equal(h.hostname, os.hostname());
  assert.ok(h.command.length > 0 && !Number.isNaN(Date.parse(h.since)));
  assert.match(h.procStart ?? '', /^\d+$/, 'the start time from /proc guards against pid reuse');
  assert.throws(
    () => DataDirLock.acquire(dir),
    (err: Error) => err instanceof DataDirBusyError && err.message.includes(`in use by tm process ${process.pid} (`),
  );
  lock.release();
  assert.equal(readHolder(dir), null);
  DataDirLock.acquire(dir).release();
});

test('a lock whose process is gone, or whose pid now belongs to another process, is taken over at once', (t) => {
  const dead = fresh('dead');
  writeLock(dead, { pid: 2 ** 22 + 7, hostname: os.hostname(), command: 'tm import candles x.csv', since: 'x' });
  DataDirLock.acquire(dead).release();

  const s = sleeper();
  t.after(() => s.child.kill('SIGKILL'));
  const reused = fresh('reused');
  writeLock(reused, { pid: s.pid, hostname: os.hostname(), command: 'tm query', since: 'x', procStart: '1' });
  DataDirLock.acquire(reused).release();

  const live = fresh('live');
  const since = new Date().toISOString();
  writeLock(live, {
    pid: s.pid,
    hostname: os.hostname(),
    command: 'tm import candles big.csv',
    since,
    procStart: s.start,
  });
  assert.throws(
    () => DataDirLock.acquire(live),
    new RegExp(`in use by tm process ${s.pid} \\(tm import candles big\\.csv, since `),
  );

  const remote = fresh('remote');
  writeLock(remote, { pid: 1, hostname: 'elsewhere.example', command: 'tm serve', since });
  assert.throws(() => DataDirLock.acquire(remote), /on host elsewhere\.example .*if it is gone, delete .*remote\.lock/);
});

test("an old tm's lock directory is taken over once it is no longer refreshed", () => {
  const dir = fresh('legacy');
  mkdirSync(lockPathFor(dir));
  assert.throws(() => DataDirLock.acquire(dir), /locked by an older version of tm/);
  const old = new Date(Date.now() - 60_000);
  utimesSync(lockPathFor(dir), old, old);
  DataDirLock.acquire(dir).release();
});

test('after kill -9 of a tm import the next open succeeds at once; a live importer is named', async () => {
  const dataDir = fresh('killed');
  const env = { ...process.env, DATABASE_URL: '', TM_DATA_DIR: dataDir };
  // The import reads a header and a row, then waits for stdin we never close: it holds the database until killed.
  const child = spawn(process.execPath, [BIN, 'import', 'candles', '-', '--symbol', 'ABC'], {
    env,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  child.stdin.write('timestamp,open,high,low,close,volume\n2024-03-01,10,11,9,10.5,100\n');
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 120_000;
  while (readHolder(dataDir)?.pid !== child.pid) {
    assert.ok(Date.now() < deadline && child.exitCode === null, `the import never took the lock: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await assert.rejects(
    openEmbedded({ dataDir }),
    new RegExp(`in use by tm process ${child.pid} \\(tm import candles - --symbol ABC, since `),
  );
  child.kill('SIGKILL');
  await exited;
  assert.equal(readHolder(dataDir)?.pid, child.pid, 'the killed process left its lock file');
  const db = await openEmbedded({ dataDir });
  try {
    assert.equal(readHolder(dataDir)?.pid, process.pid);
    assert.equal((await db.query<{ n: number }>('SELECT 1 AS n')).rows[0].n, 1);
  } finally {
    await db.close();
  }
  assert.equal(readHolder(dataDir), null, 'close releases the lock');
});
