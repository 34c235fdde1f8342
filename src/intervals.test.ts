import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketStart, divides, isAligned, nextBucket, parseInterval } from './intervals.ts';

const t = (s: string) => Date.parse(s);

test('fixed intervals align to the epoch in UTC', () => {
  assert.equal(bucketStart('5m', t('2024-05-01T10:07:31Z')), t('2024-05-01T10:05:00Z'));
  assert.equal(bucketStart('4h', t('2024-05-01T10:07:31Z')), t('2024-05-01T08:00:00Z'));
  assert.equal(bucketStart('1d', t('2024-05-01T23:59:59Z')), t('2024-05-01T00:00:00Z'));
  assert.ok(isAligned('1h', t('2024-05-01T10:00:00Z')));
  assert.ok(!isAligned('1h', t('2024-05-01T10:00:01Z')));
});

test('weeks start on Monday and months on the 1st', () => {
  // 2024-05-01 was a Wednesday; its week began Monday 2024-04-29.
  assert.equal(bucketStart('1w', t('2024-05-01T12:00:00Z')), t('2024-04-29T00:00:00Z'));
  assert.ok(isAligned('1w', t('2024-04-29T00:00:00Z')));
  assert.equal(bucketStart('1M', t('2024-02-29T12:00:00Z')), t('2024-02-01T00:00:00Z'));
  assert.equal(nextBucket('1M', t('2024-12-01T00:00:00Z')), t('2025-01-01T00:00:00Z'));
});

test('rollups need whole buckets; unknown intervals are named', () => {
  assert.ok(divides('1m', '5m') && divides('1h', '1d') && divides('1d', '1w') && divides('1d', '1M'));
  assert.ok(!divides('1w', '1M') && !divides('1d', '1h') && !divides('1h', '1h'));
  assert.throws(() => parseInterval('2h'), /interval "2h" is not one of 1m, 5m/);
});
