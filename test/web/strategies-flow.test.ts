/**
 * The strategies page in a real browser against `tm serve` (embedded, starter demo data): write a strategy with a
 * mistake (the parser's problem shows under the field with its column), fix it, see the preview's markers where the
 * API says the rules fire, save, run a backtest (its trades as markers, equity and drawdown panes, the figures the API
 * stored), sweep two parameters into a heat map, delete. At desktop width and at 375 px (nothing wider than the
 * screen), on the embedded database and on the server backend.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { createUser } from '../../src/accounts/users.ts';
import { Migrator } from '../../src/db/migrate/migrator.ts';
import { openEmbedded } from '../../src/db/pglite.ts';
import { seedFullDemo, STARTER_DEMO } from '../../src/demo/seed.ts';
import { chromiumSkip, type Served, screenshotOnFailure, startServe, servedBrowser } from '../helpers/browser.ts';
import { serverDb, serverSkip, type ServerTestDb } from '../helpers/db.ts';
import { followLink, logIn } from '../helpers/looks.ts';

const USER = { username: 'stratuser', password: 'strat-password-1' };
const ENTRY = 'crosses_above(sma(close, $fast), sma(close, $slow))';
const EXIT = 'crosses_below(sma(close, $fast), sma(close, $slow))';

/** Polls a data attribute of the strategy chart until `ok` holds (no fixed sleeps). */
async function chartAttr(page: Page, name: string, ok: (v: string) => boolean, what: string): Promise<string> {
  const end = Date.now() + 20_000;
  for (;;) {
    const v = (await page.getByTestId('strategy-chart').getAttribute(`data-${name}`)) ?? '';
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`strategy chart: timed out waiting for ${what} (data-${name}=${v})`);
    await page.waitForTimeout(100);
  }
}

