import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTimestamp } from './timestamps.ts';
import { validateCandle, type RawCandle } from './validate.ts';
import { must } from '../../../test/helpers/must.ts';

test('timestamps: ISO with and without offset, date-only, epoch seconds and ms', () => {
  const t = Date.UTC(2024, 0, 2, 9, 30);
  assert.equal(parseTimestamp('2024-01-02T09:30:00Z'), t);
  assert.equal(parseTimestamp('2024-01-02T09:30:00'), t, 'no offset means UTC');
  assert.equal(parseTimestamp('2024-01-02 09:30'), t);
  assert.equal(parseTimestamp('2024-01-02T10:30:00+01:00'), t);
  assert.equal(parseTimestamp('2024-01-02T04:30:00-0500'), t);
  assert.equal(parseTimestamp('2024-01-02T09:30:00.000Z'), t);
  assert.equal(parseTimestamp('2024-01-02'), Date.UTC(2024, 0, 2));
  assert.equal(parseTimestamp(String(t / 1000)), t, 'seconds');
  assert.equal(parseTimestamp(String(t)), t, 'milliseconds');
  assert.equal(parseTimestamp(t / 1000), t);
  for (const bad of ['2024-02-30', '2024-13-01', '2024-01-02T25:00', 'yesterday', '', '12:00'])
    assert.equal(parseTimestamp(bad), null, bad);
});

const good: RawCandle = {
  line: 2,
  symbol: 'aapl',
  ts: '2024-01-02',
  open: '10',
  high: '12',
  low: '9',
  close: '11',
  volume: '100',
};

function rule(patch: Partial<RawCandle>, interval: '1d' | '1h' = '1d') {
  const v = validateCandle({ ...good, ...patch }, interval);
  return v.ok ? 'ok' : v.error.rule;
}

test('every validation rule with a bad row, and the error names line and rule', () => {
  assert.equal(rule({}), 'ok');
  assert.equal(rule({ open: '' }), 'missing');
  assert.equal(rule({ ts: 'soon' }), 'timestamp');
  assert.equal(rule({ ts: '2024-01-02T01:00:00Z' }), 'aligned');
  assert.equal(rule({ ts: '2024-01-02T01:00:00Z' }, '1h'), 'ok');
  assert.equal(rule({ close: 'NaN' }), 'finite');
  assert.equal(rule({ high: 'Infinity' }), 'finite');
  assert.equal(rule({ vwap: 'x' }), 'finite');
  assert.equal(rule({ low: '10.5' }), 'low_le_open_close');
  assert.equal(rule({ high: '10.5' }), 'high_ge_open_close');
  assert.equal(rule({ low: '13', high: '12' }), 'low_le_high');
  assert.equal(rule({ volume: '-1' }), 'volume_nonneg');
  assert.equal(rule({ trades: '1.5' }), 'trades');
  assert.equal(rule({ symbol: '' }), 'symbol');
  assert.equal(rule({ badColumns: '3 fields, the header has 6' }), 'columns');
  const v = validateCandle({ ...good, low: '10.5' }, '1d');
  assert.ok(!v.ok && v.error.line === 2 && /low 10.5 > min\(open 10, close 11\)/.test(v.error.message));
  const ok = validateCandle(good, '1d');
  assert.ok(ok.ok && ok.candle.symbol === 'AAPL' && ok.candle.ts === Date.UTC(2024, 0, 2) && ok.candle.trades === null);
});

test('timestamps outside the years 0001-9999 are refused; the years 1-99 are not read as 19xx', () => {
  const y50 = new Date(0);
  y50.setUTCFullYear(50, 2, 1);
  assert.equal(parseTimestamp('0050-03-01'), y50.getTime());
  assert.equal(new Date(must(parseTimestamp('0001-01-01T00:00:00Z'))).toISOString(), '0001-01-01T00:00:00.000Z');
  assert.equal(new Date(must(parseTimestamp('9999-12-31T23:59:59Z'))).toISOString(), '9999-12-31T23:59:59.000Z');
  for (const bad of ['0000-12-31', '0001-01-01T00:30:00+01:00', 9e15, '9000000000000000', 300000000000000, -9e13])
    assert.equal(parseTimestamp(bad), null, String(bad));
  assert.equal(rule({ ts: 9e15 }), 'timestamp');
  assert.equal(rule({ ts: '300000000000000' }), 'timestamp');
});

test('the symbol is checked per row: SYMBOL or SYMBOL:EXCHANGE, at most 32 characters', () => {
  assert.equal(rule({ symbol: 'aapl:nasdaq' }), 'ok');
  assert.equal(rule({ symbol: 'AAPL:' }), 'symbol');
  assert.equal(rule({ symbol: 'X'.repeat(33) }), 'symbol');
  const v = validateCandle({ ...good, symbol: '' }, '1d', 'BAD:');
  assert.ok(!v.ok && v.error.rule === 'symbol' && /empty exchange/.test(v.error.message));
});
