/**
 * Telegram channels on both backends, against a local stand-in for the Bot API: a price alert arrives as
 * a formatted sendMessage; a 429 is retried after its retry_after (not the usual delay); "chat not found"
 * and "bot was blocked" fail at once with a clear message; the token is never listed.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import { insertAsset, insertCloses } from '../helpers/market.ts';
import { startTelegramStandIn } from '../helpers/telegram-standin.ts';
import { evaluateAlerts } from '../../src/accounts/alerts.ts';
import { createUser } from '../../src/accounts/users.ts';
import { createWatchlist } from '../../src/accounts/watchlists.ts';
import { addItem } from '../../src/accounts/watchlist-items.ts';
import type { Database } from '../../src/db/types.ts';
import { createChannel, getChannel, listChannels } from '../../src/notify/channels.ts';
import { claimDue, listDeliveries } from '../../src/notify/deliveries.ts';
import { notifySettings, type NotifySettings } from '../../src/notify/settings.ts';
import { testChannel } from '../../src/notify/service.ts';
import { deliverDue, type WorkerStats } from '../../src/notify/worker.ts';
import { startTelegramCommands } from '../../src/notify/telegram-commands.ts';
import { until } from '../helpers/wait.ts';

const TOKEN = '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const OPTS = { allowPrivate: false, isAdmin: false };

forEachBackend('telegram notifications', (open) => {
  let db: Database;
  let n = 0;
  before(async () => {
    db = await open();
  });
  after(() => db.close());
  beforeEach(() => db.exec('DELETE FROM notification_channels'));

  /** A user watching a fresh asset with a high alert at 110; `fire` makes one alert event. */
  async function watcher() {
    n++;
    const user = await createUser(db, { username: `tg${n}`, email: `tg${n}@example.com`, password: 'correct horse' });
    const list = await createWatchlist(db, user.id, { name: 'main' });
    const asset = await insertAsset(db, `TG${n}`);
    await addItem(db, user.id, list.id, { asset_id: asset, price_alert_high: 110, price_alert_low: 90 });
    let minute = 0;
    const at = () => new Date(Date.UTC(2024, 0, 1, 0, minute++)).toISOString();
    await insertCloses(db, asset, [100], { start: at() });
    await evaluateAlerts(db, [asset]);
    const fire = async (close = 120) => {
      await insertCloses(db, asset, [close], { start: at() });
      const events = await evaluateAlerts(db, [asset]);
      await insertCloses(db, asset, [100], { start: at() });
      await evaluateAlerts(db, [asset]);
      return events;
    };
    return { user, asset, fire, symbol: `TG${n}` };
  }

  const run = async (s: NotifySettings, now?: number) => {
    const stats: WorkerStats = { delivered: 0, retried: 0, failed: 0 };
    await deliverDue(db, s, stats, () => {}, now === undefined ? {} : { now: () => now });
    return stats;
  };

  test('a price alert reaches the chat as a formatted message with a chart link; the token is never listed', async () => {
    const bot = await startTelegramStandIn();
    try {
      const w = await watcher();
      const { channel, secret } = await createChannel(
        db,
        w.user.id,
        { kind: 'telegram', target: '123456789', secret: TOKEN },
        OPTS,
      );
      assert.equal(secret, null, 'the bot token is not echoed back');
      assert.equal(channel.token, '7012345678:…');
      const listed = JSON.stringify(await listChannels(db, w.user.id));
      assert.ok(!listed.includes(TOKEN.split(':')[1]), 'listings never hold the token');

      const events = await w.fire(120);
      assert.equal(events.length, 1);
      const s = {
        ...notifySettings({ TM_TELEGRAM_API_URL: bot.url, TM_PUBLIC_URL: 'https://tm.example.com/' }),
        retryDelaysS: [0],
      };
      assert.deepEqual(await run(s), { delivered: 1, retried: 0, failed: 0 });
      assert.equal(bot.sent.length, 1);
      const m = bot.sent[0];
      assert.equal(m.token, TOKEN);
      assert.equal(m.method, 'sendMessage');
      assert.equal(m.body.chat_id, 123456789, 'a numeric chat id goes as a number');
      assert.equal(m.body.parse_mode, 'HTML');
      const lines = m.body.text.split('\n');
      assert.equal(lines[0], `🔔 <b>${w.symbol}</b> (TEST) crossed above 110`);
      assert.match(lines[1], /^Price <b>120<\/b> · 1m candle of 2024-01-01 00:01 UTC$/);
      assert.equal(
        lines.at(-1),
        `<a href="https://tm.example.com/chart/${w.symbol}%3ATEST">Open the ${w.symbol} chart</a>`,
      );
      const d = (await listDeliveries(db, { userId: w.user.id }, { limit: 10, offset: 0 })).items[0];
      assert.equal(d.status, 'delivered');
      assert.equal(d.kind, 'telegram');
      assert.equal((await getChannel(db, channel.id))?.consecutive_failures, 0);

      // Without a public URL the message has no link.
      await w.fire(125);
      await run({ ...s, publicUrl: undefined });
      assert.equal(bot.sent.length, 2);
      assert.ok(!bot.sent[1].body.text.includes('<a href'), bot.sent[1].body.text);
      assert.match(bot.sent[1].body.text, /Price <b>125<\/b>/);
    } finally {
      await bot.close();
    }
  });

  test("a 429 is retried after Telegram's retry_after, not after the usual delay", async () => {
    const bot = await startTelegramStandIn((_m, i) =>
      i === 1 ? { status: 429, description: 'Too Many Requests: retry after 30', retryAfter: 30 } : { status: 200 },
    );
    try {
      const w = await watcher();
      await createChannel(db, w.user.id, { kind: 'telegram', target: '-1001234567890', secret: TOKEN }, OPTS);
      await w.fire();
      // The usual schedule would retry at once (0 s): only retry_after can hold the retry back.
      const s = { ...notifySettings({ TM_TELEGRAM_API_URL: bot.url }), retryDelaysS: [0, 0, 0] };
      const t0 = Date.now();
      assert.deepEqual(await run(s, t0), { delivered: 0, retried: 1, failed: 0 });
      let d = (await listDeliveries(db, { userId: w.user.id }, { limit: 10, offset: 0 })).items[0];
      assert.equal(d.status, 'pending');
      assert.equal(d.next_attempt_at?.getTime(), t0 + 30_000, 'due exactly retry_after seconds after the attempt');
      assert.match(d.last_error ?? '', /Telegram 429: Too Many Requests: retry after 30/);
      assert.deepEqual(await run(s, t0 + 29_000), { delivered: 0, retried: 0, failed: 0 }, 'not before');
      assert.equal(bot.sent.length, 1);
      assert.deepEqual(await run(s, t0 + 30_000), { delivered: 1, retried: 0, failed: 0 });
      assert.equal(bot.sent.length, 2);
      assert.equal(bot.sent[1].body.chat_id, -1001234567890);
      assert.equal(bot.sent[0].body.text, bot.sent[1].body.text, 'the same message again');
      d = (await listDeliveries(db, { userId: w.user.id }, { limit: 10, offset: 0 })).items[0];
      assert.equal(d.status, 'delivered');
      assert.equal(d.attempts, 2);
    } finally {
      await bot.close();
    }
  });

  test('"chat not found" and "bot was blocked" fail at once with a clear message', async () => {
    const bot = await startTelegramStandIn((m) =>
      m.body.chat_id === 111
        ? { status: 400, description: 'Bad Request: chat not found' }
        : { status: 403, description: 'Forbidden: bot was blocked by the user' },
    );
    try {
      const w = await watcher();
      await createChannel(db, w.user.id, { kind: 'telegram', target: '111', secret: TOKEN }, OPTS);
      await createChannel(db, w.user.id, { kind: 'telegram', target: '222', secret: TOKEN }, OPTS);
      await w.fire();
      // Retries remain in the schedule, yet neither is retried: no retry could succeed.
      const s = { ...notifySettings({ TM_TELEGRAM_API_URL: bot.url }), retryDelaysS: [0, 0, 0] };
      assert.deepEqual(await run(s), { delivered: 0, retried: 0, failed: 2 });
      const failed = await listDeliveries(db, { userId: w.user.id, status: 'failed' }, { limit: 10, offset: 0 });
      const errors = failed.items.map((i) => [i.target, i.attempts, i.last_error]).sort();
      assert.equal(errors.length, 2);
      assert.equal(errors[0][0], '111');
      assert.equal(errors[0][1], 1);
      assert.match(String(errors[0][2]), /^Telegram 400: Bad Request: chat not found \(check the chat id/);
      assert.equal(errors[1][0], '222');
      assert.match(
        String(errors[1][2]),
        /^Telegram 403: Forbidden: bot was blocked by the user \(.*tm channels enable/,
      );
      assert.ok(!JSON.stringify(failed).includes(TOKEN), 'no token in any error');

      // A channel test reports the same answer at once.
      const [first] = await listChannels(db, w.user.id);
      const r = await testChannel(db, first.id, s);
      assert.equal(r.ok, false);
      assert.match(r.error ?? '', /Telegram 40[03]/);
    } finally {
      await bot.close();
    }
  });

  test('bad chat ids and tokens are refused; one bot is one destination', async () => {
    const w = await watcher();
    const add = (target: string, secret?: string) =>
      createChannel(db, w.user.id, { kind: 'telegram', target, secret }, OPTS);
    await assert.rejects(add('123'), /needs its bot token: --token/);
    await assert.rejects(add('123', 'not-a-token'), /not a Telegram bot token/);
    await assert.rejects(add('https://t.me/x', TOKEN), /not a Telegram chat id/);
    assert.equal((await listChannels(db, w.user.id)).length, 0, 'nothing half-written');

    await add('@my_channel', TOKEN);
    await add('4242', TOKEN);
    await add('4343', '99:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw');
    await w.fire();
    const claimed = await db.transaction((tx) =>
      claimDue(tx, 10, 60, { now: new Date(Date.now() + 1000), perDestination: 10 }),
    );
    assert.deepEqual(claimed.map((c) => c.destination).sort(), [
      'telegram:7012345678',
      'telegram:7012345678',
      'telegram:99',
    ]);
  });
});

