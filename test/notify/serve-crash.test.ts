/**
 * tm serve delivers the outbox; killed with SIGKILL in the middle of deliveries and started again,
 * it delivers every event (at least once, same webhook-id), on both backends.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { forEachBackend } from '../helpers/backends.ts';
import { insertAsset, insertCloses } from '../helpers/market.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/receivers.ts';
import { evaluateAlerts } from '../../src/accounts/alerts.ts';
import { createUser } from '../../src/accounts/users.ts';
import { createWatchlist } from '../../src/accounts/watchlists.ts';
import { addItem } from '../../src/accounts/watchlist-items.ts';
import { openEmbedded } from '../../src/db/pglite.ts';
import { openEmbeddedOrShared } from '../../src/db/share/open.ts';
import type { Database } from '../../src/db/types.ts';
import { createChannel } from '../../src/notify/channels.ts';
import { listDeliveries } from '../../src/notify/deliveries.ts';
import { generateSecret } from '../../src/notify/signing.ts';
import { untilTrue } from '../helpers/wait.ts';

/** Two tm serve processes start and deliver on a loaded machine: the bound only decides how long a broken test takes to fail. */
const SERVE_BOUND_MS = 90_000;

const BIN = path.resolve('bin/tm.js');
const EVENTS = 30;

/** A user with EVENTS alert events and a webhook channel to the receiver (written before serve runs). */
async function seed(db: Database, url: string, secret: string): Promise<void> {
  const user = await createUser(db, { username: 'crash', email: 'crash@example.com', password: 'correct horse' });
  const list = await createWatchlist(db, user.id, { name: 'main' });
  await createChannel(db, user.id, { kind: 'webhook', target: url, secret }, { allowPrivate: true, isAdmin: false });
  const assets: string[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const a = await insertAsset(db, `K${i}`);
    await addItem(db, user.id, list.id, { asset_id: a, price_alert_high: 110 });
    await insertCloses(db, a, [100], { start: '2024-01-01T00:00:00Z' });
    assets.push(a);
  }
  await evaluateAlerts(db, assets);
  for (const a of assets) await insertCloses(db, a, [120], { start: '2024-01-01T00:01:00Z' });
  assert.equal((await evaluateAlerts(db, assets)).length, EVENTS);
}

function exited(p: ChildProcess): Promise<unknown> {
  return p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise((r) => p.once('exit', r));
}

forEachBackend('tm serve delivery after kill -9', (open, backend) => {
  let rx: WebhookReceiver;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let db: Database | undefined;
  const secret = generateSecret();
  before(async () => {
    // The first four answers come at once; the receiver then holds every request (an hour: never, here), so
    // deliveries are in flight when the process is killed however fast or slow the machine is.
    rx = await startWebhookReceiver(secret, () =>
      rx.received.length < 4 ? { status: 200 } : { status: 200, delayMs: 3_600_000 },
    );
    dir = mkdtempSync(path.join(os.tmpdir(), 'tm-notify-'));
    env = {
      TM_DEMO: '0',
      TM_LOG: '0',
      TM_WEBHOOK_ALLOW_PRIVATE: '1',
      TM_NOTIFY_LEASE_SECONDS: '2',
      TM_NOTIFY_POLL_MS: '100',
      TM_NOTIFY_CONCURRENCY: '2',
    };
    if (backend === 'embedded') {
      env.TM_DATA_DIR = path.join(dir, 'data');
      env.DATABASE_URL = '';
      const seedDb = await openEmbedded({ dataDir: env.TM_DATA_DIR });
      const { Migrator } = await import('../../src/db/migrate/migrator.ts');
      await new Migrator(seedDb).upgrade('head');
      await seed(seedDb, rx.url, secret);
      await seedDb.close();
    } else {
      const server = (await open()) as Database & { url: string };
      db = server;
      env.DATABASE_URL = server.url;
      await seed(server, rx.url, secret);
    }
  });
  after(async () => {
    await db?.close();
    await rx.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const serve = (): ChildProcess =>
    spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });

  test('every event is delivered after a SIGKILL mid-delivery and a restart', async () => {
    const ids = () => new Set(rx.received.filter((r) => r.verified).map((r) => r.id));
    const first = serve();
    await untilTrue('the first deliveries', () => rx.received.length >= 4, SERVE_BOUND_MS);
    first.kill('SIGKILL');
    await exited(first);
    const before = ids().size;
    assert.ok(before < EVENTS, `killed mid-way (${before} of ${EVENTS} delivered)`);
    rx.behave = () => ({ status: 200 });

    const second = serve();
    try {
      await untilTrue('every event delivered', () => ids().size === EVENTS, SERVE_BOUND_MS);
      // A send the first process had in flight was answered but never marked: the second sends it again
      // once its lease ends. Wait for the outbox itself (embedded: through the running server).
      const live = db ?? (await openEmbeddedOrShared(env.TM_DATA_DIR as string));
      try {
        await untilTrue(
          'nothing pending',
          async () => (await listDeliveries(live, { status: 'pending' }, { limit: 1, offset: 0 })).total === 0,
          SERVE_BOUND_MS,
        );
      } finally {
        if (!db) await live.close();
      }
    } finally {
      second.kill('SIGTERM');
      await exited(second);
    }
    const bodies = rx.received.map((r) => (r.body as { data: { symbol: string } }).data.symbol);
    assert.equal(new Set(bodies).size, EVENTS, 'one event per asset, none lost');

    const check = db ?? (await openEmbedded({ dataDir: env.TM_DATA_DIR as string }));
    try {
      const pending = await listDeliveries(check, { status: 'pending' }, { limit: 100, offset: 0 });
      const done = await listDeliveries(check, { status: 'delivered' }, { limit: 100, offset: 0 });
      assert.equal(pending.total, 0);
      assert.equal(done.total, EVENTS);
    } finally {
      if (!db) await check.close();
    }
  });
});
