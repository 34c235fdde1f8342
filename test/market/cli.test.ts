/** tm assets / import / query as a user runs them, on an embedded data dir: stdin, gzip, rejects, exit codes. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { TM_COMMAND_TIMEOUT_MS } from '../helpers/wait.ts';

const BIN = path.resolve('bin/tm.js');
let dir: string;

function tm(args: string[], input?: string | Buffer) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '', TM_DATA_DIR: path.join(dir, 'data') },
    timeout: TM_COMMAND_TIMEOUT_MS,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tm-market-cli-'));
  assert.equal(tm(['migrate', 'upgrade', 'head']).code, 0);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const CSV = [
  'timestamp,open,high,low,close,volume',
  '2024-03-01T00:00:00Z,10,11,9,10.5,100',
  '2024-03-02,10.5,12,10,11,120',
  '1709510400,11,11.5,10.8,11.2,90',
].join('\n');

test('assets add / show, then import from stdin (gzip) with a summary line, then query', () => {
  const add = tm(['assets', 'add', 'abc', '--type', 'stock', '--name', 'ABC Corp', '--exchange', 'nyse', '--json']);
  assert.equal(add.code, 0, add.stderr);
  assert.equal(JSON.parse(add.stdout).symbol, 'ABC');
  const imp = tm(['import', 'candles', '-', '--symbol', 'ABC'], gzipSync(Buffer.from(CSV)));
  assert.equal(imp.code, 0, imp.stderr);
  assert.match(imp.stdout, /^3 rows read: 3 inserted, 0 updated, 0 skipped, 0 rejected in [\d.]+s/);
  assert.doesNotMatch(imp.stderr, /\[/, 'no progress bar when stderr is not a terminal');
  const again = tm(['import', 'candles', '-', '--symbol', 'ABC:NYSE', '--json'], CSV);
  assert.deepEqual(((s) => [s.inserted, s.skipped])(JSON.parse(again.stdout)), [0, 3]);
  const q = tm(['query', 'latest-candles', '--symbol', 'ABC', '--limit', '2', '--json']);
  assert.deepEqual(
    JSON.parse(q.stdout).map((r: { ts: string }) => r.ts),
    ['2024-03-04T00:00:00.000Z', '2024-03-02T00:00:00.000Z'],
  );
});

test('a bad file exits 1 naming line and rule; --skip-invalid writes the rejects file', () => {
  const file = path.join(dir, 'bad.csv');
  writeFileSync(file, `${CSV}\n2024-03-05,10,9,8,9.5,10\n2024-03-06,1,2,0.5,1,-5\n`);
  const bad = tm(['import', 'candles', file, '--symbol', 'ABC']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^tm: error: input rejected, nothing written: 2 invalid rows/);
  assert.match(bad.stderr, /line 5: high_ge_open_close/);
  assert.match(bad.stderr, /line 6: volume_nonneg/);
  const rejects = path.join(dir, 'rejects.csv');
  const skip = tm(['import', 'candles', file, '--symbol', 'ABC', '--skip-invalid', '--rejects', rejects]);
  assert.equal(skip.code, 0, skip.stderr);
  assert.match(skip.stdout, /5 rows read: 0 inserted, 0 updated, 3 skipped, 2 rejected/);
  const lines = readFileSync(rejects, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'line,rule,reason,symbol,ts,open,high,low,close,volume,trades,vwap');
  assert.match(lines[1], /^5,high_ge_open_close,/);
  assert.match(lines[2], /^6,volume_nonneg,/);
});

test('usage errors exit 2', () => {
  assert.equal(tm(['import', 'candles', '-', '--symbol', 'ABC', '--on-conflict', 'merge'], CSV).code, 2);
  assert.equal(tm(['import', 'candles', '-'], CSV).code, 2, 'no symbol column and no --symbol');
  assert.equal(tm(['query', 'latest-candles', '--symbol', 'ABC', '--limit', 'x']).code, 2);
  // One integer parser for every command: "1e1" is not an integer option.
  const limit = tm(['assets', 'list', '--limit', '1e1']);
  assert.deepEqual([limit.code, limit.stderr.trim()], [2, 'tm: --limit must be an integer from 0 up, got "1e1"']);
  const range = tm(['query', 'candles', '--symbol', 'ABC', '--from', '2024-03-02', '--to', '2024-03-01']);
  assert.deepEqual([range.code, range.stderr.trim()], [2, 'tm: --to must be after --from']);
  const end = tm(['demo', 'seed', '--assets', '1', '--days', '1', '--end', '2024-02-30']);
  assert.deepEqual([end.code, end.stderr.trim()], [2, 'tm: --end must be a date YYYY-MM-DD, got "2024-02-30"']);
  const unknown = tm(['assets', 'show', 'NOPE']);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stderr.trim(), 'tm: error: no asset "NOPE"');
});

test('demo seed: bad --analysis and unknown --watchlist-user exit 1; then candles, analysis and a watchlist', () => {
  const badInterval = tm(['demo', 'seed', '--assets', '2', '--days', '30', '--analysis', '2h']);
  assert.equal(badInterval.code, 1);
  assert.match(badInterval.stderr, /--analysis "2h" is not one of/);
  const noUser = tm(['demo', 'seed', '--assets', '2', '--days', '30', '--watchlist-user', 'ghost']);
  assert.equal(noUser.code, 1);
  assert.match(noUser.stderr, /no user named "ghost"/);
  const user = tm(
    ['users', 'create', 'trader', '--email', 'trader@example.com', '--password-stdin'],
    'a long enough passphrase\n',
  );
  assert.equal(user.code, 0, user.stderr);
  const s = tm([
    'demo',
    'seed',
    '--assets',
    '3',
    '--days',
    '120',
    '--interval',
    '1d',
    '--end',
    '2024-06-01',
    '--watchlist-user',
    'trader',
    '--json',
  ]);
  assert.equal(s.code, 0, s.stderr);
  const out = JSON.parse(s.stdout);
  assert.equal(out.candles[0].inserted, 360);
  assert.equal(out.analysis[0].interval, '1d');
  assert.ok(out.analysis[0].indicator_rows > 0);
  assert.equal(out.watchlist.added_items, 3);
  const none = tm([
    'demo',
    'seed',
    '--assets',
    '3',
    '--days',
    '120',
    '--interval',
    '1d',
    '--end',
    '2024-06-01',
    '--analysis',
    'none',
  ]);
  assert.equal(none.code, 0, none.stderr);
  assert.match(
    none.stdout,
    /^demo data: 3 assets \(0 new\); 1d candles: 0 inserted, 0 updated, 360 unchanged in [\d.]+s/,
  );
});

test('new symbols: one summary line names the first and last created asset; --json tells which path each part took', () => {
  const day = (d: number) => new Date(Date.UTC(2024, 4, 1) + d * 86_400_000).toISOString().slice(0, 10);
  const file = (days: number[]) =>
    [
      'symbol,ts,open,high,low,close,volume',
      ...days.flatMap((d) => Array.from({ length: 5 }, (_, a) => `S00${a}:CLI,${day(d)},10,11,9,10.5,${100 + d}`)),
    ].join('\n');
  const first = tm(['import', 'candles', '-', '--asset-type', 'stock'], file([0, 1]));
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^10 rows read: 10 inserted, .*; created 5 assets \(S000:CLI … S004:CLI\)$/m);
  const again = tm(['import', 'candles', '-', '--asset-type', 'stock', '--json'], file([1, 2]));
  assert.equal(again.code, 0, again.stderr);
  const s = JSON.parse(again.stdout) as {
    path: string;
    inserted: number;
    skipped: number;
    created_assets: string[];
    parts: { path: string; rows: number; assets: number }[];
  };
  assert.deepEqual(
    [s.path, s.inserted, s.skipped, s.created_assets, s.parts.map((p) => [p.path, p.rows, p.assets])],
    [
      'split',
      5,
      5,
      [],
      [
        ['direct', 5, 5],
        ['upsert', 5, 5],
      ],
    ],
  );
  const text = tm(['import', 'candles', '-', '--asset-type', 'stock'], file([2, 3]));
  assert.match(text.stdout, /; 5 direct, 5 upsert/);
});
