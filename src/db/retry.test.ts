import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retryTransient, TRANSIENT_ATTEMPTS } from './retry.ts';

const failure = (code: string) => Object.assign(new Error(code), { code });

test('a deadlock or serialization failure is run again until it succeeds', async () => {
  let calls = 0;
  const r = await retryTransient(async () => {
    calls++;
    if (calls === 1) throw failure('40P01');
    if (calls === 2) throw failure('40001');
    return 'done';
  });
  assert.deepEqual([r, calls], ['done', 3]);
});

test('other errors are not retried, and the retries are bounded', async () => {
  let calls = 0;
  await assert.rejects(
    retryTransient(async () => {
      calls++;
      throw failure('23505');
    }),
    /23505/,
  );
  assert.equal(calls, 1);
  calls = 0;
  await assert.rejects(
    retryTransient(async () => {
      calls++;
      throw failure('40P01');
    }),
    /40P01/,
  );
  assert.equal(calls, TRANSIENT_ATTEMPTS);
});
