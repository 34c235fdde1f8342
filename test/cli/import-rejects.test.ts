/** Issue 23 item 3: the rejects file of `tm import candles --skip-invalid` cannot carry a live formula. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rejectsWriter } from '../../src/cli/commands/import.ts';

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
