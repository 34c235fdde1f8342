/**
 * tm commands beside a running tm serve on the embedded database: they work through it, with the
 * output and exit codes they have without it, concurrently; a client killed inside a transaction
 * leaves nothing half-written; commands that need the database to themselves are refused by name.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { must } from '../helpers/must.ts';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDatabase } from '../../src/db/connect.ts';
import { readHolder } from '../../src/db/datadir-lock.ts';
import { TM_COMMAND_TIMEOUT_MS } from '../helpers/wait.ts';

const BIN = path.resolve('bin/tm.js');
let root: string;
let serve: ChildProcess | undefined;
let serveExit: Promise<unknown> | undefined;

const envFor = (dataDir: string) => ({
  ...process.env,
  DATABASE_URL: '',
  TM_DATA_DIR: dataDir,
  TM_DEMO: '0',
  TM_LOG: '0',
});

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function tm(dataDir: string, args: string[], input?: string): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: envFor(dataDir) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** Timings differ from run to run; everything else must not. */
const normal = (r: Ran) => ({
  code: r.code,
  stdout: r.stdout.replace(/in [\d.]+s \(\d+ rows\/s\)/g, 'in Ts').replace(/"seconds": ?[\d.]+/g, '"seconds":T'),
  stderr: r.stderr,
});

const header = 'timestamp,open,high,low,close,volume';
const CSV_ABC = [
  header,
  '2024-03-01,10,11,9,10.5,100',
  '2024-03-02,10.5,12,10,11,120',
  '2024-03-04,11,11.5,10.8,11.2,90',
];
const CSV_XYZ = [header, '2024-03-01,20,21,19,20.5,10', '2024-03-02,20.5,22,20,21,12'];
const CSV_BAD = [header, '2024-03-05,10,9,8,9.5,10'];

let direct: string;
let served: string;

before(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'tm-serve-shared-'));
  direct = path.join(root, 'direct');
  served = path.join(root, 'served');
  const env = envFor(direct);
  for (const args of [
    ['migrate', 'upgrade', 'head'],
    ['assets', 'add', 'ABC', '--type', 'stock', '--name', 'ABC Corp', '--exchange', 'NYSE'],
    ['assets', 'add', 'XYZ', '--type', 'stock', '--name', 'XYZ Inc', '--exchange', 'NYSE'],
  ]) {
    const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: TM_COMMAND_TIMEOUT_MS });
    assert.equal(r.status, 0, r.stderr);
  }
  // The same database twice (same asset ids): one used directly, one through tm serve.
  cpSync(direct, served, { recursive: true });
});

after(async () => {
  if (serve && serve.exitCode === null) {
    serve.kill('SIGKILL');
    await serveExit;
  }
  rmSync(root, { recursive: true, force: true });
});

async function startServe(): Promise<number> {
  serve = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
    env: envFor(served),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  serveExit = new Promise((resolve) => must(serve, 'tm serve').on('exit', resolve));
  let log = '';
  await new Promise<void>((resolve, reject) => {
    must(must(serve, 'tm serve').stderr, 'its stderr').on('data', (d) => {
      log += d;
      if (/listening on/.test(log)) resolve();
    });
    must(serve, 'tm serve').on('exit', (code) => reject(new Error(`tm serve exited ${code}: ${log}`)));
  });
  assert.match(log, /other tm commands use this embedded database through \S+db\.sock/);
  return must(serve.pid, 'its pid');
}

/** What every user runs: the same commands, first without serve (one at a time), then beside it (all at once). */
const first: [string[], string?][] = [
  [['assets', 'list']],
  [['import', 'candles', '-', '--symbol', 'ABC'], CSV_ABC.join('\n')],
  [['import', 'candles', '-', '--symbol', 'XYZ', '--json'], CSV_XYZ.join('\n')],
  [['import', 'candles', '-', '--symbol', 'ABC'], CSV_BAD.join('\n')],
  [['query', 'latest-candles', '--symbol', 'NOPE']],
  [['assets', 'list', '--limit', 'x']],
];
const then: [string[], string?][] = [
  [['query', 'latest-candles', '--symbol', 'ABC', '--json']],
  [['query', 'latest-candles', '--symbol', 'XYZ']],
  [['query', 'price-stats']],
  [['assets', 'list', '--json']],
];

