import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retryTransient, retryUnavailable, TRANSIENT_ATTEMPTS } from './retry.ts';
import { isUnavailable } from './pg-errors.ts';

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

test('lost connections, shutdowns, failovers and read-only servers count as unavailable; bad SQL does not', () => {
  for (const code of ['57P01', '57P02', '57P03', '08006', '08001', '25006', 'ECONNREFUSED', 'ECONNRESET']) {
    assert.ok(isUnavailable(failure(code)), code);
  }
  assert.ok(isUnavailable(new Error('Connection terminated unexpectedly')));
  assert.ok(isUnavailable(new Error('timeout exceeded when trying to connect')));
  for (const code of ['23505', '42601', '40P01', '22P02']) assert.ok(!isUnavailable(failure(code)), code);
  assert.ok(!isUnavailable(new Error('Connection terminated unexpectedly, said the user')));
});

test('unavailable work is retried with a growing backoff until it succeeds, within its budget', async () => {
  let clock = 0;
  const waits: number[] = [];
  const opts = {
    budgetMs: 5_000,
    now: () => clock,
    sleep: async (ms: number) => {
      waits.push(ms);
      clock += ms;
    },
  };
  let calls = 0;
  const r = await retryUnavailable(async () => {
    if (++calls < 4) throw failure('57P01');
    return 'done';
  }, opts);
  assert.deepEqual([r, calls], ['done', 4]);
  assert.ok(waits[1] > waits[0] && waits[2] > waits[1], `backoff grows: ${waits}`);

  calls = 0;
  clock = 0;
  await assert.rejects(
    retryUnavailable(async () => {
      calls++;
      throw failure('08006');
    }, opts),
    /08006/,
  );
  assert.ok(clock <= 5_000 && calls > 3, `gave up within the budget after ${calls} calls at ${clock} ms`);
  calls = 0;
  await assert.rejects(
    retryUnavailable(async () => {
      calls++;
      throw failure('23505');
    }, opts),
    /23505/,
  );
  assert.equal(calls, 1);
});
