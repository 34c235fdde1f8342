// The run's time formatter writes exactly what Date#toISOString writes, on day edges, before 1970, in leap years
// and beyond year 9999, and on many random times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../../random.ts';
import { isoTimes } from './run.ts';

const DAY = 86_400_000;

test('isoTimes equals toISOString', () => {
  const times = [
    0,
    1,
    999,
    59_999,
    3_599_999,
    DAY - 1,
    DAY,
    -1,
    -DAY,
    -DAY - 1,
    Date.UTC(2024, 1, 29, 23, 59, 59, 999),
    Date.UTC(1969, 11, 31, 0, 0, 0, 1),
    Date.UTC(9999, 11, 31, 23, 59, 59, 999),
    Date.UTC(10000, 0, 1, 0, 0, 0, 1),
    Date.UTC(-5, 5, 5, 5, 5, 5, 5),
    1.5, // not a whole millisecond: the Date's own rounding
  ];
  const rand = mulberry32(3);
  for (let k = 0; k < 20_000; k++) times.push(Math.floor(rand() * 4e12) - 1e12);
  // Sorted, as bars are, so the cached day is reused and replaced.
  times.sort((a, b) => a - b);
  const ts = new Float64Array(times);
  const iso = isoTimes(ts);
  for (let i = 0; i < ts.length; i++) assert.equal(iso(i), new Date(ts[i]).toISOString(), `time ${ts[i]}`);
});