test('beside tm serve every command works through it, with the same output and exit codes', async () => {
  const alone: Ran[] = [];
  for (const [args, input] of [...first, ...then]) alone.push(await tm(direct, args, input));
  assert.deepEqual(
    alone.map((r) => r.code),
    [0, 0, 0, 1, 1, 2, 0, 0, 0, 0],
    alone.map((r) => r.stderr).join('\n'),
  );

  const pid = await startServe();
  const holder = readHolder(served);
  assert.equal(holder?.pid, pid);
  assert.equal(statSync(holder?.socket ?? '').mode & 0o777, 0o600, 'only the owner may connect');

  const together = await Promise.all(first.map(([args, input]) => tm(served, args, input)));
  const later = await Promise.all(then.map(([args, input]) => tm(served, args, input)));
  const beside = [...together, ...later];
  for (let i = 0; i < alone.length; i++) {
    // The first listing may run before or after the imports: compare it with its direct twin when it ran first.
    if (i === 0 && beside[0].stdout !== alone[0].stdout) continue;
    assert.deepEqual(normal(beside[i]), normal(alone[i]), [...first, ...then][i][0].join(' '));
  }
  assert.match(alone[1].stdout, /3 rows read: 3 inserted/);
});

test('a tm process killed inside a transaction leaves nothing behind, and serve goes on', async (t) => {
  if (!serve || serve.exitCode !== null) await startServe();
  // This test process reaches the database through tm serve too.
  const db = await openDatabase({ dataDir: served });
  t.after(() => db.close());
  const searchPath = async () =>
    (await db.query<{ p: string }>("SELECT current_setting('search_path') AS p")).rows[0].p;
  const pathBefore = await searchPath();
  const connect = pathToFileURL(path.resolve('src/db/connect.ts')).href;
  const script = `
    import { openDatabase } from ${JSON.stringify(connect)};
    const db = await openDatabase({ dataDir: process.env.TM_DATA_DIR });
    setInterval(() => {}, 1000);
    // Notices, SQLSTATEs and types arrive as in-process.
    db.onNotice((n) => process.stdout.write(\`notice \${n.severity} \${n.message}\\n\`));
    await db.exec("DO $$ BEGIN RAISE WARNING 'careful'; END $$");
    await db.query('SELECT 1/0').catch((e) => process.stdout.write(\`error \${e.code} \${e.message}\\n\`));
    const t = (await db.query("SELECT timestamptz '2024-03-01 00:00Z' AS t, 12.5::numeric AS n")).rows[0];
    process.stdout.write(\`types \${t.t instanceof Date} \${t.t.toISOString()} \${typeof t.n}\\n\`);
    // As an import does: a session with a staging temp table, then a transaction in it.
    await db.session(async (s) => {
      await s.exec('CREATE TEMP TABLE half_staging (x int)');
      await s.exec('SET search_path TO public, pg_catalog');
      await s.transaction(async (tx) => {
        await tx.query("INSERT INTO assets (symbol, name, asset_type, exchange) VALUES ('HALF', 'half-written', 'stock', 'NYSE')");
        await tx.copyFrom("COPY assets (symbol, name, asset_type, exchange) FROM STDIN WITH (FORMAT csv)", 'HALF2,copied,stock,NYSE\\n');
        process.stdout.write('inside\\n');
        await new Promise(() => {});
      });
    });`;
  const file = path.join(root, 'half.mts');
  writeFileSync(file, script);
  const child = spawn(process.execPath, ['--import', 'tsx', file], { env: envFor(served), cwd: process.cwd() });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('inside')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the client exited ${code} before its transaction: ${err}`)));
  });
  assert.match(
    out,
    /^notice WARNING careful\nerror 22012 division by zero\ntypes true 2024-03-01T00:00:00.000Z number\ninside\n$/,
  );
  child.kill('SIGKILL');
  await exited;
  const list = await tm(served, ['assets', 'list', '--json']);
  assert.equal(list.code, 0, list.stderr);
  const symbols = JSON.parse(list.stdout).items.map((a: { symbol: string }) => a.symbol);
  assert.deepEqual(symbols.sort(), ['ABC', 'XYZ']);
  // The session's temp table and SET went with it, as they would have with its own process.
  const temp = await db.query("SELECT 1 FROM pg_class WHERE relname = 'half_staging'");
  assert.equal(temp.rows.length, 0);
  assert.equal(await searchPath(), pathBefore);
  assert.notEqual(pathBefore, 'public, pg_catalog');
});

test('commands that need the database to themselves are refused naming tm serve; after it stops, all run directly', async () => {
  if (!serve || serve.exitCode !== null) await startServe();
  const pid = must(must(serve, 'tm serve').pid, 'its pid');
  const down = await tm(served, ['migrate', 'downgrade', '-1']);
  assert.equal(down.code, 1);
  assert.match(
    down.stderr,
    new RegExp(`^tm: error: the embedded database in .* is in use by tm serve \\(pid ${pid}, since `),
  );
  assert.match(down.stderr, /stop tm serve, run the command, then start tm serve again/);
  const beside = await tm(served, ['assets', 'list']);
  must(serve, 'tm serve').kill('SIGTERM');
  await serveExit;
  assert.equal(readHolder(served), null, 'tm serve released the lock');
  const alone = await tm(served, ['assets', 'list']);
  assert.deepEqual(alone, beside);
});