async function apiToken(base: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(USER),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function apiCall<T>(base: string, method: string, url: string, body?: object): Promise<T> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await apiToken(base)}` },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(res.ok, `${method} ${url}: ${res.status} ${await res.clone().text()}`);
  return (await res.json()) as T;
}

async function flow(page: Page, base: string, name: string): Promise<void> {
  await logIn(page, base, USER);
  await followLink(page, 'Strategies', '/strategies');

  // A mistake: the parser's message under the field, with its column; the field is marked invalid.
  await page.getByLabel('Name', { exact: true }).fill(name);
  const entry = page.getByLabel('Entry rule', { exact: true });
  await entry.fill('rsi(close, ) < 30');
  const problem = page.getByTestId('strategy-entry-error');
  await problem.getByText('expected a number at column 11').waitFor();
  assert.equal(await entry.getAttribute('aria-invalid'), 'true');
  assert.equal(await entry.getAttribute('aria-describedby'), 'strategy-entry-error');
  assert.equal(await page.getByRole('button', { name: 'Save', exact: true }).isDisabled(), true);

  // Fixed: the problem goes, and the preview marks where the rules are true, as the API says.
  await entry.fill(ENTRY);
  await problem.waitFor({ state: 'detached' });
  await page.getByTestId('check-status').getByText('Rules are valid').waitFor();
  // Short averages: the demo's hourly bars span a few days.
  await page.getByLabel('Parameters', { exact: true }).fill('{"fast": 3, "slow": 8}');
  await page.getByTestId('check-status').getByText('Checking…').waitFor();
  await page.getByTestId('check-status').getByText('Rules are valid').waitFor();
  // The label's accessible name includes the chosen option, hence no exact match.
  const symbol = await page.getByLabel('Symbol').inputValue();
  const preview = await apiCall<{ bars: { time: number[] }; entry: number[]; exit: number[] }>(
    base,
    'POST',
    '/api/strategies/preview',
    { entry: ENTRY, exit: EXIT, params: { fast: 3, slow: 8 }, symbol, interval: '1h', bars: 500 },
  );
  assert.ok(preview.entry.length > 0, 'the demo series has crossings');
  await chartAttr(page, 'bars', (v) => Number(v) === preview.bars.time.length, 'the previewed bars');
  await chartAttr(page, 'markers', (v) => Number(v) === preview.entry.length + preview.exit.length, 'rule markers');

  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('button', { name: new RegExp(`^${name} v1`) }).waitFor();

  // A run over the previewed bars: trades as markers, equity and drawdown in panes below, the stored figures.
  await page.getByRole('button', { name: 'Run backtest' }).click();
  await page.getByTestId('run-result').waitFor({ timeout: 20_000 });
  await chartAttr(page, 'mode', (v) => v === 'run', 'the run view');
  const runs = await apiCall<{ id: string; strategy: string }[]>(base, 'GET', '/api/backtests');
  const mine = runs.find((r) => r.strategy === name);
  assert.ok(mine);
  const run = await apiCall<{ trades: unknown[]; equity: number[]; metrics: { final_equity: number } }>(
    base,
    'GET',
    `/api/backtests/${mine.id}`,
  );
  assert.ok(run.trades.length > 0);
  assert.equal(run.equity.length, preview.bars.time.length);
  await chartAttr(page, 'markers', (v) => Number(v) === 2 * run.trades.length, 'trade markers');
  await chartAttr(page, 'panes', (v) => v === '3', 'equity and drawdown panes');
  assert.equal(await page.getByTestId('run-trades').locator('tbody tr').count(), run.trades.length);
  const shown = await page.getByTestId('run-final-equity').textContent();
  assert.equal(Number(shown?.replace(/,/g, '')), Number(run.metrics.final_equity.toFixed(2)));

  // A sweep of two parameters as a heat map: a labelled cell per combination, the API's figures, a table beside.
  await page.getByLabel('Grid', { exact: true }).fill('fast=2..4,slow=6..10:2');
  await page.getByRole('button', { name: 'Run sweep' }).click();
  const cells = page.getByTestId('heatmap').getByTestId('heat-cell');
  await page.getByTestId('sweep-result').waitFor({ timeout: 30_000 });
  assert.equal(await cells.count(), 9);
  const sweep = await apiCall<{ results: { params: Record<string, number>; in_sample: { sharpe: number | null } }[] }>(
    base,
    'POST',
    '/api/backtests/sweep',
    {
      strategy: name,
      symbol,
      interval: '1h',
      from: new Date(preview.bars.time[0] * 1000).toISOString(),
      to: new Date((preview.bars.time.at(-1) as number) * 1000).toISOString(),
      grid: 'fast=2..4,slow=6..10:2',
    },
  );
  const one = sweep.results.find((x) => x.params.fast === 3 && x.params.slow === 8);
  assert.ok(one);
  const value = one.in_sample.sharpe === null ? '–' : one.in_sample.sharpe.toFixed(2);
  const cell = page.getByLabel(`fast=3, slow=8: in-sample sharpe ${value}`, { exact: true });
  assert.equal(await cell.textContent(), value);
  assert.equal(await cell.getAttribute('title'), `fast=3, slow=8: in-sample sharpe ${value}`);
  await page.getByRole('button', { name: 'Out-of-sample' }).click();
  await page.getByTestId('heatmap').getByText('out-of-sample sharpe by fast').waitFor();
  await page.getByText('The same as a table').click();
  assert.equal(await page.getByTestId('sweep-table').locator('tbody tr').count(), 9);
  // Walk-forward windows: each window's best combination with its out-of-sample figures.
  await page.getByLabel(/^Walk-forward windows/).fill('2');
  await page.getByRole('button', { name: 'Run sweep' }).click();
  await page.getByTestId('walk-forward').waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('walk-forward').locator('tbody tr').count(), 2);

  // Nothing wider than the screen (the trades table scrolls inside its wrapper).
  const overflow = await page
    .locator('html')
    .evaluate((el) => el.scrollWidth - (el.ownerDocument.defaultView?.innerWidth ?? 0));
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than the screen`);

  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('button', { name: new RegExp(`^${name} v1`) }).waitFor({ state: 'detached' });
  const left = await apiCall<{ name: string }[]>(base, 'GET', '/api/strategies');
  assert.ok(!left.some((s) => s.name === name));
}

function browserSuite(
  title: string,
  skip: string | undefined,
  start: () => Promise<{ served: Served; cleanup: () => Promise<void> }>,
): void {
  describe(title, { skip }, () => {
    const app = servedBrowser(start);

    test('write, check, preview, save, run, sweep and delete a strategy at desktop width', async () => {
      const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
      await screenshotOnFailure(page, 'strategies-desktop', () => flow(page, app.url, 'cross_desk'));
      await page.close();
    });

    test('the same at 375 px', async () => {
      const page = await app.browser.newPage({ viewport: { width: 375, height: 740 } });
      await screenshotOnFailure(page, 'strategies-375', () => flow(page, app.url, 'cross_phone'));
      await page.close();
    });
  });
}

browserSuite('strategies page in chromium [embedded]', chromiumSkip, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-web-strat-'));
  const db = await openEmbedded({ dataDir: dir });
  await new Migrator(db).upgrade('head');
  await createUser(db, { ...USER, email: 'strat@example.com' });
  await db.close();
  // tm serve seeds the starter demo data into the empty database.
  const served = await startServe({ TM_DATA_DIR: dir });
  return { served, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

browserSuite('strategies page in chromium [server]', chromiumSkip ?? serverSkip, async () => {
  const db: ServerTestDb = await serverDb();
  await seedFullDemo(db, { ...STARTER_DEMO, assets: 2, days: 10, analysis: [] });
  await createUser(db, { ...USER, email: 'strat@example.com' });
  const served = await startServe({ DATABASE_URL: db.url, TM_DEMO: '0' });
  return { served, cleanup: () => db.close() };
});
