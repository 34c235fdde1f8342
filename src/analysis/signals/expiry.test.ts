import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expiresAfterMs } from './expiry.ts';
import { INTERVALS } from '../../intervals.ts';
import type { Interval } from '../../intervals.ts';

describe('expiresAfterMs', () => {
  test('five bars of the interval (a month counts 30 days)', () => {
    const minute = 60 * 1000;
    assert.equal(expiresAfterMs('1m'), 5 * minute);
    assert.equal(expiresAfterMs('5m'), 25 * minute);
    assert.equal(expiresAfterMs('15m'), 75 * minute);
    assert.equal(expiresAfterMs('30m'), 150 * minute);
    assert.equal(expiresAfterMs('1h'), 5 * 60 * minute);
    assert.equal(expiresAfterMs('4h'), 20 * 60 * minute);
    assert.equal(expiresAfterMs('1d'), 5 * 24 * 60 * minute);
    assert.equal(expiresAfterMs('1w'), 35 * 24 * 60 * minute);
    assert.equal(expiresAfterMs('1M'), 150 * 24 * 60 * minute);
    assert.equal(INTERVALS.length, 9);
  });

  test('bar count is a parameter', () => {
    assert.equal(expiresAfterMs('1h', 1), 3_600_000);
    assert.throws(() => expiresAfterMs('1h', 0), { name: 'RangeError' });
  });

  test('unknown intervals are rejected with the valid list', () => {
    assert.throws(() => expiresAfterMs('2h' as Interval), {
      name: 'RangeError',
      message: "expiresAfterMs: unknown interval '2h' (valid: 1m, 5m, 15m, 30m, 1h, 4h, 1d, 1w, 1M)",
    });
  });
});
