/**
 * Screenshots of each page of the web app for docs/web.md, taken with Debian's chromium against a
 * fresh `tm serve` with the starter demo data: `node --import tsx scripts/web-screenshots.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Locator, type Page } from 'playwright-core';
import { createUser } from '../src/accounts/users.ts';
import { Migrator } from '../src/db/migrate/migrator.ts';
import { openEmbedded } from '../src/db/pglite.ts';
import { findChromium, startServe } from '../test/helpers/browser.ts';
import { marketSymbols } from '../test/helpers/looks.ts';
import { startFakeMarkets } from '../test/helpers/fake-markets.ts';
import { startWebhookReceiver } from '../test/helpers/receivers.ts';
import { generateSecret } from '../src/notify/signing.ts';

const OUT = path.resolve('docs');
const ADMIN = { username: 'admin', password: 'admin-password-1', email: 'admin@example.com', is_admin: true };

const exe = findChromium();
if (!exe) throw new Error('no chromium found (apt-get install chromium)');
const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-shots-'));
const db = await openEmbedded({ dataDir: dir });
await new Migrator(db).upgrade('head');
await createUser(db, ADMIN);
await db.close();
// A local provider server (Binance-like, with hours without trades) and a webhook receiver, for the
// data sync and notifications pictures; sync runs from the page only (TM_SYNC=0).
const HOUR = 3_600_000;
const fake = await startFakeMarkets();
fake.markets.set('BTCUSDT', { listedFrom: Date.now() - 60 * 24 * HOUR, missing: (t) => t % (97 * HOUR) === 0 });
const rx = await startWebhookReceiver(generateSecret());
const served = await startServe({
  TM_DATA_DIR: dir,
  TM_BINANCE_URL: fake.url,
  TM_COINBASE_URL: fake.url,
  TM_SYNC: '0',
  TM_SYNC_RETRY_BASE_MS: '5',
  TM_WEBHOOK_ALLOW_PRIVATE: '1',
});
const browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox'] });
const base = served.url;

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(600);
  await page.screenshot({ path: path.join(OUT, `web-${name}.png`) });
  console.log(`docs/web-${name}.png`);
}

/** Time for the charts to draw (a script for pictures, not a test: it may wait). */
async function settle(page: Page): Promise<void> {
  await page.waitForTimeout(1500);
}

async function shotOf(el: Locator, name: string): Promise<void> {
  await el.page().waitForTimeout(600);
  await el.screenshot({ path: path.join(OUT, `web-${name}.png`) });
  console.log(`docs/web-${name}.png`);
}

