/**
 * The workstation's pages other than the chart (issue 26), in chromium against a real `tm serve`, on both
 * backends: the Alerts page (every price and condition alert, their history, on/off, edit, delete), the live
 * status in the header, the watchlist defects (a double click makes one list, a refused threshold said in
 * words and put back, a long name wraps, nothing wider than a phone), the API's validation errors in words
 * next to their fields with the rules shown first, the admin page's defects (every continuous aggregate,
 * readable tables that scroll by keyboard, refused links), empty pages that say what to do, and axe-core's
 * WCAG A/AA rules on every page in light and dark at 1366 and 375 px.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createUser } from '../../src/accounts/users.ts';
import { Migrator } from '../../src/db/migrate/migrator.ts';
import { openEmbedded } from '../../src/db/pglite.ts';
import { seedFullDemo, STARTER_DEMO } from '../../src/demo/seed.ts';
import { assertAccessible } from '../helpers/axe.ts';
import { chromiumSkip, type Served, screenshotOnFailure, startServe, servedBrowser } from '../helpers/browser.ts';
import { logIn } from '../helpers/looks.ts';
import { serverDb, serverSkip } from '../helpers/db.ts';

const ADMIN = { username: 'wsadmin', password: 'admin-password-1', email: 'wsadmin@example.com', is_admin: true };
const USER = { username: 'wstrader', password: 'trader-password-1', email: 'wstrader@example.com' };

/** The page's document as the test sees it (the tests compile without the DOM library). */
type DomLike = { document: { documentElement: { scrollWidth: number } } };
const pageWidth = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as DomLike).document.documentElement.scrollWidth);

const login = logIn;

async function token(base: string, who: { username: string; password: string }): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: who.username, password: who.password }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { access_token: string }).access_token;
}

