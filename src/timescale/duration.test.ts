import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from './duration.ts';

test('short and long durations become interval literals; anything else is refused', () => {
  assert.equal(parseDuration('30d'), '30 days');
  assert.equal(parseDuration('1y'), '1 years');
  assert.equal(parseDuration('12h'), '12 hours');
  assert.equal(parseDuration('2w'), '2 weeks');
  assert.equal(parseDuration('6mon'), '6 months');
  assert.equal(parseDuration('6M'), '6 months');
  assert.equal(parseDuration('5m'), '5 minutes');
  assert.equal(parseDuration('30 days'), '30 days');
  for (const bad of ['', 'soon', '0d', '-1d', "1d'; DROP TABLE candles; --", '1.5d', '3 fortnights']) {
    assert.throws(() => parseDuration(bad, '--after'), /--after ".*" is not a duration/);
  }
});
