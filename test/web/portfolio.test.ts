/**
 * The Portfolio page in a real browser against a real `tm serve`, on both backends, at desktop width and
 * at 375 px: create a portfolio, add, edit and delete transactions, import a CSV, positions with P&L and
 * allocation equal to what the API says, value over time against a benchmark (a lightweight-charts
 * canvas), and a paper account that `tm serve` advances by itself (its worker) shown with its trades.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createUser } from '../../src/accounts/users.ts';
import { generateSeries } from '../../src/analysis/indicators/testing/series.ts';
import { saveStrategy } from '../../src/analysis/strategies-repository.ts';
import { startPaper } from '../../src/paper/paper.ts';
import { insertSeries } from '../helpers/candles.ts';
import { screenshotOnFailure } from '../helpers/browser.ts';
import { logIn } from '../helpers/looks.ts';
import { onBothBackends } from '../helpers/served-app.ts';
import { until } from '../helpers/wait.ts';

const USER = { username: 'folio_user', password: 'folio-password-1' };
const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const stock = generateSeries(120, { seed: 3, stepMs: DAY, startTs: START, volatility: 0.02 });
const bench = generateSeries(120, { seed: 4, stepMs: DAY, startTs: START, volatility: 0.01 });

async function seed(db: Parameters<typeof startPaper>[0]): Promise<void> {
  const u = await createUser(db, { ...USER, email: 'folio@example.com' });
  for (const [symbol, s] of [
    ['PF1', stock],
    ['BNCH', bench],
  ] as const) {
    const a = await db.query<{ id: string }>(
      "INSERT INTO assets (symbol, name, asset_type) VALUES ($1, $1, 'stock') RETURNING id",
      [symbol],
    );
    await insertSeries(db, a.rows[0].id, s, { interval: '1d' });
  }
  await saveStrategy(db, {
    userId: u.id,
    name: 'cross',
    entry: 'crosses_above(sma(close, $fast), sma(close, $slow))',
    exit: 'crosses_below(sma(close, $fast), sma(close, $slow))',
    params: { fast: 3, slow: 10 },
  });
  // Started, never run: tm serve's paper worker advances it.
  await startPaper(db, {
    userId: u.id,
    name: 'swing',
    strategy: 'cross',
    symbol: 'PF1',
    interval: '1d',
    from: new Date(START),
    settings: { cash: 10000, commission: 0.001 },
  });
}

async function apiGet<T>(base: string, token: string, url: string): Promise<T> {
  const res = await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as T;
}

async function login(page: Page, base: string): Promise<string> {
  await logIn(page, base, USER);
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(USER),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

const fmt = (v: number) => v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

async function noHorizontalOverflow(page: Page): Promise<void> {
  const [scroll, width] = await page.locator('html').evaluate((el) => [el.scrollWidth, el.clientWidth]);
  assert.ok(scroll <= width, `the page scrolls sideways: ${scroll} > ${width}`);
}

async function portfolioFlow(page: Page, base: string, name: string): Promise<void> {
  page.on('dialog', (d) => void d.accept());
  let token = await login(page, base);
  await page.getByRole('link', { name: 'Portfolio' }).click();
  await page.waitForURL(`${base}/portfolio`);
  await page.getByTestId('portfolios').getByText('swing').waitFor();

  // Create a portfolio; it is selected.
  await page.getByLabel('New portfolio name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Create portfolio' }).click();
  await page.getByRole('heading', { name: new RegExp(`^${name}`) }).waitFor();
  const view = page.getByTestId('portfolio-view');
  const rows = view.getByTestId('tx-row');

  // Add a deposit and a buy through the form.
  await view.getByText('Add a transaction', { exact: true }).click();
  const add = async (fields: Record<string, string>) => {
    const form = view.getByTestId('tx-form-add');
    await form.getByLabel('Type', { exact: true }).selectOption(fields.type);
    for (const [label, v] of Object.entries(fields)) {
      if (label !== 'type') await form.getByRole('textbox', { name: label, exact: true }).fill(v);
    }
    const n = await rows.count();
    // Enter on the focused button, not a click: the panels above the form load and grow meanwhile (at
    // 375 px a click once landed where the button had been, and nothing was added).
    await form.getByRole('button', { name: 'Add' }).press('Enter');
    await until('the row', async () => (await rows.count()) === n + 1);
  };
  await add({ type: 'deposit', Date: '2024-01-02', Amount: '10000' });
  await add({ type: 'buy', Date: '2024-01-03', Symbol: 'PF1', Quantity: '10', Price: '100', Fee: '1' });
  const positions = view.getByTestId('positions');
  await positions.getByText('PF1').waitFor();

  // Edit the buy: 12 units.
  await view
    .getByRole('button', { name: /^Edit transaction/ })
    .nth(1)
    .click();
  const edit = view.getByTestId('tx-form-save');
  await edit.getByRole('textbox', { name: 'Quantity', exact: true }).fill('12');
  await edit.getByRole('button', { name: 'Save' }).click();
  await positions.locator('td', { hasText: /^12$/ }).waitFor();

  // Import a CSV: two rows added.
  await view.getByText('Import CSV', { exact: true }).click();
  await view
    .getByLabel('CSV text')
    .fill('date,type,symbol,quantity,price,fee,currency\n2024-02-01,buy,PF1,3,90,0,\n2024-02-05,sell,PF1,5,95,1,\n');
  await view.getByRole('button', { name: 'Import' }).click();
  await view.getByTestId('import-result').filter({ hasText: '2 row(s): 2 added' }).waitFor();
  await until('four rows', async () => (await rows.count()) === 4);

  // Delete the sale.
  await view
    .getByRole('button', { name: /^Delete transaction/ })
    .nth(3)
    .click();
  await until('three rows', async () => (await rows.count()) === 3);

  // Figures: what the API says, shown on the page.
  const list = await apiGet<{ id: string; name: string }[]>(base, token, '/api/portfolios');
  const id = list.find((p) => p.name === name)?.id;
  assert.ok(id);
  const pos = await apiGet<{
    positions: { symbol: string; quantity: string; unrealized_pnl: string }[];
    totals: { value: string };
  }>(base, token, `/api/portfolios/${id}/positions`);
  assert.equal(pos.positions[0].quantity, '15');
  await view
    .getByTestId('total-value')
    .filter({ hasText: fmt(Number(pos.totals.value)) })
    .waitFor();
  await positions.locator('td', { hasText: fmt(Number(pos.positions[0].unrealized_pnl)) }).waitFor();
  const alloc = view.getByTestId('allocation-asset');
  await alloc.getByText('PF1').waitFor();
  await alloc.getByText('cash').waitFor();

  // Value over time against the benchmark.
  await view.getByLabel('Benchmark').fill('BNCH');
  await view.getByRole('button', { name: 'Compare' }).click();
  await view.getByTestId('benchmark-return').waitFor();
  const chart = view.getByTestId('value-chart');
  await until('the benchmark line', async () => Number(await chart.getAttribute('data-benchmark-points')) > 0);
  assert.ok(Number(await chart.getAttribute('data-points')) > 30);
  await noHorizontalOverflow(page);

  // The paper account: tm serve's worker has processed its bars without anyone running it.
  token = await login(page, base);
  const paper = (await apiGet<{ id: string; name: string }[]>(base, token, '/api/paper')).find(
    (p) => p.name === 'swing',
  );
  assert.ok(paper);
  await until('tm serve advances the paper account', async () => {
    const s = await apiGet<{ last_bar: string | null }>(base, token, `/api/paper/${paper.id}`);
    return s.last_bar === new Date(stock.ts[stock.ts.length - 1]).toISOString();
  });
  const status = await apiGet<{ equity: number }>(base, token, `/api/paper/${paper.id}`);
  const trades = await apiGet<unknown[]>(base, token, `/api/paper/${paper.id}/trades`);
  await page.getByRole('link', { name: 'Portfolio' }).click();
  await page.getByTestId('portfolios').getByRole('button', { name: /swing/ }).click();
  const panel = page.getByTestId('paper-panel');
  await panel
    .getByTestId('paper-equity')
    .filter({ hasText: fmt(status.equity) })
    .waitFor();
  assert.ok(trades.length > 0, 'the scenario needs trades');
  await until(
    'the trades',
    async () => (await panel.getByTestId('paper-trades').locator('tbody tr').count()) === trades.length,
  );
  await noHorizontalOverflow(page);
}

const ENV = { TM_DEMO: '0', TM_PAPER_EVERY_MS: '200' };

onBothBackends('portfolio page in chromium', { prepare: seed, env: ENV }, (app) => {
  for (const [label, viewport] of [
    ['desktop', { width: 1280, height: 900 }],
    ['375 px', { width: 375, height: 800 }],
  ] as const) {
    test(`portfolio page and paper account (${label})`, async () => {
      const page = await app.browser.newPage({ viewport });
      await screenshotOnFailure(page, `portfolio-${viewport.width}`, () =>
        portfolioFlow(page, app.url, `Main ${viewport.width}`),
      );
      await page.close();
    });
  }
});
