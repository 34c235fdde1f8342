/** Issue 13, item 6: a backtest in the worker pool gives the in-process result and leaves the event loop free. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { backtestPool } from './backtest-pool.ts';
import { runBacktestTask, type BacktestTask } from './backtest-task.ts';
import { candlesFromCloses } from './signals/testing/candles.ts';

const pool = backtestPool();
after(() => pool.close());

const closes = Array.from({ length: 150_000 }, (_, i) => 100 + 10 * Math.sin(i / 40) + 3 * Math.sin(i / 7));
const task = (): BacktestTask => ({
  series: candlesFromCloses(closes),
  strategy: 'rsi-reversal',
  params: {},
  horizon: 10,
});

test('the worker computes what the main thread computes', async () => {
  const here = runBacktestTask(task());
  const there = await pool.run(task());
  assert.ok(here.signals > 100, 'the series gives the strategy something to do');
  assert.deepEqual(there, here);
});

test('the event loop keeps turning while a long backtest computes', async () => {
  let turns = 0;
  let done = false;
  const spin = () => {
    turns++;
    if (!done) setImmediate(spin);
  };
  setImmediate(spin);
  await pool.run(task()).finally(() => {
    done = true;
  });
  // In-process the computation is one synchronous call: the loop would not turn at all meanwhile.
  assert.ok(turns > 20, `the loop turned ${turns} times`);
});

test("a strategy's refusal is the request's error (400), as in-process", async () => {
  await assert.rejects(pool.run({ ...task(), horizon: 0 }), (err: Error & { status?: number }) => {
    assert.equal(err.status, 400);
    assert.match(err.message, /horizon/);
    return true;
  });
});
