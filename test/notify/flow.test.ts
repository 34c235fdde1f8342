/**
 * Issue 23 items 5 and 6, on both backends: deliveries never wait on each other (a bounded pool, a
 * per-destination limit, claims that flow), retries are scheduled from the attempt time, and each
 * delivery is marked delivered as soon as it is answered. Clocks and jitter are injected; the tests
 * wait for receivers and settlements, not for time.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/receivers.ts';
import { createUser, type User } from '../../src/accounts/users.ts';
import type { Database } from '../../src/db/types.ts';
import { createChannel } from '../../src/notify/channels.ts';
import { generateSecret } from '../../src/notify/signing.ts';
import { notifySettings, type NotifySettings } from '../../src/notify/settings.ts';
import { deliverDue, startDeliveryWorker, type WorkerStats } from '../../src/notify/worker.ts';
import { untilTrue } from '../helpers/wait.ts';

const settings = (over: Partial<NotifySettings> = {}): NotifySettings => ({
  ...notifySettings({}),
  allowPrivate: true,
  ...over,
});
const HANG = { status: 200, delayMs: 600_000 }; // answered only when the receiver closes
/** Resolves once `cond` holds (the shared poll; its bound only turns a broken worker into a failure). */
const until = (cond: () => boolean | Promise<boolean>, what = 'the condition') => untilTrue(what, cond, 120_000);