async function adminApi(method: string, route: string, body: unknown): Promise<Response> {
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: ADMIN.username, password: ADMIN.password }),
  });
  const { access_token } = (await login.json()) as { access_token: string };
  return fetch(`${base}${route}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
    body: JSON.stringify(body),
  });
}

async function addWebhook(page: Page, url: string, events: string[]): Promise<void> {
  const form = page.getByRole('form', { name: 'Add a channel' });
  await form.getByLabel('Webhook URL').fill(url);
  for (const e of ['price_alert', 'signal', 'job_failed', 'sync_failed'])
    await form.getByRole('checkbox', { name: e }).setChecked(events.includes(e));
  await form.getByRole('button', { name: 'Add channel' }).click();
  await page.getByTestId('secret-once').waitFor();
}

async function login(page: Page): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('username').waitFor();
}

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${base}/login`);
  await shot(page, 'login');
  await login(page);
  await page.locator('table.markets tbody tr').first().waitFor();
  await shot(page, 'markets');
  const symbol = (await page.locator('table.markets tbody tr td a').first().textContent()) ?? '';
  await page.getByRole('link', { name: symbol, exact: true }).click();
  await page.getByTestId('chart').locator('canvas').first().waitFor();
  for (const type of ['rsi', 'macd']) {
    await page.getByLabel('Indicator to add').selectOption(type);
    await page.getByRole('button', { name: 'Add indicator' }).click();
  }
  await page.waitForTimeout(1500);
  const box = await page.getByTestId('chart').boundingBox();
  if (box) await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.3);
  await shot(page, 'chart');
  await page.getByRole('button', { name: '1d', exact: true }).click();
  await page.waitForTimeout(2500);
  await page.getByLabel('Strategy').selectOption('rsi-reversal');
  await page.getByRole('button', { name: 'Run backtest' }).click();
  await page.getByTestId('backtest-result').waitFor();
  await page.getByTestId('backtest-result').scrollIntoViewIfNeeded();
  await shot(page, 'backtest');
  await page.getByRole('link', { name: 'Watchlists' }).click();
  await page.getByLabel('New watchlist name').fill('Tech');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByLabel('Add by symbol').waitFor();
  for (const s of ['ACME', 'GLOBX', 'STARK']) {
    await page.getByLabel('Add by symbol').fill(s);
    await page.locator('.suggest button', { hasText: s }).first().click();
    await page.getByLabel(`Alert when ${s} goes above`).waitFor();
  }
  await page.getByLabel('Alert when ACME goes above').fill('150');
  await page.getByLabel('Alert when ACME goes above').press('Tab');
  await shot(page, 'watchlists');
  await page.getByRole('link', { name: 'Admin', exact: true }).click();
  await page.getByTestId('doctor').waitFor({ timeout: 30_000 });
  await page.getByTestId('users').waitFor();
  await shot(page, 'admin');

  // Notifications: an administrator's channel for failing data sync, and a test sent.
  page.on('dialog', (d) => void d.accept());
  await page.getByRole('link', { name: 'Notifications', exact: true }).click();
  await addWebhook(page, `${rx.url}/ops`, ['sync_failed', 'job_failed']);
  await page.getByRole('button', { name: 'I have saved it' }).click();
  await page.getByRole('button', { name: `Send a test to ${rx.url}/ops` }).click();
  await page.getByTestId('channel-message').waitFor();

  // Data sync: link from the form, backfill from the page, a market that keeps failing (which tells the
  // channel above once), the gaps of the backfilled series.
  await page.getByRole('link', { name: 'Admin', exact: true }).click();
  const link = page.getByRole('form', { name: 'Link a source' });
  await link.getByLabel('Asset symbol').fill('BTCUSDT');
  await link.getByLabel('1d').check();
  await link.getByRole('button', { name: 'Link source' }).click();
  await page.getByTestId('sync-sources').getByRole('cell', { name: 'BTCUSDT:BINANCE', exact: true }).waitFor();
  const from = new Date(Date.now() - 20 * 24 * HOUR).toISOString().slice(0, 10);
  const fill = page.getByRole('form', { name: 'Gaps and backfill' });
  await fill.getByLabel('Backfill from').fill(from);
  await fill.getByRole('button', { name: 'Start backfill' }).click();
  await page.getByTestId('backfill-result').waitFor();
  await adminApi('POST', '/api/admin/sync/sources', { asset: 'ETH-USD', provider: 'coinbase', intervals: ['1h'] });
  for (let i = 0; i < 3; i++)
    await adminApi('POST', '/api/admin/sync/backfill', { asset: 'ETH-USD', interval: '1h', from });
  await page.reload();
  await page.getByTestId('sync-status').locator('.state-failing').waitFor();
  await fill.getByRole('button', { name: 'Show gaps' }).click();
  await page.getByTestId('sync-gaps').waitFor();
  await shotOf(page.locator('section[aria-labelledby="sync-title"]'), 'admin-sync');

  // Back to notifications: a receiver that fails, and a new channel with its secret shown once.
  rx.behave = () => ({ status: 503 });
  await page.getByRole('link', { name: 'Notifications', exact: true }).click();
  await page.getByRole('button', { name: `Send a test to ${rx.url}/ops` }).click();
  await page.getByRole('alert').waitFor();
  rx.behave = () => ({ status: 200 });
  await addWebhook(page, `${rx.url}/alerts`, ['price_alert', 'signal']);
  await page.getByTestId('deliveries').locator('.delivery-failed').waitFor();
  await page.screenshot({ path: path.join(OUT, 'web-notifications.png'), fullPage: true });
  console.log('docs/web-notifications.png');
  await page.close();

  const mobile = await browser.newPage({ viewport: { width: 375, height: 740 }, colorScheme: 'dark' });
  await mobile.goto(`${base}/`);
  await mobile.locator('table.markets tbody tr').first().waitFor();
  await shot(mobile, 'markets-375-dark');
  await mobile.goto(`${base}/chart/${symbol}`);
  await mobile.getByTestId('chart').locator('canvas').first().waitFor();
  await shot(mobile, 'chart-375-dark');
  await mobile.close();

  // This round's pages: layouts, a comparison, the Alerts, Strategies, Portfolio and Account pages.
  const more = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await login(more);
  const [a, b, c] = await marketSymbols(base);
  await more.goto(`${base}/layout?cells=${a}:1h,${b}:1h,${c}:1d,${a}:1d`);
  await more.locator('canvas').nth(3).waitFor();
  await settle(more);
  await shot(more, 'layout');
  await more.goto(`${base}/chart/${a}?interval=1d&indicators=&compare=${b},${c}`);
  await more.getByTestId('chart').locator('canvas').first().waitFor();
  await settle(more);
  await shot(more, 'chart-compare');
  for (const name of ['alerts', 'strategies', 'portfolio', 'account']) {
    await more.goto(`${base}/${name}`);
    await more.getByRole('heading', { level: 1 }).first().waitFor();
    await shot(more, name);
  }
  await more.close();
} finally {
  await browser.close();
  await served.stop();
  await rx.close();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
}
