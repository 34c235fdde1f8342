/**
 * Notifications on both backends: the outbox row commits with its event, signed webhooks with
 * retries under the same id, timeouts, a receiver that is down, failure and channel disabling,
 * private addresses refused, signals to watchers, email over a local SMTP server.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import { insertAsset, insertCloses } from '../helpers/market.ts';
import { startSmtpReceiver, startWebhookReceiver } from '../helpers/receivers.ts';
import { evaluateAlerts } from '../../src/accounts/alerts.ts';
import { createUser } from '../../src/accounts/users.ts';
import { createWatchlist } from '../../src/accounts/watchlists.ts';
import { addItem } from '../../src/accounts/watchlist-items.ts';
import { deleteSignalsFrom, insertSignals, type SignalRow } from '../../src/analysis/signals-repository.ts';
import type { Database } from '../../src/db/types.ts';
import { createChannel, getChannel, listChannels } from '../../src/notify/channels.ts';
import { listDeliveries } from '../../src/notify/deliveries.ts';
import { generateSecret } from '../../src/notify/signing.ts';
import { notifySettings, type NotifySettings } from '../../src/notify/settings.ts';
import { testChannel } from '../../src/notify/service.ts';
import { deliverDue, type WorkerStats } from '../../src/notify/worker.ts';
import { enqueueJobFailures } from '../../src/notify/admin-events.ts';
import { runJob } from '../../src/timescale/jobs.ts';

const settings = (over: Partial<NotifySettings> = {}): NotifySettings => ({
  ...notifySettings({}),
  allowPrivate: true,
  retryDelaysS: [0, 0],
  webhookTimeoutMs: 2000,
  ...over,
});
const PRIVATE_OK = { allowPrivate: true, isAdmin: false };

forEachBackend('notifications', (open) => {
  let db: Database;
  let n = 0;
  before(async () => {
    db = await open();
  });
  after(() => db.close());
  // Each test sees only its own channels and deliveries (the worker sends whatever is due).
  beforeEach(() => db.exec('DELETE FROM notification_channels'));

  /** A user watching a fresh asset with a high alert at 110; returns a function firing one alert. */
  async function watcher() {
    n++;
    const user = await createUser(db, { username: `user${n}`, email: `u${n}@example.com`, password: 'correct horse' });
    const list = await createWatchlist(db, user.id, { name: 'main' });
    const asset = await insertAsset(db, `N${n}`);
    await addItem(db, user.id, list.id, { asset_id: asset, price_alert_high: 110, price_alert_low: 90 });
    let minute = 0;
    const fire = async (close = 120) => {
      // back inside the band, then beyond it: one event per call
      const at = () => new Date(Date.UTC(2024, 0, 1, 0, minute++)).toISOString();
      await insertCloses(db, asset, [100], { start: at() });
      await evaluateAlerts(db, [asset]);
      await insertCloses(db, asset, [close], { start: at() });
      return evaluateAlerts(db, [asset]);
    };
    await insertCloses(db, asset, [100], { start: '2023-12-31T00:00:00Z' });
    await evaluateAlerts(db, [asset]);
    return { user, asset, fire };
  }

  const run = async (s: NotifySettings) => {
    const stats: WorkerStats = { delivered: 0, retried: 0, failed: 0 };
    await deliverDue(db, s, stats, () => {});
    return stats;
  };

  test('an alert is delivered signed; a 500 is retried with the same webhook-id', async () => {
    const secret = generateSecret();
    const rx = await startWebhookReceiver(secret, ({ n }) => ({ status: n === 1 ? 500 : 200 }));
    try {
      const w = await watcher();
      const { channel, secret: shown } = await createChannel(
        db,
        w.user.id,
        { kind: 'webhook', target: rx.url, secret },
        PRIVATE_OK,
      );
      assert.equal(shown, secret);
      assert.ok(
        !JSON.stringify(await listChannels(db, w.user.id)).includes(secret.slice(6)),
        'listings never hold the secret',
      );
      const events = await w.fire();
      assert.equal(events.length, 1);
      const pending = await listDeliveries(db, { userId: w.user.id }, { limit: 10, offset: 0 });
      assert.equal(pending.items.length, 1, 'the outbox row was written with the event');
      assert.equal(pending.items[0].status, 'pending');
      assert.equal(pending.items[0].event_id, events[0].id);

      const s = settings();
      // A retry delay of 0 makes the retry due at once on the database clock: no waiting.
      assert.deepEqual(await run(s), { delivered: 0, retried: 1, failed: 0 });
      assert.deepEqual(await run(s), { delivered: 1, retried: 0, failed: 0 });
      assert.equal(rx.received.length, 2);
      assert.equal(rx.received[0].id, rx.received[1].id, 'same webhook-id on the retry');
      assert.ok(
        rx.received.every((r) => r.verified),
        'signatures verify with standardwebhooks',
      );
      const body = rx.received[1].body as { type: string; data: Record<string, unknown> };
      assert.equal(body.type, 'price_alert');
      assert.equal(body.data.symbol, `N${n}`);
      assert.equal(body.data.direction, 'above');
      assert.equal(body.data.price, 120);
      assert.equal(body.data.alert_id, events[0].id);
      const done = await listDeliveries(db, { userId: w.user.id }, { limit: 10, offset: 0 });
      assert.equal(done.items[0].status, 'delivered');
      assert.equal(done.items[0].attempts, 2);
      assert.equal((await getChannel(db, channel.id))?.consecutive_failures, 0);
    } finally {
      await rx.close();
    }
  });

  test('no event, no delivery: a rolled-back evaluation leaves no outbox row', async () => {
    const w = await watcher();
    await createChannel(db, w.user.id, { kind: 'webhook', target: 'http://127.0.0.1:9/x' }, PRIVATE_OK);
    await insertCloses(db, w.asset, [130], { start: '2024-06-01T00:00:00Z' });
    await assert.rejects(
      db.transaction(async (tx) => {
        assert.equal((await evaluateAlerts(tx, [w.asset])).length, 1);
        throw new Error('rollback');
      }),
    );
    assert.equal((await listDeliveries(db, { userId: w.user.id }, { limit: 10, offset: 0 })).total, 0);
  });

  test('a slow receiver times out and is retried; a receiver that is down fails after the last retry', async () => {
    const secret = generateSecret();
    // Answers after an hour: the 200 ms timeout always comes first, however busy the machine.
    const rx = await startWebhookReceiver(secret, () => ({ status: 200, delayMs: 3_600_000 }));
    try {
      const w = await watcher();
      await createChannel(db, w.user.id, { kind: 'webhook', target: rx.url, secret }, PRIVATE_OK);
      await w.fire();
      const s = settings({ webhookTimeoutMs: 200, retryDelaysS: [0] });
      assert.deepEqual(await run(s), { delivered: 0, retried: 1, failed: 0 });
      let d = (await listDeliveries(db, { userId: w.user.id }, { limit: 10, offset: 0 })).items[0];
      assert.match(d.last_error ?? '', /timed out after 200 ms/);
      rx.behave = () => ({ status: 200 });
      assert.deepEqual(await run(s), { delivered: 1, retried: 0, failed: 0 });
      d = (await listDeliveries(db, { userId: w.user.id }, { limit: 10, offset: 0 })).items[0];
      assert.equal(d.status, 'delivered');
    } finally {
      await rx.close();
    }

    // down: nothing listens on the port
    const w = await watcher();
    const down = await startWebhookReceiver(secret);
    const url = down.url;
    await down.close();
    await createChannel(db, w.user.id, { kind: 'webhook', target: url, secret }, PRIVATE_OK);
    await w.fire();
    const s = settings({ retryDelaysS: [0] });
    assert.deepEqual(await run(s), { delivered: 0, retried: 1, failed: 0 });
    assert.deepEqual(await run(s), { delivered: 0, retried: 0, failed: 1 });
    const failed = await listDeliveries(db, { userId: w.user.id, status: 'failed' }, { limit: 10, offset: 0 });
    assert.equal(failed.total, 1);
    assert.match(failed.items[0].last_error ?? '', /ECONNREFUSED/);
    assert.equal(failed.items[0].attempts, 2);
  });

  test('a channel that keeps failing is disabled and its owner told on the other channel', async () => {
    const secret = generateSecret();
    const good = await startWebhookReceiver(secret);
    try {
      const w = await watcher();
      const bad = await createChannel(db, w.user.id, { kind: 'webhook', target: 'http://127.0.0.1:9/x' }, PRIVATE_OK);
      await createChannel(db, w.user.id, { kind: 'webhook', target: good.url, secret, events: ['signal'] }, PRIVATE_OK);
      const s = settings({ retryDelaysS: [], disableAfter: 2 });
      await w.fire();
      await run(s);
      assert.equal((await getChannel(db, bad.channel.id))?.enabled, true, 'one failure: still enabled');
      await w.fire();
      await w.fire();
      await run(s); // the 2nd failure disables; the 3rd delivery fails as "channel disabled"
      const ch = await getChannel(db, bad.channel.id);
      assert.equal(ch?.enabled, false);
      assert.match(ch?.disabled_reason ?? '', /2 deliveries in a row failed/);
      const failed = await listDeliveries(db, { userId: w.user.id, status: 'failed' }, { limit: 10, offset: 0 });
      assert.equal(failed.total, 3);
      await run(s);
      const notices = good.received.filter((r) => (r.body as { type: string }).type === 'channel_disabled');
      assert.equal(notices.length, 1, 'told once, on the other channel (whatever its event choice)');
      assert.equal((notices[0].body as { data: { channel_id: string } }).data.channel_id, bad.channel.id);
      await w.fire();
      assert.equal(
        (await listDeliveries(db, { userId: w.user.id, status: 'pending' }, { limit: 10, offset: 0 })).total,
        0,
        'a disabled channel gets no new deliveries',
      );
    } finally {
      await good.close();
    }
  });

  test('private, loopback and link-local URLs are refused unless allowed', async () => {
    const w = await watcher();
    const strict = { allowPrivate: false, isAdmin: false };
    for (const url of [
      'http://127.0.0.1/hook',
      'http://localhost:8080/x',
      'http://10.1.2.3/',
      'http://169.254.169.254/latest',
      'http://[::1]/',
      'http://192.168.0.10/',
    ])
      await assert.rejects(
        createChannel(db, w.user.id, { kind: 'webhook', target: url }, strict),
        /private or link-local address: refused/,
        url,
      );
    await assert.rejects(
      createChannel(db, w.user.id, { kind: 'webhook', target: 'ftp://example.com/' }, strict),
      /http:\/\/ or https:\/\//,
    );
    // stored while allowed, refused at send time when no longer allowed
    const { channel } = await createChannel(
      db,
      w.user.id,
      { kind: 'webhook', target: 'http://127.0.0.1:9/x' },
      PRIVATE_OK,
    );
    const res = await testChannel(db, channel.id, settings({ allowPrivate: false }));
    assert.equal(res.ok, false);
    assert.match(res.error ?? '', /refused/);
    assert.equal((await listChannels(db, w.user.id)).length, 1, 'nothing half-written by the refusals');
  });

  test('a new signal goes to users watching the asset; history and other strategies do not', async () => {
    const secret = generateSecret();
    const rx = await startWebhookReceiver(secret);
    try {
      const w = await watcher();
      await createChannel(
        db,
        w.user.id,
        { kind: 'webhook', target: rx.url, secret, events: ['signal'], strategies: ['rsi-reversal'] },
        PRIVATE_OK,
      );
      const sig = (ts: string, strategy: string, expires: Date | null): SignalRow => ({
        asset_id: w.asset,
        ts: new Date(ts),
        signal_type: 'buy',
        strength: 0.7,
        confidence: 0.6,
        price: 101,
        target_price: 110,
        stop_loss: 95,
        strategy,
        rationale: 'test',
        indicators_used: {},
        timeframe: '1d',
        expires_at: expires,
      });
      const future = new Date(Date.now() + 86_400_000);
      await insertSignals(db, [
        sig('2024-01-01T00:00:00Z', 'rsi-reversal', new Date('2024-01-05T00:00:00Z')),
        sig('2024-01-02T00:00:00Z', 'rsi-reversal', future),
        sig('2024-01-02T00:00:00Z', 'macd-crossover', future),
      ]);
      const d = await listDeliveries(db, { userId: w.user.id }, { limit: 10, offset: 0 });
      assert.equal(d.total, 1, 'only the newest live signal of the chosen strategy');
      // a recompute deletes and re-inserts the same signal (new id): not news
      await deleteSignalsFrom(db, w.asset, 'rsi-reversal', '1d', new Date('2024-01-02T00:00:00Z'));
      await insertSignals(db, [sig('2024-01-02T00:00:00Z', 'rsi-reversal', future)]);
      assert.equal((await listDeliveries(db, { userId: w.user.id }, { limit: 10, offset: 0 })).total, 1);
      await run(settings());
      const body = rx.received[0].body as { type: string; data: Record<string, unknown> };
      assert.equal(body.type, 'signal');
      assert.equal(body.data.strategy, 'rsi-reversal');
      assert.equal(body.data.ts, '2024-01-02T00:00:00+00:00');
    } finally {
      await rx.close();
    }
  });

  test('email over SMTP: plain text and HTML parts', async () => {
    const smtp = await startSmtpReceiver();
    try {
      const w = await watcher();
      await createChannel(
        db,
        w.user.id,
        { kind: 'email', target: 'alice@example.com', events: ['price_alert'] },
        PRIVATE_OK,
      );
      await w.fire(125);
      assert.deepEqual(await run(settings({ smtpUrl: smtp.url, smtpFrom: 'tm@example.com' })), {
        delivered: 1,
        retried: 0,
        failed: 0,
      });
      assert.equal(smtp.mails.length, 1);
      assert.deepEqual(smtp.mails[0].to, ['alice@example.com']);
      assert.match(smtp.mails[0].raw, new RegExp(`Subject: N${n} above 110: 125`));
      assert.match(smtp.mails[0].raw, /Content-Type: text\/plain/);
      assert.match(smtp.mails[0].raw, /Content-Type: text\/html/);
    } finally {
      await smtp.close();
    }
  });

  test('two workers at once: every delivery is sent once (SKIP LOCKED claims)', async () => {
    const secret = generateSecret();
    const rx = await startWebhookReceiver(secret);
    try {
      const w = await watcher();
      await createChannel(db, w.user.id, { kind: 'webhook', target: rx.url, secret }, PRIVATE_OK);
      await createChannel(db, w.user.id, { kind: 'webhook', target: rx.url, secret }, PRIVATE_OK);
      for (let i = 0; i < 5; i++) await w.fire();
      const s = settings({ concurrency: 2 });
      const a: WorkerStats = { delivered: 0, retried: 0, failed: 0 };
      const b: WorkerStats = { delivered: 0, retried: 0, failed: 0 };
      while ((await Promise.all([deliverDue(db, s, a, () => {}), deliverDue(db, s, b, () => {})])).some((x) => x > 0));
      assert.equal(a.delivered + b.delivered, 10);
      assert.equal(rx.received.length, 10, 'no delivery sent twice');
      assert.equal(new Set(rx.received.map((r) => r.id)).size, 10);
    } finally {
      await rx.close();
    }
  });

  test('a failing TimescaleDB job is told to administrators once', async () => {
    const secret = generateSecret();
    const rx = await startWebhookReceiver(secret);
    try {
      const admin = await createUser(db, {
        username: 'jobadmin',
        email: 'ja@example.com',
        password: 'correct horse',
        is_admin: true,
      });
      const w = await watcher(); // a non-administrator asking for job_failed is refused
      await assert.rejects(
        createChannel(db, w.user.id, { kind: 'webhook', target: rx.url, events: ['job_failed'] }, PRIVATE_OK),
        /for administrators/,
      );
      await createChannel(
        db,
        admin.id,
        { kind: 'webhook', target: rx.url, secret, events: ['job_failed'] },
        { allowPrivate: true, isAdmin: true },
      );
      await db.exec(
        `CREATE PROCEDURE notify_test_fail(job_id int, config jsonb) LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk on fire'; END $$`,
      );
      const job = (
        await db.query<{ id: number }>(`SELECT add_job('notify_test_fail', '1 hour', scheduled => false) AS id`)
      ).rows[0].id;
      await assert.rejects(runJob(db, job), /disk on fire/);
      // Counted for this job only: the server's own background jobs may fail meanwhile, and are told too.
      const ours = async () =>
        (
          await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM notification_deliveries WHERE event_type = 'job_failed' AND (payload->'data'->>'job_id')::int = $1`,
            [job],
          )
        ).rows[0].n;
      assert.ok((await enqueueJobFailures(db)) >= 1);
      assert.equal(await ours(), 1);
      await enqueueJobFailures(db);
      assert.equal(await ours(), 1, 'the same failure is not sent twice');
      await run(settings());
      const bodies = rx.received.map((r) => r.body as { type: string; data: { job_id: number; error: string } });
      const body = bodies.find((b) => b.data.job_id === job);
      assert.ok(body, `a delivery for job ${job} among ${bodies.length}`);
      assert.equal(body.type, 'job_failed');
      assert.match(body.data.error, /disk on fire/);
    } finally {
      await rx.close();
    }
  });
});
