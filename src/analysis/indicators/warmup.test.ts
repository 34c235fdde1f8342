import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SEED_DECAY, decayBars, emaFactor, wilderFactor } from './warmup.ts';

/** Brute force: the smallest m with C(m + order - 1, order - 1) * a^m <= tol. */
function bruteForce(a: number, order: 1 | 2, tol: number): number {
  for (let m = 0; ; m++) {
    const weight = order === 1 ? 1 : m + 1;
    if (weight * a ** m <= tol) return m;
  }
}

describe('decayBars', () => {
  test('is the smallest bar count that brings the seed weight under the tolerance', () => {
    for (const a of [
      0.01,
      0.1,
      0.5,
      emaFactor(12),
      emaFactor(26),
      wilderFactor(14),
      wilderFactor(100),
      emaFactor(200),
    ]) {
      for (const order of [1, 2] as const) {
        assert.equal(decayBars(a, order), bruteForce(a, order, SEED_DECAY), `a=${a} order=${order}`);
      }
    }
  });

  test('a factor of 0 (no memory) needs no bars; factors outside [0, 1) are rejected', () => {
    assert.equal(decayBars(0, 1), 0);
    assert.equal(decayBars(0, 2), 0);
    assert.throws(() => decayBars(1), { name: 'RangeError' });
    assert.throws(() => decayBars(-0.1), { name: 'RangeError' });
  });

  test('factors: EMA 1 - 2/(n+1), Wilder 1 - 1/n', () => {
    assert.ok(Math.abs(emaFactor(20) - (1 - 2 / 21)) < 1e-15);
    assert.ok(Math.abs(wilderFactor(14) - (1 - 1 / 14)) < 1e-15);
  });
});
