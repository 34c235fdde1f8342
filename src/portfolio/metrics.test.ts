/** Return measures against hand-computed cases. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { irr, maxDrawdown, twrIndex } from './metrics.ts';

const near = (a: number | null, b: number, eps = 1e-9) => assert.ok(a !== null && Math.abs(a - b) < eps, `${a} ≈ ${b}`);

test('time-weighted: a deposit on a day is not a gain; returns chain', () => {
  // 100 → 110 (+10 %), then 50 deposited and the value is 165 − 50 = 115 at the old capital: 115/110.
  const idx = twrIndex(
    [
      { value: 110, flow: 0 },
      { value: 165, flow: 50 },
      { value: 148.5, flow: 0 },
    ],
    100,
  );
  near(idx[0], 1.1);
  near(idx[1], 1.15);
  near(idx[2], 1.15 * (148.5 / 165));
  assert.deepEqual(twrIndex([{ value: 100, flow: 100 }], 0), [1], 'the first money in is no return');
});

test('max drawdown from the running peak', () => {
  near(maxDrawdown([1, 1.2, 0.9, 1.3, 1.04]), 0.25); // 1.2 → 0.9
  assert.equal(maxDrawdown([1, 1.1, 1.2]), 0);
  near(maxDrawdown([null, 2, 1, null]), 0.5);
});

test('money-weighted return (IRR), annual', () => {
  near(
    irr([
      { years: 0, amount: -100 },
      { years: 1, amount: 110 },
    ]),
    0.1,
  );
  // −100 now, −100 in a year, +231 in two: 10 % a year (100 × 1.21 + 100 × 1.1).
  near(
    irr([
      { years: 0, amount: -100 },
      { years: 1, amount: -100 },
      { years: 2, amount: 231 },
    ]),
    0.1,
  );
  near(
    irr([
      { years: 0, amount: -100 },
      { years: 0.5, amount: 90 },
    ]),
    0.81 - 1,
  );
  assert.equal(
    irr([
      { years: 0, amount: 100 },
      { years: 1, amount: 10 },
    ]),
    null,
    'no sign change',
  );
});
