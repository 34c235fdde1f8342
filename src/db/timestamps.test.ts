import { test } from 'node:test';
import assert from 'node:assert/strict';
import { finiteTimestamps } from './timestamps.ts';

const parse = finiteTimestamps((t) => new Date(t));

test('±infinity (the catalog\'s "never") reads as null', () => {
  assert.equal(parse('-infinity'), null);
  assert.equal(parse('infinity'), null);
});

test('other timestamps go to the backend parser', () => {
  assert.equal(parse('2024-01-02 03:04:05.678+00')?.toISOString(), '2024-01-02T03:04:05.678Z');
});
