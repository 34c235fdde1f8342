/**
 * Screenshots of each page of the web app for docs/web.md, taken with Debian's chromium against a
 * fresh `tm serve` with the starter demo data: `node --import tsx scripts/web-screenshots.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { createUser } from '../src/accounts/users.ts';
import { Migrator } from '../src/db/migrate/migrator.ts';
import { openEmbedded } from '../src/db/pglite.ts';
import { findChromium, startServe } from '../test/helpers/browser.ts';

const OUT = path.resolve('docs');
const ADMIN = { username: 'admin', password: 'admin-password-1', email: 'admin@example.com', is_admin: true };

const exe = findChromium();
if (!exe) throw new Error('no chromium found (apt-get install chromium)');
const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-shots-'));
const db = await openEmbedded({ dataDir: dir });
await new Migrator(db).upgrade('head');
await createUser(db, ADMIN);
await db.close();
const served = await startServe({ TM_DATA_DIR: dir });
const browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox'] });
const base = served.url;

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(600);
  await page.screenshot({ path: path.join(OUT, `web-${name}.png`) });
  console.log(`docs/web-${name}.png`);
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
  await page.getByRole('link', { name: 'Admin' }).click();
  await page.getByTestId('doctor').waitFor({ timeout: 30_000 });
  await page.getByTestId('users').waitFor();
  await shot(page, 'admin');
  await page.close();

  const mobile = await browser.newPage({ viewport: { width: 375, height: 740 }, colorScheme: 'dark' });
  await mobile.goto(`${base}/`);
  await mobile.locator('table.markets tbody tr').first().waitFor();
  await shot(mobile, 'markets-375-dark');
  await mobile.goto(`${base}/chart/${symbol}`);
  await mobile.getByTestId('chart').locator('canvas').first().waitFor();
  await shot(mobile, 'chart-375-dark');
  await mobile.close();
} finally {
  await browser.close();
  await served.stop();
  rmSync(dir, { recursive: true, force: true });
}
