/** The default compression orderby by TimescaleDB version (pure: no database needed). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_ORDERBY, defaultOrderby } from '../../src/timescale/compression.ts';

test('releases before 2.14 get id appended (candles key (id, ts) must be segmented or ordered there)', () => {
  for (const v of ['2.9.3', '2.11.2', '2.13.1', '1.7.5']) assert.equal(defaultOrderby(v), 'ts DESC, id', v);
});

test('2.14 and later, the embedded -dev build, and no TimescaleDB keep ts DESC', () => {
  for (const v of ['2.14.0', '2.17.2', '2.23.0-dev', '3.0.0']) assert.equal(defaultOrderby(v), DEFAULT_ORDERBY, v);
  assert.equal(defaultOrderby(null), DEFAULT_ORDERBY);
});