forEachBackend('telegram chat commands', (open) => {
  let db: Database;
  before(async () => {
    db = await open();
  });
  after(() => db.close());

  test('/price and /alerts are answered in the linked chat only', async () => {
    const bot = await startTelegramStandIn();
    const log: string[] = [];
    const user = await createUser(db, { username: 'tgcmd', email: 'tgcmd@example.com', password: 'correct horse' });
    const list = await createWatchlist(db, user.id, { name: 'main' });
    const asset = await insertAsset(db, 'TGCMD');
    await addItem(db, user.id, list.id, { asset_id: asset, price_alert_high: 110 });
    await insertCloses(db, asset, [100, 123.5], { start: '2024-03-01T10:00:00Z' });
    await evaluateAlerts(db, [asset]);
    await createChannel(db, user.id, { kind: 'telegram', target: '5551234', secret: TOKEN }, OPTS);
    const msg = (id: number, chat: number, text: string) => ({
      update_id: id,
      message: { message_id: id, date: 1, text, chat: { id: chat, type: 'private' } },
    });
    bot.updates.push(
      msg(10, 999999, '/price TGCMD'),
      msg(11, 5551234, '/price TGCMD'),
      msg(12, 5551234, '/alerts'),
      msg(13, 5551234, 'hello'),
      msg(14, 5551234, '/price NOPE'),
    );
    const s = {
      ...notifySettings({ TM_TELEGRAM_API_URL: bot.url, TM_PUBLIC_URL: 'https://tm.example.com' }),
      telegramPollS: 0,
      pollMs: 20,
    };
    const poller = startTelegramCommands(db, { log: (l) => log.push(l), settings: s });
    try {
      await until('three answers', () => bot.sent.length >= 3 && bot.polls.includes(15));
    } finally {
      await poller.stop();
      await bot.close();
    }
    assert.deepEqual(log, []);
    assert.ok(
      bot.sent.every((m) => m.body.chat_id === 5551234),
      'nothing to the chat no channel links',
    );
    assert.equal(bot.sent.length, 3, 'plain text gets no answer');
    assert.equal(
      bot.sent[0].body.text,
      '<b>TGCMD:TEST</b> 123.5 (1m candle of 2024-03-01 10:01 UTC)\n<a href="https://tm.example.com/chart/TGCMD%3ATEST">Chart</a>',
    );
    assert.match(bot.sent[1].body.text, /^Your last 1 of 1 price alerts:\nTGCMD above 110: 123\.5 \(/);
    assert.equal(bot.sent[2].body.text, 'No asset "NOPE".');
    assert.equal(bot.updates.length, 0, 'every update acknowledged by the next offset');
  });
});
