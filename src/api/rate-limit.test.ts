import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FixedWindowLimiter } from './rate-limit.ts';

test('fixed window: max hits per key, then refused until the window resets', () => {
  let now = 0;
  const l = new FixedWindowLimiter(2, 10_000, () => now);
  assert.equal(l.hit('a').allowed, true);
  assert.equal(l.check('a').allowed, true);
  assert.equal(l.hit('a').allowed, true);
  const refused = l.hit('a');
  assert.deepEqual(refused, { allowed: false, retryAfter: 10 });
  assert.equal(l.check('a').allowed, false);
  assert.equal(l.hit('b').allowed, true, 'keys are independent');
  now = 9_500;
  assert.equal(l.check('a').retryAfter, 1);
  now = 10_000;
  assert.equal(l.hit('a').allowed, true, 'a new window');
  l.hit('a');
  l.reset('a');
  assert.equal(l.hit('a').allowed, true);
});
