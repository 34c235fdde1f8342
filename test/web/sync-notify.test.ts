/**
 * The admin page's data sync section and the notifications page in chromium against a real `tm serve`
 * (embedded and server): link a source (a refused one shows the API's error in the form), backfill it
 * from the local provider server, see its status and gaps, remove it; add a webhook channel, see its
 * secret once and never again, send a signed test, see the delivery and a failed one behind the filter;
 * an administrator sees everyone's deliveries.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { createUser } from '../../src/accounts/users.ts';
import { generateSeries } from '../../src/analysis/indicators/testing/series.ts';
import type { Queryable } from '../../src/db/types.ts';
import { insertSeries } from '../helpers/candles.ts';
import { Migrator } from '../../src/db/migrate/migrator.ts';
import { openEmbedded } from '../../src/db/pglite.ts';
import { chromiumSkip, findChromium, type Served, screenshotOnFailure, startServe } from '../helpers/browser.ts';
import { followLink, logIn } from '../helpers/looks.ts';
import { serverDb, serverSkip } from '../helpers/db.ts';
import { startFakeMarkets, type FakeMarkets } from '../helpers/fake-markets.ts';

const ADMIN = { username: 'syncadmin', password: 'admin-password-1', email: 'syncadmin@example.com', is_admin: true };
const USER = { username: 'hookuser', password: 'user-password-1', email: 'hookuser@example.com' };
const RULE_ASSET = 'RULEWEB';

/** An asset with daily candles for the condition alert flow. */
async function seedRuleAsset(db: Queryable): Promise<void> {
  const a = await db.query<{ id: string }>(
    "INSERT INTO assets (symbol, name, asset_type) VALUES ($1, 'Rule web', 'stock') RETURNING id",
    [RULE_ASSET],
  );
  const series = generateSeries(60, { seed: 1, stepMs: 86_400_000, startTs: Date.UTC(2024, 0, 1) });
  await insertSeries(db, a.rows[0].id, series);
}

/** A webhook endpoint that keeps each request's headers and raw body and answers `status`. */
async function startReceiver() {
  const got: { headers: Record<string, string>; body: string }[] = [];
  const rx = { url: '', got, status: 200, close: async () => {} };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers as Record<string, string>, body });
      res.writeHead(rx.status).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  rx.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  rx.close = () =>
    new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    });
  return rx;
}

const login = logIn;

async function syncFlow(page: Page, base: string): Promise<void> {
  page.on('dialog', (d) => void d.accept());
  await login(page, base, ADMIN);
  await followLink(page, 'Admin', '/admin');
  await page.getByRole('heading', { name: 'Data sync' }).waitFor();
  // The sections above load on their own: wait for them so the form does not move under a click.
  await page.getByTestId('doctor').waitFor({ timeout: 30_000 });
  await page.getByText('Nothing to sync.').waitFor();
  await page.getByTestId('users').waitFor();
  const form = page.getByRole('form', { name: 'Link a source' });

  // A refused link shows the API's reason in the form, and nothing is linked.
  await form.getByLabel('Asset symbol', { exact: true }).fill('XBTUSD');
  await form.getByLabel('Provider', { exact: true }).selectOption('kraken');
  await form.getByLabel('1w', { exact: true }).check();
  await form.getByRole('button', { name: 'Link source' }).click();
  await form.getByRole('alert').filter({ hasText: 'kraken does not serve 1w candles' }).waitFor();

  await form.getByLabel('Asset symbol', { exact: true }).fill('WEBUSDT');
  await form.getByLabel('Provider', { exact: true }).selectOption('binance');
  await form.getByLabel('1w', { exact: true }).uncheck();
  await form.getByRole('button', { name: 'Link source' }).click();
  const sources = page.getByTestId('sync-sources');
  await sources.getByRole('cell', { name: 'WEBUSDT:BINANCE', exact: true }).waitFor();
  await page.getByTestId('sync-status').getByText('never').waitFor();

  // Backfill a day of 1h candles from the local provider server; the status turns ok, no gaps.
  const fill = page.getByRole('form', { name: 'Gaps and backfill' });
  await fill.getByLabel('Backfill from (UTC day)', { exact: true }).fill('2024-01-01');
  await fill.getByLabel('to (empty: now)', { exact: true }).fill('2024-01-02');
  await fill.getByRole('button', { name: 'Start backfill' }).click();
  await page.getByTestId('backfill-result').filter({ hasText: '24 new, 0 updated candle(s), 0 gap(s)' }).waitFor();
  await page.getByTestId('sync-status').locator('.state-ok').waitFor();
  await fill.getByRole('button', { name: 'Show gaps' }).click();
  await page.getByTestId('sync-gaps').filter({ hasText: 'No gaps recorded for WEBUSDT:BINANCE 1h' }).waitFor();

  await sources.getByRole('button', { name: 'Remove WEBUSDT:BINANCE from binance' }).click();
  await page.getByText('No asset is linked to a provider yet.').waitFor();

  // Any exchange through ccxt: the provider is ccxt:<exchange id>, the market ccxt's symbol.
  await form.getByLabel('Asset symbol', { exact: true }).fill('WEBBTC:OKX');
  await form.getByLabel('Provider', { exact: true }).selectOption('ccxt');
  await form.getByLabel('ccxt exchange id', { exact: true }).fill('okx');
  await form.getByLabel('Provider symbol (when it differs)', { exact: true }).fill('BTC/USDT');
  await form.getByRole('button', { name: 'Link source' }).click();
  await sources.getByRole('cell', { name: 'ccxt:okx', exact: true }).waitFor();
  await sources.getByRole('cell', { name: 'BTC/USDT', exact: true }).waitFor();
  await sources.getByRole('button', { name: 'Remove WEBBTC:OKX from ccxt:okx' }).click();
  await page.getByText('No asset is linked to a provider yet.').waitFor();
  await page.getByText('Nothing to sync.').waitFor();
}

