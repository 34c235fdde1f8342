/**
 * tm export candles and tm import candles --format freqtrade as a user runs them: a freqtrade export
 * from one embedded database imports into another (symbol and interval from the file name) and
 * exports from there to the same bytes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TM_COMMAND_TIMEOUT_MS } from '../helpers/wait.ts';

const BIN = path.resolve('bin/tm.js');
let dir: string;

function tm(dataDir: string, args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '', TM_DATA_DIR: path.join(dir, dataDir) },
    timeout: TM_COMMAND_TIMEOUT_MS,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tm-export-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('[embedded] freqtrade export → import into another database → the same file again', () => {
  const csv = ['ts,open,high,low,close,volume'];
  for (let i = 0; i < 50; i++) {
    const o = 42000 + i * 0.37;
    csv.push(`${new Date(Date.UTC(2024, 2, 1, i)).toISOString()},${o},${o + 12.5},${o - 3.25},${o + 0.1},${i * 1.5}`);
  }
  writeFileSync(path.join(dir, 'in.csv'), `${csv.join('\n')}\n`);
  const imp = tm('a', [
    'import',
    'candles',
    path.join(dir, 'in.csv'),
    '--symbol',
    'BTCUSDT',
    '--interval',
    '1h',
    '--asset-type',
    'crypto',
  ]);
  assert.equal(imp.code, 0, imp.stderr);

  const out = path.join(dir, 'user_data', 'data', 'binance');
  const exp = tm('a', [
    'export',
    'candles',
    '--symbol',
    'BTCUSDT',
    '--interval',
    '1h',
    '--format',
    'freqtrade-json',
    '--out',
    out,
    '--json',
  ]);
  assert.equal(exp.code, 0, exp.stderr);
  const summary = JSON.parse(exp.stdout) as { file: string; rows: number; pair: string };
  assert.equal(summary.file, path.join(out, 'BTC_USDT-1h.json'));
  assert.equal(summary.rows, 50);
  assert.equal(summary.pair, 'BTC/USDT');
  assert.equal(exp.stderr, '', 'no progress bar without a terminal');

  // Another database: symbol BTCUSDT and interval 1h come from the file name.
  const back = tm('b', [
    'import',
    'candles',
    '--format',
    'freqtrade',
    summary.file,
    '--asset-type',
    'crypto',
    '--json',
  ]);
  assert.equal(back.code, 0, back.stderr);
  const s = JSON.parse(back.stdout) as { inserted: number; interval: string; created_assets: string[] };
  assert.equal(s.inserted, 50);
  assert.equal(s.interval, '1h');

  const again = path.join(dir, 'again');
  const exp2 = tm('b', ['export', 'candles', '--symbol', 'BTCUSDT', '--format', 'freqtrade-json', '--out', again]);
  assert.equal(exp2.code, 0, exp2.stderr);
  assert.match(exp2.stdout, /50 1h candles of BTCUSDT \(pair BTC\/USDT\) written to/);
  assert.equal(readFileSync(path.join(again, 'BTC_USDT-1h.json'), 'utf8'), readFileSync(summary.file, 'utf8'));

  const bad = tm('b', ['export', 'candles', '--symbol', 'BTCUSDT', '--format', 'xlsx', '--out', again]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--format must be one of csv, json, parquet, freqtrade-json, freqtrade-feather/);
  const unnamed = tm('b', ['import', 'candles', '--format', 'freqtrade', path.join(dir, 'in.csv')]);
  assert.notEqual(unnamed.code, 0);
  assert.match(unnamed.stderr, /not named as freqtrade names its files/);
});
