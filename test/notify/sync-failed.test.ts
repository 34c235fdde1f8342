/**
 * sync_failed events on both backends: a market interval that keeps failing against the local provider
 * server is told to administrators once per transition into "failing" (not on every failed poll), with
 * the documented payload, signed, to a local receiver; a recovery and a new run of failures tell again;
 * the live sync rounds of `tm serve` (the scheduler) likewise.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import { startFakeMarkets, type FakeMarkets } from '../helpers/fake-markets.ts';
import { startWebhookReceiver } from '../helpers/receivers.ts';
import { createUser } from '../../src/accounts/users.ts';
import type { Database } from '../../src/db/types.ts';
import { createChannel } from '../../src/notify/channels.ts';
import { generateSecret } from '../../src/notify/signing.ts';
import { subjectOf } from '../../src/notify/render.ts';
import { notifySettings } from '../../src/notify/settings.ts';
import { deliverDue, type WorkerStats } from '../../src/notify/worker.ts';
import { syncRange } from '../../src/sync/engine.ts';
import { createProvider } from '../../src/sync/providers/index.ts';
import { startSyncScheduler } from '../../src/sync/scheduler.ts';
import { addSource } from '../../src/sync/sources.ts';
import { FAILING_AFTER, syncStatus } from '../../src/sync/status.ts';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const MIN = 60_000;

let fake: FakeMarkets;
let env: NodeJS.ProcessEnv;
before(async () => {
  fake = await startFakeMarkets();
  env = { TM_BINANCE_URL: fake.url, TM_COINBASE_URL: fake.url, TM_SYNC_RETRIES: '1', TM_SYNC_RETRY_BASE_MS: '5' };
});
after(() => fake.close());

forEachBackend('sync_failed notifications', (open) => {
  let db: Database;
  before(async () => {
    db = await open();
  });
  after(() => db.close());

  async function deliveries(type: string) {
    const r = await db.query<{
      user_id: string;
      event_id: string;
      payload: { type: string; data: Record<string, unknown> };
    }>(`SELECT user_id, event_id, payload FROM notification_deliveries WHERE event_type = $1 ORDER BY created_at`, [
      type,
    ]);
    return r.rows;
  }

  test('a market interval that becomes failing is told once to administrators who chose sync_failed', async () => {
    const secret = generateSecret();
    const rx = await startWebhookReceiver(secret);
    try {
      const admin = await createUser(db, {
        username: 'syncadmin',
        email: 'sa@example.com',
        password: 'correct horse',
        is_admin: true,
      });
      const other = await createUser(db, {
        username: 'syncadmin2',
        email: 'sa2@example.com',
        password: 'correct horse',
        is_admin: true,
      });
      const opts = { allowPrivate: true, isAdmin: true };
      await createChannel(db, admin.id, { kind: 'webhook', target: rx.url, secret, events: ['sync_failed'] }, opts);
      // An administrator who did not choose sync_failed hears nothing.
      await createChannel(db, other.id, { kind: 'webhook', target: rx.url, secret, events: ['job_failed'] }, opts);

      fake.markets.set('FAILUSDT', { listedFrom: T0 });
      const source = await addSource(db, { asset: 'FAILUSDT', provider: 'binance', intervals: ['1m'] });
      const provider = createProvider('binance', env);
      const fail = async () => {
        fake.script.push({ status: 503, body: 'down for maintenance' });
        // a range never synced, so each call asks the provider
        await assert.rejects(syncRange(db, provider, source, '1m', T0 + 100 * MIN, T0 + 110 * MIN), /503/);
      };

      for (let i = 1; i < FAILING_AFTER; i++) await fail();
      assert.equal((await deliveries('sync_failed')).length, 0, 'errors before "failing" are not told');
      await fail(); // the transition into failing
      await fail(); // still failing: nothing new
      await fail();
      const rows = await deliveries('sync_failed');
      assert.equal(rows.length, 1, 'exactly one delivery for one transition');
      assert.equal(rows[0].user_id, admin.id);
      const status = (await syncStatus(db)).find((r) => r.source_id === source.id);
      assert.equal(status?.state, 'failing');
      assert.equal(status?.failures, FAILING_AFTER + 2);

      // Sent, signed, with the documented payload.
      const stats: WorkerStats = { delivered: 0, retried: 0, failed: 0 };
      await deliverDue(db, { ...notifySettings({}), allowPrivate: true }, stats, () => {});
      assert.equal(stats.delivered, 1);
      assert.equal(rx.received.length, 1);
      assert.ok(rx.received[0].verified, 'the signature verifies');
      const body = rx.received[0].body as { type: string; data: Record<string, unknown> };
      assert.equal(body.type, 'sync_failed');
      assert.deepEqual(
        {
          ...body.data,
          failed_at: typeof body.data.failed_at,
          error: typeof body.data.error,
        },
        {
          source_id: source.id,
          asset: 'FAILUSDT:BINANCE',
          provider: 'binance',
          market: 'FAILUSDT',
          interval: '1m',
          failures: FAILING_AFTER,
          error: 'string',
          failed_at: 'string',
          last_success_at: null,
          last_candle: null,
        },
      );
      assert.match(String(body.data.error), /503/);
      // An email of it says what fails in its subject.
      assert.match(
        subjectOf(body as Parameters<typeof subjectOf>[0]),
        /^Market data sync failing: FAILUSDT:BINANCE 1m from binance: .*503/,
      );

      // It recovers (the failure count starts again), then fails anew: a second transition, a second event.
      const ok = await syncRange(db, provider, source, '1m', T0, T0 + 10 * MIN);
      assert.equal(ok.inserted, 10);
      for (let i = 0; i < FAILING_AFTER + 1; i++) await fail();
      const again = await deliveries('sync_failed');
      assert.equal(again.length, 2);
      assert.notEqual(again[0].event_id, again[1].event_id);
      assert.equal(again[1].payload.data.last_candle !== null, true, 'the second event knows the last candle');
    } finally {
      await rx.close();
    }
  });

  test("tm serve's live sync: failed rounds tell administrators once, on the round that makes it failing", async () => {
    const live = await open(); // only this test's sources
    try {
      const admin = await createUser(live, {
        username: 'liveadmin',
        email: 'la@example.com',
        password: 'correct horse',
        is_admin: true,
      });
      await createChannel(
        live,
        admin.id,
        { kind: 'email', target: 'ops@example.com', events: ['sync_failed'] },
        { allowPrivate: false, isAdmin: true },
      );
      // Coinbase does not list this product: every round fails at once (a 404 is not retried).
      await addSource(live, { asset: 'GONE-USD', provider: 'coinbase', intervals: ['1h'] });
      const count = async () =>
        (await live.query<{ n: number }>(`SELECT count(*)::int AS n FROM notification_deliveries`)).rows[0].n;
      const seen: number[] = [];
      for (let round = 1; round <= FAILING_AFTER + 2; round++) {
        // A scheduler per round: its in-memory backoff would otherwise skip the next rounds.
        const sched = startSyncScheduler(live, { env, tickMs: 3_600_000, graceMs: 0 });
        try {
          await sched.tick();
        } finally {
          await sched.stop();
        }
        seen.push(await count());
      }
      assert.deepEqual(seen, [0, 0, 1, 1, 1]);
      const [row] = (await syncStatus(live)).filter((r) => r.asset === 'GONE-USD:COINBASE');
      assert.equal(row.failures, FAILING_AFTER + 2);
    } finally {
      await live.close();
    }
  });
});