async function notifyFlow(browser: Browser, base: string): Promise<void> {
  const rx = await startReceiver();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (d) => void d.accept());
  try {
    await screenshotOnFailure(page, 'notifications', async () => {
      await login(page, base, USER);
      await page.getByRole('link', { name: 'Notifications' }).click();
      await page.getByText('No channel yet').waitFor();
      const form = page.getByRole('form', { name: 'Add a channel' });
      assert.equal(await form.getByText('sync_failed').count(), 0, 'administrators-only events are not offered');
      // A refused URL shows the API's reason.
      await form.getByLabel('Webhook URL', { exact: true }).fill('ftp://example.com/hook');
      await form.getByRole('button', { name: 'Add channel' }).click();
      await form.getByRole('alert').filter({ hasText: 'http:// or https://' }).waitFor();
      await form.getByLabel('Webhook URL', { exact: true }).fill(rx.url);
      await form
        .getByLabel('Signal strategies (comma-separated; empty: all)', { exact: true })
        .fill('ma-crossover, rsi-reversal');
      await form.getByRole('button', { name: 'Add channel' }).click();

      // The secret once, then never again: not in the list, not after a reload, not from the API.
      const secret = (await page.getByTestId('secret').textContent()) ?? '';
      assert.match(secret, /^whsec_[A-Za-z0-9+/=]{32,}$/);
      await page.getByTestId('channels').getByRole('cell', { name: rx.url, exact: true }).waitFor();
      await page.getByTestId('channels').getByText('(ma-crossover, rsi-reversal)').waitFor();
      await page.getByRole('button', { name: 'I have saved it' }).click();
      await page.getByTestId('secret-once').waitFor({ state: 'detached' });
      assert.ok(!(await page.content()).includes(secret));
      await page.reload();
      await page.getByTestId('channels').waitFor();
      assert.ok(!(await page.content()).includes(secret), 'the secret is not shown after a reload');

      // A signed test, delivered, in the deliveries.
      await page.getByRole('button', { name: `Send a test to ${rx.url}` }).click();
      await page.getByTestId('channel-message').filter({ hasText: 'Test sent' }).waitFor();
      assert.equal(rx.got.length, 1);
      const sent = new Webhook(secret).verify(rx.got[0].body, rx.got[0].headers) as { type: string };
      assert.equal(sent.type, 'test');
      const deliveries = page.getByTestId('deliveries');
      await deliveries.locator('.delivery-delivered').waitFor();

      // A failing receiver: the error in the page, the delivery behind the "failed" filter.
      rx.status = 500;
      await page.getByRole('button', { name: `Send a test to ${rx.url}` }).click();
      await page.getByRole('alert').filter({ hasText: 'failed: HTTP 500' }).waitFor();
      await deliveries.locator('.delivery-failed').waitFor(); // the list follows without a reload
      await page.getByLabel('Status', { exact: true }).selectOption('failed');
      await deliveries.locator('.delivery-delivered').waitFor({ state: 'detached' });
      assert.equal(await deliveries.locator('tbody tr').count(), 1);
      await deliveries.getByText('HTTP 500').waitFor();

      // A Telegram chat: the bot token goes in once and shows only as the bot's id.
      const token = '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
      await form.getByLabel('Kind', { exact: true }).selectOption('telegram');
      await form.getByLabel('Telegram chat id', { exact: true }).fill('123456789');
      await form.getByLabel('Bot token from @BotFather (stored, never shown again)', { exact: true }).fill(token);
      await form.getByRole('button', { name: 'Add channel' }).click();
      await page.getByTestId('channels').getByText('(bot 7012345678:…)').waitFor();
      assert.equal(await page.getByTestId('secret-once').count(), 0, "nothing to copy: the token is the user's own");
      assert.ok(!(await page.content()).includes(token.split(':')[1]), 'the token is not in the page');
    });

    // An administrator sees everyone's deliveries (with their user).
    const adminPage = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await screenshotOnFailure(adminPage, 'notifications-admin', async () => {
      await login(adminPage, base, ADMIN);
      await adminPage.getByRole('link', { name: 'Notifications' }).click();
      await adminPage
        .getByTestId('deliveries')
        .getByRole('cell', { name: USER.username, exact: true })
        .first()
        .waitFor();
      await adminPage.getByLabel("everyone's", { exact: true }).uncheck();
      await adminPage.getByText('Nothing delivered yet.').waitFor();
    });
    await adminPage.close();

    await screenshotOnFailure(page, 'notifications-remove', async () => {
      await page.getByRole('button', { name: `Remove ${rx.url}` }).click();
      await page.getByRole('button', { name: 'Remove 123456789' }).click();
      await page.getByText('No channel yet').waitFor();
    });
  } finally {
    await page.close();
    await rx.close();
  }
}

