import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bothErrors, readAhead, WriteBehind } from './pipeline.ts';

/** A promise the test resolves by hand, to order events without timers. */
function gate<T = void>() {
  let open!: (v: T) => void;
  let fail!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    open = res;
    fail = rej;
  });
  return { promise, open, fail };
}

test('readAhead asks for the next item while the caller handles the current one', async () => {
  const asked: number[] = [];
  async function* source() {
    for (let i = 0; i < 3; i++) {
      asked.push(i);
      yield i;
    }
  }
  const seen: [number, number[]][] = [];
  for await (const v of readAhead(source())) seen.push([v, [...asked]]);
  assert.deepEqual(seen, [
    [0, [0, 1]],
    [1, [0, 1, 2]],
    [2, [0, 1, 2]],
  ]);
});

test('readAhead: a failed read reaches the caller when its turn comes, after the items before it', async () => {
  async function* source() {
    yield 1;
    throw new Error('page 2 failed');
  }
  const seen: number[] = [];
  await assert.rejects(
    (async () => {
      for await (const v of readAhead(source())) seen.push(v);
    })(),
    /page 2 failed/,
  );
  assert.deepEqual(seen, [1]);
});

test('readAhead: stopping early waits for the read in flight and closes the source', async () => {
  let closed = false;
  async function* source() {
    try {
      for (let i = 0; ; i++) yield i;
    } finally {
      closed = true;
    }
  }
  for await (const v of readAhead(source())) if (v === 2) break;
  assert.equal(closed, true);
});

test('WriteBehind runs writes one at a time, in order, while the caller goes on', async () => {
  const w = new WriteBehind();
  const order: string[] = [];
  const first = gate();
  w.enqueue(async () => {
    order.push('1 start');
    await first.promise;
    order.push('1 end');
  });
  w.enqueue(async () => {
    order.push('2');
  });
  order.push('caller');
  await Promise.resolve();
  first.open();
  await w.drain();
  assert.deepEqual(order, ['caller', '1 start', '1 end', '2']);
});

test('WriteBehind: a failed write is thrown by the next after() or drain(), and later writes are skipped', async () => {
  const w = new WriteBehind();
  const ran: number[] = [];
  w.enqueue(async () => {
    throw new Error('COPY failed');
  });
  w.enqueue(async () => {
    ran.push(2);
  });
  await assert.rejects(
    w.after(async () => ran.push(3)),
    /COPY failed/,
  );
  await assert.rejects(w.drain(), /COPY failed/);
  assert.deepEqual(ran, []);
  const settled = await w.settle();
  assert.match(String(settled), /COPY failed/);
});

test('bothErrors keeps the background error beside the one that stopped the work', () => {
  const page = new Error('page failed');
  assert.equal(bothErrors(page, undefined), page);
  const both = bothErrors(page, new Error('write failed'));
  assert.ok(both instanceof AggregateError);
  assert.equal(both.message, 'write failed; and then: page failed');
  assert.equal(both.errors.length, 2);
});
