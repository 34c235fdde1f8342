/** Issue 23 item 3: every CSV cell we write that a spreadsheet would run as a formula is neutralised. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell, csvLine } from './csv-cell.ts';

test('formula-leading cells get a leading quote; numbers, dates and plain text stay as they are', () => {
  assert.equal(csvCell('=HYPERLINK("http://evil.example","x")'), `"'=HYPERLINK(""http://evil.example"",""x"")"`);
  assert.equal(csvCell("=CMD|' /C CALC'!A0"), `'=CMD|' /C CALC'!A0`);
  assert.equal(csvCell('@SUM(1+1)'), "'@SUM(1+1)");
  assert.equal(csvCell('+1+1'), "'+1+1");
  assert.equal(csvCell('-2+3'), "'-2+3");
  assert.equal(csvCell('\t=1'), "'\t=1");
  assert.equal(csvCell('\r=1'), `"'\r=1"`);
  assert.equal(csvCell(-1.5), '-1.5');
  assert.equal(csvCell('+2e3'), '+2e3');
  assert.equal(csvCell(new Date(Date.UTC(2024, 0, 2))), '2024-01-02T00:00:00.000Z');
  assert.equal(csvCell(null), '');
  assert.equal(csvLine(['a,b', 'AAPL', '=1']), `"a,b",AAPL,'=1`);
});