/**
 * Condition alerts, reached from the Notifications page's link to the Alerts page: a refused rule shows the
 * parser's column, then add, list, delete.
 */
async function conditionAlertFlow(browser: Browser, base: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (d) => void d.accept());
  try {
    await screenshotOnFailure(page, 'condition-alerts', async () => {
      await login(page, base, USER);
      await page.getByRole('link', { name: 'Notifications' }).click();
      await page.getByRole('main').getByRole('link', { name: 'Alerts', exact: true }).click();
      await page.getByText('No condition alert: add one with the form below.').waitFor();
      const form = page.getByRole('form', { name: 'Add a condition alert' });
      await form.getByLabel('Symbol', { exact: true }).fill(RULE_ASSET);
      await form
        .getByLabel('When (fires when it turns true on a closed bar)', { exact: true })
        .fill('rsi(close, ) < 30');
      await form.getByRole('button', { name: 'Add alert' }).click();
      await form.getByRole('alert').filter({ hasText: 'expected a number at column 11' }).waitFor();
      await form
        .getByLabel('When (fires when it turns true on a closed bar)', { exact: true })
        .fill('rsi(close, 14) < 30');
      await form.getByRole('button', { name: 'Add alert' }).click();
      const rules = page.getByTestId('rule-alerts');
      await rules.getByText('rsi(close, 14) < 30').waitFor();
      assert.equal(await rules.locator('tbody tr').count(), 1);
      await page.getByRole('button', { name: 'Delete rsi(close, 14) < 30' }).click();
      await page.getByText('No condition alert: add one with the form below.').waitFor();
    });
  } finally {
    await page.close();
  }
}

function suite(
  title: string,
  skip: string | undefined,
  start: (env: Record<string, string>) => Promise<{ served: Served; cleanup: () => Promise<void> }>,
): void {
  describe(title, { skip }, () => {
    let browser: Browser;
    let served: Served;
    let cleanup: () => Promise<void>;
    let fake: FakeMarkets;
    before(async () => {
      fake = await startFakeMarkets();
      fake.markets.set('WEBUSDT', { listedFrom: Date.parse('2023-01-01T00:00:00Z') });
      // The scheduler stays off (TM_SYNC=0): the backfill from the page is the only sync.
      ({ served, cleanup } = await start({ TM_BINANCE_URL: fake.url, TM_SYNC: '0', TM_WEBHOOK_ALLOW_PRIVATE: '1' }));
      browser = await chromium.launch({ executablePath: findChromium() ?? undefined, args: ['--no-sandbox'] });
    });
    after(async () => {
      await browser?.close();
      await served?.stop();
      await cleanup?.();
      await fake?.close();
    });

    test('admin data sync: link (errors shown), backfill, status, gaps, remove', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await screenshotOnFailure(page, 'admin-sync', () => syncFlow(page, served.url));
      await page.close();
    });

    test('notifications: a webhook channel, its secret once, a test delivered and a failed one', async () => {
      await notifyFlow(browser, served.url);
    });

    test("condition alerts from the Notifications page's link: a refused rule shows the column; add, list, delete", async () => {
      await conditionAlertFlow(browser, served.url);
    });
  });
}

suite('sync and notification pages in chromium [embedded]', chromiumSkip, async (env) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-web-sync-'));
  const db = await openEmbedded({ dataDir: dir });
  await new Migrator(db).upgrade('head');
  await createUser(db, ADMIN);
  await createUser(db, USER);
  await seedRuleAsset(db);
  await db.close();
  const served = await startServe({ ...env, TM_DATA_DIR: dir, TM_DEMO: '0' });
  return { served, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

suite('sync and notification pages in chromium [server]', chromiumSkip ?? serverSkip, async (env) => {
  const db = await serverDb();
  await createUser(db, ADMIN);
  await createUser(db, USER);
  await seedRuleAsset(db);
  const served = await startServe({ ...env, DATABASE_URL: db.url, TM_DEMO: '0' });
  return { served, cleanup: () => db.close() };
});
