// Grid syntax: ranges, steps, single values, and errors that name the problem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combinations, parseGrid } from './grid.ts';

test('ranges include the end when a step lands on it; a single value; decimal steps do not drift', () => {
  assert.deepEqual(parseGrid('fast=5..20:5, slow=30, k=0.1..0.3:0.1, n=1..3'), [
    { name: 'fast', values: [5, 10, 15, 20] },
    { name: 'slow', values: [30] },
    { name: 'k', values: [0.1, 0.2, 0.3] },
    { name: 'n', values: [1, 2, 3] },
  ]);
  assert.deepEqual(parseGrid('a=1..10:4')[0].values, [1, 5, 9]);
});

test('combinations: every pair, the last parameter fastest', () => {
  assert.deepEqual(combinations(parseGrid('a=1..2,b=10..30:10')), [
    { a: 1, b: 10 },
    { a: 1, b: 20 },
    { a: 1, b: 30 },
    { a: 2, b: 10 },
    { a: 2, b: 20 },
    { a: 2, b: 30 },
  ]);
});

test('syntax errors name the part and the problem', () => {
  const cases: [string, RegExp][] = [
    ['fast=5..', /grid: the end in "fast=5\.\." must be a number, got ""/],
    ['fast=a..9', /grid: the start in "fast=a\.\.9" must be a number, got "a"/],
    ['fast=5..50:0', /grid: the step in "fast=5\.\.50:0" must be above 0, got 0/],
    ['fast=50..5', /grid: the end in "fast=50\.\.5" is below the start/],
    ['fast 5..50', /grid: "fast 5\.\.50" has no "="/],
    ['fast=1,,slow=2', /grid: an empty part/],
    ['fast=1,fast=2', /grid: fast is given twice/],
    ['9x=1', /grid: "9x" in "9x=1" is not a parameter name/],
    ['a=1..200,b=1..200', /grid: 40000 combinations, more than 10000; use larger steps/],
    ['a=0..1:0.00001', /grid: "a=0\.\.1:0\.00001" has 100001 values, more than 10000/],
  ];
  for (const [text, message] of cases) assert.throws(() => parseGrid(text), message, text);
});