async function call<T>(base: string, bearer: string, method: string, url: string, body?: object): Promise<T> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(res.ok, `${method} ${url}: ${res.status} ${await res.clone().text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** A registration refused in words next to the field, the rules shown before; then the new user's empty pages. */
async function newUserFlow(browser: Browser, base: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 850 } });
  await screenshotOnFailure(page, 'ws-new-user', async () => {
    await page.goto(`${base}/register`);
    // The rules are on the page before anything is sent.
    await page.getByText('At least 8 characters.').waitFor();
    await page.getByText(/3 to 64 characters: letters, digits/).waitFor();
    const who = { username: `fresh${Date.now() % 1e7}`, password: 'fresh-password-1' };
    await page.getByLabel('Username', { exact: true }).fill(who.username);
    await page.getByLabel('Email', { exact: true }).fill(`${who.username}@example.com`);
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    const problem = page.getByTestId('field-error');
    await problem.filter({ hasText: 'Must be at least 8 characters' }).waitFor();
    assert.equal(await problem.count(), 1, 'one field refused');
    const password = page.getByLabel('Password', { exact: true });
    assert.equal(await password.getAttribute('aria-invalid'), 'true');
    assert.match((await password.getAttribute('aria-describedby')) ?? '', /-error/);
    const text = (await page.locator('main').textContent()) ?? '';
    assert.doesNotMatch(text, /Too small|body\/password|expected string/, 'no validator text');
    await password.fill(who.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByTestId('username').waitFor();

    // Empty pages say what to do, in one sentence with the action at hand.
    await page.goto(`${base}/watchlists`);
    await page
      .getByTestId('empty-watchlists')
      .getByText(/no watchlist yet: name one below and press Create/)
      .waitFor();
    await page.goto(`${base}/portfolio`);
    await page
      .getByTestId('empty-portfolio')
      .getByText(/no portfolio yet/)
      .waitFor();
    await page.getByRole('button', { name: 'Create portfolio' }).waitFor();
    await page.goto(`${base}/alerts`);
    await page
      .getByTestId('empty-alerts')
      .getByText(/no alerts yet: set a price alert/)
      .waitFor();
    await page.getByRole('form', { name: 'Add a condition alert' }).waitFor();
    await page.goto(`${base}/strategies`);
    await page
      .getByTestId('empty-strategies')
      .getByText(/no strategy yet: write an entry and an exit rule/)
      .waitFor();
  });
  await page.close();
}

/** Watchlists: one list per double click, a refused threshold said in words and put back, long names wrap. */
async function watchlistFlow(browser: Browser, base: string, symbol: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 850 } });
  await screenshotOnFailure(page, 'ws-watchlists', async () => {
    await login(page, base, USER);
    const bearer = await token(base, USER);
    await page.getByRole('link', { name: 'Watchlists' }).click();
    await page.getByText('Up to 100 characters.').waitFor();
    await page.getByLabel('New watchlist name', { exact: true }).fill('Double click');
    await page.getByRole('button', { name: 'Create' }).dblclick();
    await page.locator('.lists button', { hasText: 'Double click' }).waitFor();
    const lists = await call<{ items: { id: string; name: string }[] }>(base, bearer, 'GET', '/api/watchlists');
    assert.equal(lists.items.filter((l) => l.name === 'Double click').length, 1, 'one list for a double click');

    // An asset, then a low threshold above the high one: refused in words, the field back to what is stored.
    await page.getByLabel('Add by symbol', { exact: true }).fill(symbol);
    await page.locator('.suggest button', { hasText: symbol }).first().click();
    const high = page.getByLabel(`Alert when ${symbol} goes above`, { exact: true });
    const low = page.getByLabel(`Alert when ${symbol} goes below`, { exact: true });
    await high.waitFor();
    const saved = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/items/'));
    await high.fill('100');
    await high.press('Tab');
    assert.equal((await saved).status(), 200);
    await low.fill('200');
    await low.press('Tab');
    const refused = page.getByTestId('threshold-problem');
    await refused
      .filter({ hasText: /Not saved: (the high threshold )?must be greater than the low threshold/ })
      .waitFor();
    const said = (await refused.textContent()) ?? '';
    assert.doesNotMatch(said, /Try again|price_alert/, said);
    assert.equal(await low.inputValue(), '', 'the refused value is not kept');
    assert.equal(await page.getByRole('button', { name: 'Try again' }).count(), 0);
    await low.fill('-5');
    await low.press('Tab');
    await refused.filter({ hasText: 'a threshold must be a price above 0' }).waitFor();
    assert.equal(await low.inputValue(), '');

    // A 97-character name without spaces wraps inside the list instead of running across the page.
    const long = 'X'.repeat(97);
    await call(base, bearer, 'POST', '/api/watchlists', { name: long });
    await page.reload();
    const button = page.locator('.lists button', { hasText: long });
    await button.waitFor();
    const box = await button.boundingBox();
    const aside = await page.locator('.watch-layout > aside').boundingBox();
    assert.ok(box && aside && box.x + box.width <= aside.x + aside.width + 1, 'the name stays in its column');
    assert.ok((await pageWidth(page)) <= 1366, 'no sideways scroll');
  });
  await page.close();

  const phone = await browser.newPage({ viewport: { width: 375, height: 812 } });
  await screenshotOnFailure(phone, 'ws-watchlists-375', async () => {
    await login(phone, base, USER);
    await phone.goto(`${base}/watchlists`);
    await phone.locator('.lists button').first().waitFor();
    await phone.getByTestId('watch-items').waitFor();
    const width = await pageWidth(phone);
    assert.ok(width <= 375, `the watchlists page is ${width} px wide at 375 px`);
  });
  await phone.close();
}

/** The live status in the header: in words, with the newest data's time; offline and back. */
async function liveStatusFlow(browser: Browser, base: string, symbol: string): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 850 } });
  const page = await context.newPage();
  await screenshotOnFailure(page, 'ws-live-status', async () => {
    await page.goto(`${base}/`);
    const status = page.getByTestId('live-status');
    assert.equal(await status.getAttribute('role'), 'status');
    await status.getByText('Live', { exact: true }).waitFor();
    const newest = page.getByTestId('live-newest');
    await newest.getByText(/data to/).waitFor();
    const before = Date.parse((await newest.getAttribute('data-ts')) ?? '');

    // A newer candle written through the API moves the time.
    const admin = await token(base, ADMIN);
    const ts = new Date(Math.floor(before / 3_600_000) * 3_600_000 + 3_600_000).toISOString();
    await call(base, admin, 'POST', '/api/candles', {
      interval: '1h',
      symbol,
      candles: [{ ts, open: 10, high: 11, low: 9, close: 10, volume: 1 }],
    });
    await page.waitForFunction(
      (want) =>
        Date.parse(
          (
            globalThis as unknown as { document: { querySelector: (s: string) => { dataset: { ts: string } } } }
          ).document.querySelector('[data-testid="live-newest"]').dataset.ts,
        ) >= want,
      Date.parse(ts),
    );

    await context.setOffline(true);
    await status.getByText('Offline', { exact: true }).waitFor();
    assert.equal(await status.getAttribute('data-state'), 'offline');
    // Back online while the server refuses the stream: it says it is reconnecting, then live again.
    await page.route('**/api/events*', (route) => route.abort());
    await context.setOffline(false);
    await status.getByText('Reconnecting…', { exact: true }).waitFor();
    await page.unroute('**/api/events*');
    await status.getByText('Live', { exact: true }).waitFor({ timeout: 30_000 });
  });
  await context.close();
}

/** The Alerts page: the user's price and condition alerts, their history, on/off, edit, delete. */
async function alertsFlow(browser: Browser, base: string, symbol: string): Promise<void> {
  const bearer = await token(base, USER);
  const admin = await token(base, ADMIN);
  const list = await call<{ id: string }>(base, bearer, 'POST', '/api/watchlists', { name: 'Alerts page' });
  const markets = (await (await fetch(`${base}/api/markets`)).json()) as { items: { id: string; symbol: string }[] };
  const asset = markets.items.find((r) => r.symbol === symbol);
  assert.ok(asset, `${symbol} in the markets`);
  const latest = (await (
    await fetch(`${base}/api/queries/latest-candles?symbol=${symbol}&interval=1h&limit=1`)
  ).json()) as { items: { ts: string; close: number }[] };
  const last = latest.items[0];
  const threshold = Math.round(last.close * 2);
  await call(base, bearer, 'POST', `/api/watchlists/${list.id}/items`, {
    asset_id: asset.id,
    price_alert_high: threshold,
  });
  await call(base, bearer, 'POST', '/api/alerts/rules', { symbol, interval: '1d', when: 'rsi(close, 14) < 30' });
  // The price alert fires once: a candle closing above the threshold.
  const fired = await call<{ alerts_fired: number }>(base, admin, 'POST', '/api/candles', {
    interval: '1h',
    symbol,
    candles: [
      {
        ts: new Date(Date.parse(last.ts) + 2 * 3_600_000).toISOString(),
        open: last.close,
        high: threshold + 2,
        low: last.close,
        close: threshold + 1,
        volume: 1,
      },
    ],
  });
  assert.ok(fired.alerts_fired >= 1);

  const page = await browser.newPage({ viewport: { width: 1366, height: 850 } });
  page.on('dialog', (d) => void d.accept());
  await screenshotOnFailure(page, 'ws-alerts', async () => {
    await login(page, base, USER);
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await page.waitForURL(`${base}/alerts`);
    const prices = page.getByTestId('price-alerts');
    const row = prices.locator(`tr[data-symbol="${symbol}"]`);
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /Alerts page/);
    assert.equal(((await row.locator('td').nth(6).textContent()) ?? '').trim(), '1', 'fired once');
    // Off and on again, the thresholds kept.
    await page.getByRole('button', { name: `Turn off the price alert on ${symbol}` }).click();
    await row.getByTestId('price-state').getByText('off', { exact: true }).waitFor();
    await page.getByRole('button', { name: `Turn on the price alert on ${symbol}` }).click();
    await row.getByTestId('price-state').getByText('on', { exact: true }).waitFor();
    const history = page.getByTestId('alert-history');
    await history.getByText(/went above/).waitFor();

    // Edit the price alert: a refused value said next to its field, then a good one.
    await page.getByRole('button', { name: `Edit the price alert on ${symbol}` }).click();
    const edit = page.getByRole('form', { name: `Edit the price alert on ${symbol}` });
    await edit.getByText('A price above 0, higher than the low one; empty for none.').waitFor();
    await edit.getByLabel(`Alert when ${symbol} goes above`, { exact: true }).fill('-1');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.getByTestId('field-error').filter({ hasText: 'Must be greater than 0' }).waitFor();
    await edit.getByLabel(`Alert when ${symbol} goes above`, { exact: true }).fill(String(threshold * 2));
    await edit.getByLabel(`Alert when ${symbol} goes below`, { exact: true }).fill('1');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    await row.getByText('1.00', { exact: true }).waitFor();

    // The condition alert: off, on, a refused condition, a new one, deleted.
    const rules = page.getByTestId('rule-alerts');
    await rules.getByText('rsi(close, 14) < 30').waitFor();
    await page.getByRole('button', { name: 'Turn off rsi(close, 14) < 30' }).click();
    await rules.getByTestId('rule-state').getByText('off', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Turn on rsi(close, 14) < 30' }).click();
    await rules.getByTestId('rule-state').getByText('on', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Edit rsi(close, 14) < 30' }).click();
    const editRule = page.getByRole('form', { name: `Edit the condition alert on ${symbol}` });
    const condition = editRule.getByLabel(`Condition on ${symbol} 1d`, { exact: true });
    await condition.fill('rsi(close, ) < 30');
    await editRule.getByRole('button', { name: 'Save' }).click();
    await editRule.getByTestId('field-error').filter({ hasText: 'column 11' }).waitFor();
    await condition.fill('rsi(close, 14) > 70');
    await editRule.getByRole('button', { name: 'Save' }).click();
    await rules.getByText('rsi(close, 14) > 70').waitFor();
    await page.getByRole('button', { name: 'Delete rsi(close, 14) > 70' }).click();
    await page.getByText('No condition alert: add one with the form below.').waitFor();

    // Deleting the price alert clears its thresholds; the asset stays in the list; the history stays.
    await page.getByRole('button', { name: `Delete the price alert on ${symbol}` }).click();
    await row.waitFor({ state: 'detached' });
    await history.getByText(/went above/).waitFor();
    const items = await call<{ items: { price_alert_high: number | null }[] }>(
      base,
      bearer,
      'GET',
      `/api/watchlists/${list.id}/items`,
    );
    assert.deepEqual(
      items.items.map((i) => i.price_alert_high),
      [null],
    );
    await assertAccessible(page, 'alerts page, light, desktop');
  });
  await page.close();
}

/** Admin: every continuous aggregate, words instead of JSON, keyboard-scrollable tables, refused links. */
async function adminFlow(browser: Browser, base: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 850 } });
  await screenshotOnFailure(page, 'ws-admin', async () => {
    await login(page, base, ADMIN);
    await page.goto(`${base}/admin`);
    await page.getByTestId('doctor').waitFor({ timeout: 30_000 });
    const bearer = await token(base, ADMIN);
    const aggregates = await call<{ items: { view_name: string }[] }>(base, bearer, 'GET', '/api/admin/db/aggregates');
    const section = page.locator('section.admin-section', {
      has: page.getByRole('heading', { name: 'Continuous aggregates' }),
    });
    if (aggregates.items.length > 0) {
      for (const a of aggregates.items) await section.getByText(a.view_name, { exact: true }).waitFor();
    } else {
      await section.getByText(/No continuous aggregate in the catalog/).waitFor();
    }
    const jobs = page.locator('section.admin-section', {
      has: page.getByRole('heading', { name: 'Jobs', exact: true }),
    });
    await jobs.locator('table, p').first().waitFor();
    const main = (await page.locator('main').textContent()) ?? '';
    assert.doesNotMatch(main, /Nothing here|unknown rows|\{"/, 'no placeholder, no raw JSON');
    // Every table region scrolls by keyboard: focusable and named.
    const regions = page.locator('section.table-wrap');
    assert.ok((await regions.count()) > 0);
    for (const r of await regions.all()) {
      assert.equal(await r.getAttribute('tabindex'), '0');
      assert.ok(await r.getAttribute('aria-label'));
    }

    // Link source: a symbol with markup and Polygon without a key are refused with a clear message.
    const form = page.getByRole('form', { name: 'Link a source' });
    await form.getByLabel('Asset symbol', { exact: true }).fill('<B>X</B>');
    await form.getByRole('button', { name: 'Link source' }).click();
    await form.getByTestId('field-error').filter({ hasText: 'Must be a symbol of letters, digits' }).waitFor();
    await form.getByLabel('Asset symbol', { exact: true }).fill('AAPL');
    await form.getByLabel('Provider', { exact: true }).selectOption('polygon');
    await form.getByLabel('1d', { exact: true }).check();
    await form.getByRole('button', { name: 'Link source' }).click();
    await form.getByRole('alert').filter({ hasText: 'Polygon needs an API key' }).waitFor();
    const assets = (await (await fetch(`${base}/api/assets?limit=1000`)).json()) as { items: { symbol: string }[] };
    assert.ok(!assets.items.some((a) => a.symbol.includes('<')), 'no asset was created');
    await assertAccessible(page, 'admin page, light, desktop');
  });
  await page.close();
}

const PAGES = [
  '/',
  '/watchlists',
  '/portfolio',
  '/alerts',
  '/strategies',
  '/notifications',
  '/account',
  '/admin',
  '/login',
  '/register',
];

/** axe-core on every page, light and dark, at 1366 and 375 px. */
async function axeSweep(browser: Browser, base: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const viewport of [
      { width: 1366, height: 850 },
      { width: 375, height: 812 },
    ]) {
      const page = await browser.newPage({ viewport, colorScheme });
      await screenshotOnFailure(page, `ws-axe-${colorScheme}-${viewport.width}`, async () => {
        await login(page, base, ADMIN);
        for (const p of PAGES) {
          if (p === '/login') {
            await page.getByRole('button', { name: 'Log out' }).click();
            await page.waitForURL(`${base}/login`);
          }
          await page.goto(`${base}${p}`);
          await page.locator('main h1').first().waitFor();
          // Let the page's loads settle: no spinner left.
          await page.waitForFunction(
            () =>
              !(
                globalThis as unknown as { document: { querySelector: (s: string) => unknown } }
              ).document.querySelector('.loading'),
            undefined,
            { timeout: 30_000 },
          );
          await assertAccessible(page, `${p}, ${colorScheme}, ${viewport.width} px`);
          if (viewport.width === 375 && ['/watchlists', '/alerts', '/login', '/register'].includes(p)) {
            const width = await pageWidth(page);
            assert.ok(width <= 375, `${p} is ${width} px wide at 375 px`);
          }
        }
      });
      await page.close();
    }
  }
}

function suite(
  title: string,
  skip: string | undefined,
  start: () => Promise<{ served: Served; cleanup: () => Promise<void> }>,
) {
  describe(title, { skip }, () => {
    const app = servedBrowser(start);
    let symbol: string;
    let other: string;
    before(async () => {
      const markets = (await (await fetch(`${app.url}/api/markets`)).json()) as { items: { symbol: string }[] };
      symbol = markets.items[0].symbol;
      // The alerts page's asset: none of the watchlist test's thresholds are on it.
      other = markets.items[1].symbol;
    });
    test('a refused registration in words next to its field; a new user’s empty pages say what to do', () =>
      newUserFlow(app.browser, app.url));
    test('watchlists: one list per double click, a refused threshold in words and put back, long names wrap', () =>
      watchlistFlow(app.browser, app.url, symbol));
    test('alerts page: price and condition alerts, history, on/off, edit, delete', () =>
      alertsFlow(app.browser, app.url, other));
    test('live status in the header: in words, the newest data, offline, reconnecting and back', () =>
      liveStatusFlow(app.browser, app.url, symbol));
    test('admin: every continuous aggregate, readable tables scrolled by keyboard, refused links', () =>
      adminFlow(app.browser, app.url));
    test('axe-core: every page, light and dark, desktop and 375 px', () => axeSweep(app.browser, app.url));
  });
}

suite('workstation pages in chromium [embedded]', chromiumSkip, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-web-ws-'));
  const db = await openEmbedded({ dataDir: dir });
  await new Migrator(db).upgrade('head');
  await createUser(db, ADMIN);
  await createUser(db, USER);
  await db.close();
  // tm serve seeds the starter demo data into the empty database.
  const served = await startServe({ TM_DATA_DIR: dir });
  return { served, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

suite('workstation pages in chromium [server]', chromiumSkip ?? serverSkip, async () => {
  const db = await serverDb();
  await seedFullDemo(db, { ...STARTER_DEMO, assets: 3, days: 20, analysis: ['1h'] });
  await createUser(db, ADMIN);
  await createUser(db, USER);
  const served = await startServe({ DATABASE_URL: db.url, TM_DEMO: '0' });
  return { served, cleanup: () => db.close() };
});
