/** /api/channels and /api/deliveries: own channels, administrators anyone's, the secret shown once. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { forEachBackend } from '../helpers/backends.ts';
import { tokenFor } from '../helpers/auth.ts';
import { startWebhookReceiver } from '../helpers/receivers.ts';
import { startTelegramStandIn } from '../helpers/telegram-standin.ts';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/types.ts';

forEachBackend('notifications API', (open) => {
  let db: Database;
  let app: FastifyInstance;
  before(async () => {
    db = await open();
    app = await buildApp({ db, config: loadConfig({}) });
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  test('a user adds, lists, tests and removes their own channels; never sees the secret again', async () => {
    const alice = await tokenFor(app, { username: 'alice_api' });
    const bob = await tokenFor(app, { username: 'bob_api' });
    const h = { authorization: alice.authorization };
    const bad = await app.inject({
      method: 'POST',
      url: '/api/channels',
      headers: h,
      payload: { kind: 'webhook', target: 'http://127.0.0.1/x' },
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().detail ?? bad.body, /private or link-local address: refused/);

    const created = await app.inject({
      method: 'POST',
      url: '/api/channels',
      headers: h,
      payload: { kind: 'email', target: 'alice@example.com', events: ['price_alert'] },
    });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id as string;

    process.env.TM_WEBHOOK_ALLOW_PRIVATE = '1';
    let secret: string;
    const rx = await startWebhookReceiver(`whsec_${Buffer.alloc(24).toString('base64')}`);
    try {
      const hook = await app.inject({
        method: 'POST',
        url: '/api/channels',
        headers: h,
        payload: { kind: 'webhook', target: rx.url },
      });
      assert.equal(hook.statusCode, 201, hook.body);
      secret = hook.json().secret;
      assert.match(secret, /^whsec_/);
      rx.secret = secret;
      const list = await app.inject({ method: 'GET', url: '/api/channels', headers: h });
      assert.equal(list.json().items.length, 2);
      assert.ok(!list.body.includes(secret.slice(6)), 'the secret is not listed');
      const t = await app.inject({ method: 'POST', url: `/api/channels/${hook.json().id}/test`, headers: h });
      assert.equal(t.statusCode, 200, t.body);
      assert.equal(rx.received.length, 1);
      assert.equal((rx.received[0].body as { type: string }).type, 'test');
    } finally {
      delete process.env.TM_WEBHOOK_ALLOW_PRIVATE;
      await rx.close();
    }
    const d = await app.inject({ method: 'GET', url: '/api/deliveries', headers: h });
    assert.equal(d.json().total, 1);
    assert.equal(d.json().items[0].status, 'delivered');

    const other = { authorization: bob.authorization };
    assert.equal((await app.inject({ method: 'DELETE', url: `/api/channels/${id}`, headers: other })).statusCode, 404);
    assert.equal(
      (await app.inject({ method: 'GET', url: '/api/channels?username=alice_api', headers: other })).statusCode,
      403,
    );
    assert.equal((await app.inject({ method: 'GET', url: '/api/channels', headers: other })).json().items.length, 0);
    assert.equal((await app.inject({ method: 'DELETE', url: `/api/channels/${id}`, headers: h })).statusCode, 204);
    assert.equal((await app.inject({ method: 'GET', url: '/api/channels', headers: h })).json().items.length, 1);
  });

  test("an administrator manages anyone's channels", async () => {
    const admin = await tokenFor(app, { admin: true });
    const h = { authorization: admin.authorization };
    await tokenFor(app, { username: 'carol_api' });
    const c = await app.inject({
      method: 'POST',
      url: '/api/channels',
      headers: h,
      payload: { kind: 'email', target: 'carol@example.com', username: 'carol_api' },
    });
    assert.equal(c.statusCode, 201, c.body);
    assert.equal(c.json().username, 'carol_api');
    const all = await app.inject({ method: 'GET', url: '/api/channels?username=carol_api', headers: h });
    assert.equal(all.json().items.length, 1);
    assert.equal(
      (await app.inject({ method: 'DELETE', url: `/api/channels/${c.json().id}`, headers: h })).statusCode,
      204,
    );
  });

  test('a telegram channel over the API: the bot token goes in, never comes out', async () => {
    const dave = await tokenFor(app, { username: 'dave_api' });
    const h = { authorization: dave.authorization };
    const token = '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
    const bot = await startTelegramStandIn();
    process.env.TM_TELEGRAM_API_URL = bot.url;
    try {
      const noToken = await app.inject({
        method: 'POST',
        url: '/api/channels',
        headers: h,
        payload: { kind: 'telegram', target: '123456789' },
      });
      assert.equal(noToken.statusCode, 400);
      assert.match(noToken.body, /needs its bot token/);
      const c = await app.inject({
        method: 'POST',
        url: '/api/channels',
        headers: h,
        payload: { kind: 'telegram', target: '123456789', secret: token, events: ['price_alert'] },
      });
      assert.equal(c.statusCode, 201, c.body);
      assert.equal(c.json().secret, null);
      assert.equal(c.json().token, '7012345678:…');
      const list = await app.inject({ method: 'GET', url: '/api/channels', headers: h });
      assert.equal(list.json().items[0].kind, 'telegram');
      assert.ok(!list.body.includes(token.split(':')[1]) && !c.body.includes(token.split(':')[1]), 'never returned');
      const t = await app.inject({ method: 'POST', url: `/api/channels/${c.json().id}/test`, headers: h });
      assert.equal(t.statusCode, 200, t.body);
      assert.equal(t.json().ok, true);
      assert.equal(bot.sent.length, 1);
      assert.equal(bot.sent[0].body.chat_id, 123456789);
      assert.match(bot.sent[0].body.text, /Test notification from Trading Manager/);
    } finally {
      delete process.env.TM_TELEGRAM_API_URL;
      await bot.close();
    }
  });
});
