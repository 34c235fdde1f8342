/**
 * Issue 23 items 3 and 10 through `tm import candles`: the rejects file cannot carry a live formula,
 * symbols that start one are refused, and far dates are refused naming the line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rejectsWriter } from '../../src/cli/commands/import.ts';
import { tm } from '../helpers/tm.ts';

test('cells that start a formula are written with a leading quote', async () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'tm-rejects-')), 'rejects.csv');
  const w = rejectsWriter(file);
  await w.write({
    line: 2,
    rule: 'timestamp',
    reason: '"=HYPERLINK(x)" is not ISO-8601',
    row: { symbol: '@SUM(1+1)', ts: '=HYPERLINK("http://evil.example","click")', open: '-1+2', close: -1.5 },
  });
  await w.close();
  const [, row] = readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(
    row,
    `2,timestamp,"""=HYPERLINK(x)"" is not ISO-8601",'@SUM(1+1),"'=HYPERLINK(""http://evil.example"",""click"")",'-1+2,,,-1.5,,,`,
  );
});

test('tm import candles refuses far dates (naming the line) and symbols that start a formula; the rejects file is safe', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-import-far-'));
  const env = { DATABASE_URL: '', TM_DATA_DIR: path.join(dir, 'data'), TM_MIN_CANDLE_TIME: '1990-01-01' };
  const csv = path.join(dir, 'far.csv');
  writeFileSync(
    csv,
    ['symbol,ts,open,high,low,close,volume', 'FAR,2024-01-02,10,12,9,11,100', 'FAR,9999-12-31,10,12,9,11,100'].join(
      '\n',
    ),
  );
  const far = await tm(['import', 'candles', csv, '--asset-type', 'stock'], env);
  assert.equal(far.code, 1, far.stderr);
  assert.match(far.stderr, /line 3: time_range: 9999-12-31T00:00:00.000Z is outside the accepted range 1990-01-01/);

  writeFileSync(
    csv,
    [
      'symbol,ts,open,high,low,close,volume',
      'FAR,1989-12-29,10,12,9,11,100',
      '@SUM(1+1),2024-01-02,10,12,9,11,100',
      'FAR,2024-01-03,10,12,9,11,100',
    ].join('\n'),
  );
  const rejects = path.join(dir, 'rejects.csv');
  const skipped = await tm(
    ['import', 'candles', csv, '--asset-type', 'stock', '--skip-invalid', '--rejects', rejects, '--json'],
    env,
  );
  assert.equal(skipped.code, 0, skipped.stderr);
  const summary = JSON.parse(skipped.stdout) as { inserted: number; rejected: number; created_assets: string[] };
  assert.deepEqual([summary.inserted, summary.rejected, summary.created_assets], [1, 2, ['FAR']]);
  const lines = readFileSync(rejects, 'utf8').trim().split('\n');
  assert.match(lines[1], /^2,time_range,/);
  assert.match(lines[2], /^3,symbol,.*,'@SUM\(1\+1\),/);
});