forEachBackend('notification delivery flow', (open) => {
  let db: Database;
  let user: User;
  let n = 0;
  before(async () => {
    db = await open();
    user = await createUser(db, { username: 'flow', email: 'flow@example.com', password: 'correct horse' });
  });
  after(() => db.close());
  beforeEach(() => db.exec('DELETE FROM notification_channels'));

  const channel = async (rx: WebhookReceiver) =>
    (
      await createChannel(
        db,
        user.id,
        { kind: 'webhook', target: rx.url, secret: rx.secret },
        { allowPrivate: true, isAdmin: false },
      )
    ).channel.id;
  /** `count` deliveries for a channel, due at `due` (default: now). */
  const enqueue = async (channelId: string, count: number, due?: Date): Promise<string[]> => {
    const r = await db.query<{ id: string }>(
      `INSERT INTO notification_deliveries (channel_id, user_id, event_type, event_id, payload, next_attempt_at)
       SELECT $1, $2, 'test', $3 || ':' || g, jsonb_build_object('type', 'test', 'data', jsonb_build_object('n', g)),
              coalesce($5::timestamptz, now())
       FROM generate_series(1, $4) AS g RETURNING id`,
      [channelId, user.id, `e${++n}`, count, due?.toISOString() ?? null],
    );
    return r.rows.map((x) => x.id);
  };
  const status = async (id: string) =>
    (await db.query<{ status: string }>('SELECT status FROM notification_deliveries WHERE id = $1', [id])).rows[0]
      .status;

  test('an answered delivery is marked delivered at once, while others of its round are still in flight', async () => {
    const slow = await startWebhookReceiver(generateSecret(), () => HANG);
    const fast = await startWebhookReceiver(generateSecret());
    try {
      await enqueue(await channel(slow), 1);
      const [fastId] = await enqueue(await channel(fast), 1);
      const stats: WorkerStats = { delivered: 0, retried: 0, failed: 0 };
      const round = deliverDue(db, settings({ webhookTimeoutMs: 600_000, retryDelaysS: [600] }), stats, () => {});
      await until(() => stats.delivered === 1);
      assert.equal(slow.received.length, 1, 'the slow receiver still holds its request');
      assert.equal(await status(fastId), 'delivered', 'a crash now must not send it again');
      await slow.close();
      assert.equal(await round, 2);
      assert.deepEqual(stats, { delivered: 1, retried: 1, failed: 0 });
    } finally {
      await slow.close();
      await fast.close();
    }
  });

  test('a receiver that never answers takes at most its per-destination share; others are delivered meanwhile', async () => {
    const hanging = await startWebhookReceiver(generateSecret(), () => HANG);
    const fast = await startWebhookReceiver(generateSecret());
    const s = settings({
      webhookTimeoutMs: 600_000,
      retryDelaysS: [600],
      concurrency: 16,
      perDestination: 2,
      pollMs: 20,
    });
    // The hanging receiver's 40 are older, so they come first in the queue.
    await enqueue(await channel(hanging), 40, new Date(Date.now() - 60_000));
    const fastChannel = await channel(fast);
    await enqueue(fastChannel, 1);
    const worker = startDeliveryWorker(db, { log: () => {}, settings: s });
    try {
      await until(() => fast.received.length >= 1 || hanging.received.length > s.perDestination);
      assert.equal(fast.received.length, 1, `delivered while the hanging receiver holds ${hanging.received.length}`);
      await until(() => hanging.received.length >= s.perDestination);
      assert.equal(hanging.received.length, s.perDestination, 'no more than its share in flight');
      // A later event is not queued behind the hanging receiver either.
      await enqueue(fastChannel, 1);
      await until(() => fast.received.length >= 2 || hanging.received.length > s.perDestination);
      assert.equal(fast.received.length, 2);
      assert.equal(hanging.received.length, s.perDestination);
      await until(() => worker.stats.delivered === 2);
    } finally {
      await hanging.close();
      await worker.stop();
      await fast.close();
    }
  });

  test('retries are scheduled from the attempt time, not from a slow answer: 3, 6 and 12 s apart', async () => {
    const t0 = Date.now() - 3_600_000; // the injected clock, an hour behind the database's
    let t = t0;
    // Each attempt takes 7 s on the injected clock before its 503.
    const rx = await startWebhookReceiver(generateSecret(), () => {
      t += 7000;
      return { status: 503 };
    });
    try {
      const [id] = await enqueue(await channel(rx), 1, new Date(t0 - 1000));
      const s = settings({ retryDelaysS: [3, 6, 12] });
      const deps = { now: () => t, random: () => 0.5 }; // 0.5: no jitter
      const next = async () =>
        (
          await db.query<{ at: Date }>('SELECT next_attempt_at AS at FROM notification_deliveries WHERE id = $1', [id])
        ).rows[0].at.getTime();
      let attempt = t0;
      const gaps: number[] = [];
      for (let i = 0; i < 3; i++) {
        const stats: WorkerStats = { delivered: 0, retried: 0, failed: 0 };
        assert.equal(await deliverDue(db, s, stats, () => {}, deps), 1);
        assert.equal(stats.retried, 1);
        const due = await next();
        gaps.push(due - attempt);
        attempt = due;
        t = due; // the next round runs when the retry is due
      }
      assert.deepEqual(gaps, [3000, 6000, 12000]);
      assert.equal(rx.received.length, 3);
    } finally {
      await rx.close();
    }
  });

  test("a row due within the claim's millisecond is claimed (the database counts microseconds, the clock milliseconds)", async () => {
    const rx = await startWebhookReceiver(generateSecret());
    try {
      const at = Date.parse('2026-03-02T10:00:00.123Z');
      const [id] = await enqueue(await channel(rx), 1, new Date(at));
      // As if written with now() at .123456, and claimed by a worker whose clock still reads .123
      await db.query(
        "UPDATE notification_deliveries SET next_attempt_at = next_attempt_at + interval '456 microseconds' WHERE id = $1",
        [id],
      );
      const stats: WorkerStats = { delivered: 0, retried: 0, failed: 0 };
      assert.equal(
        await deliverDue(db, settings(), stats, () => {}, { now: () => at - 1 }),
        0,
        'not due a millisecond early',
      );
      assert.equal(await deliverDue(db, settings(), stats, () => {}, { now: () => at }), 1);
      assert.equal(await status(id), 'delivered');
    } finally {
      await rx.close();
    }
  });
});
