/**
 * The chart page as a trader's workstation (issue 26), in chromium against a real `tm serve`, on both
 * backends, at 1366×850 and 375×812, light and dark: the view in the URL (back and forward), symbol
 * search by keyboard, add to watchlist, range presets, go to date, chart types and price scales,
 * indicator parameters checked in the form, a legend that never moves the chart, markers without
 * labels, an empty state, "no older data" with one probe, keyboard keys, and axe-core's WCAG A/AA check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { createUser } from '../../src/accounts/users.ts';
import type { Database } from '../../src/db/types.ts';
import { seedFullDemo, STARTER_DEMO } from '../../src/demo/seed.ts';
import { assertAccessible } from '../helpers/axe.ts';
import { onBothBackends } from '../helpers/served-app.ts';
import { DESKTOP, type Look, LOOKS, logIn, PHONE } from '../helpers/looks.ts';
import { insertAsset, insertCloses } from '../helpers/market.ts';
import { until, untilTrue } from '../helpers/wait.ts';

const USER = { username: 'chartuser', password: 'chart-password-1' };
const DAY = 86_400;
/** ONLYD: 40 daily candles ending 100 days ago, nothing finer (an empty 1m chart, a short history). */
const ONLYD_LAST = (Math.floor(Date.now() / 1000 / DAY) - 100) * DAY;

async function seed(db: Database): Promise<void> {
  await seedFullDemo(db, { ...STARTER_DEMO, assets: 3, days: 20, analysis: ['1h'] });
  const id = await insertAsset(db, 'ONLYD');
  const closes = Array.from({ length: 40 }, (_, i) => 50 + 5 * Math.sin(i / 4));
  await insertCloses(db, id, closes, {
    start: new Date((ONLYD_LAST - 39 * DAY) * 1000).toISOString(),
    interval: '1d',
    stepMs: DAY * 1000,
  });
  await createUser(db, { ...USER, email: 'chartuser@example.com' });
}

const attr = async (page: Page, name: string) => page.getByTestId('chart').getAttribute(`data-${name}`);
const num = async (page: Page, name: string) => Number(await attr(page, name));
/** Waits until the chart's data attribute satisfies `ok`. */
async function chartWait(page: Page, name: string, ok: (v: string) => boolean, what: string): Promise<string> {
  return until(`chart ${what} (data-${name})`, async () => {
    const v = (await attr(page, name)) ?? '';
    return ok(v) ? v : null;
  });
}
const settled = (page: Page) => chartWait(page, 'settled', (v) => v === 'true', 'settled');
const pressed = (page: Page, group: string) =>
  page.locator(`fieldset.${group} button[aria-pressed="true"]`).textContent();
const query = (page: Page) => new URL(page.url()).searchParams;

const login = (page: Page, base: string) => logIn(page, base, USER);

async function demoSymbols(base: string): Promise<{ symbol: string; name: string }[]> {
  const r = (await (await fetch(`${base}/api/markets`)).json()) as { items: { symbol: string; name: string }[] };
  return r.items.filter((i) => i.symbol !== 'ONLYD');
}

/** 1. The URL opens exactly its view; each change is a history entry; Markets keeps filter and sort. */
async function urlState(page: Page, base: string): Promise<void> {
  const [a] = await demoSymbols(base);
  await page.goto(`${base}/chart/${a.symbol}?interval=1d&indicators=sma:20,rsi:14&range=5d`);
  await settled(page);
  assert.equal(await pressed(page, 'intervals'), '1d');
  assert.equal(await pressed(page, 'ranges'), '5D');
  assert.equal(await page.getByLabel('SMA period').inputValue(), '20');
  assert.equal(await page.getByLabel('RSI period').inputValue(), '14');
  await chartWait(page, 'panes', (v) => v === '2', 'price and RSI panes');
  // The range: the first visible bar is the one 5 days before the newest.
  const last = await num(page, 'last');
  await chartWait(page, 'visible-first', (v) => Number(v) === last - 5 * DAY, '5 days shown');

  // Changes make history entries; back and forward restore them.
  await page.locator('fieldset.intervals').getByRole('button', { name: '1h', exact: true }).click();
  await untilTrue('interval in the URL', () => query(page).get('interval') === '1h');
  assert.equal(await pressed(page, 'intervals'), '1h');
  await page.getByRole('button', { name: '3M (3 months)' }).click();
  await untilTrue('range in the URL', () => query(page).get('range') === '3m');
  await page.getByLabel('Indicator to add', { exact: true }).selectOption('macd');
  await page.getByRole('button', { name: 'Add indicator' }).click();
  await untilTrue('indicators in the URL', () => query(page).get('indicators') === 'sma:20,rsi:14,macd:12:26:9');
  await chartWait(page, 'panes', (v) => v === '3', 'the MACD pane');
  await page.goBack();
  await untilTrue('back: no MACD', () => query(page).get('indicators') === 'sma:20,rsi:14');
  await chartWait(page, 'panes', (v) => v === '2', 'MACD pane gone');
  await page.goBack();
  await untilTrue('back: 5D', () => query(page).get('range') === '5d');
  await page.goBack();
  await untilTrue('back: 1d', () => query(page).get('interval') === '1d');
  await until('1d pressed', async () => (await pressed(page, 'intervals')) === '1d');
  await page.goForward();
  await until('forward: 1h pressed', async () => (await pressed(page, 'intervals')) === '1h');

  // Markets: filter and sort in the URL, restored by a reload and by back.
  await page.goto(`${base}/`);
  await page.locator('table.markets tbody tr').first().waitFor();
  await page.getByLabel('Filter by symbol or name').fill(a.symbol.slice(0, 2));
  await untilTrue('filter in the URL', () => query(page).get('q') === a.symbol.slice(0, 2));
  await page.getByRole('button', { name: /^Last/ }).click();
  await untilTrue('sort in the URL', () => query(page).get('sort') === '-last_price');
  await page.reload();
  await page.locator('table.markets tbody tr').first().waitFor();
  assert.equal(await page.getByLabel('Filter by symbol or name').inputValue(), a.symbol.slice(0, 2));
  assert.equal(await page.locator('th[aria-sort="descending"]').textContent(), 'Last ▼');
}

/** 2. Symbol search by keyboard only; add to watchlist. */
async function searchAndWatch(page: Page, base: string): Promise<void> {
  const [a, b] = await demoSymbols(base);
  await login(page, base);
  await page.goto(`${base}/chart/${a.symbol}?interval=1d&indicators=sma:20`);
  await settled(page);
  await page.getByTestId('chart').focus();
  await page.keyboard.press('/');
  const box = page.getByRole('combobox', { name: 'Search symbol' });
  await untilTrue('search focused', () => box.evaluate((el) => el === el.ownerDocument.activeElement));
  // Part of the name finds it (names are not symbols).
  await page.keyboard.type(b.name.slice(0, 6));
  await page.getByRole('listbox', { name: 'Symbols' }).getByRole('option').first().waitFor();
  assert.equal(await box.getAttribute('aria-expanded'), 'true');
  const options = await page.getByRole('listbox', { name: 'Symbols' }).getByRole('option').allTextContents();
  const want = options.findIndex((o) => o.startsWith(b.symbol));
  assert.ok(want >= 0, `${b.symbol} is offered: ${options.join(' | ')}`);
  await page.keyboard.press('ArrowDown'); // from the first to the second option
  await page.keyboard.press('ArrowUp'); // and back
  for (let i = 0; i < want; i++) await page.keyboard.press('ArrowDown');
  assert.equal(await box.getAttribute('aria-activedescendant'), `symbol-option-${want}`);
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname === `/chart/${b.symbol}`);
  assert.equal(query(page).get('interval'), '1d', 'the view stays');
  await settled(page);
  // Escape closes the list.
  await page.keyboard.press('/');
  await page.keyboard.type(a.symbol.slice(0, 2));
  await page.getByRole('listbox', { name: 'Symbols' }).getByRole('option').first().waitFor();
  await page.keyboard.press('Escape');
  await untilTrue('list closed', async () => (await box.getAttribute('aria-expanded')) === 'false');

  // Add to watchlist: with no list yet, one is created with the asset.
  await page.getByRole('button', { name: 'Add to watchlist' }).click();
  await page.getByRole('button', { name: /Create “My watchlist”/ }).click();
  await page
    .getByTestId('watch-message')
    .filter({ hasText: `${b.symbol} added to My watchlist` })
    .waitFor();
  await page.getByRole('button', { name: 'Add to watchlist' }).click();
  await page.getByRole('button', { name: /My watchlist/ }).click();
  await page.getByTestId('watch-message').filter({ hasText: 'already in My watchlist' }).waitFor();
  await page.getByRole('link', { name: 'Watchlists' }).click();
  await page.getByText(b.symbol, { exact: true }).first().waitFor();
}

/** 3. Range presets, go to date, chart types and price scales. */
async function viewControls(page: Page, base: string): Promise<void> {
  const [a] = await demoSymbols(base);
  await page.goto(`${base}/chart/${a.symbol}?interval=1h&indicators=`);
  await settled(page);
  const last = await num(page, 'last');
  for (const [label, days] of [
    ['1D (1 day)', 1],
    ['5D (5 days)', 5],
  ] as const) {
    await page.getByRole('button', { name: label, exact: true }).click();
    await chartWait(
      page,
      'visible-first',
      (v) => Number(v) >= last - days * DAY && Number(v) <= last - days * DAY + 3600,
      label,
    );
  }
  // All: every older page is fetched, the first visible bar is the first bar.
  await page.getByRole('button', { name: 'All (All data)' }).click();
  await chartWait(page, 'older', (v) => v === 'done', 'all history loaded');
  await until('all shown', async () => (await attr(page, 'visible-first')) === (await attr(page, 'first')));
  // Go to a date: the view centres on it.
  const target = last - 3 * DAY;
  await page.getByLabel('Go to date').fill(new Date(target * 1000).toISOString().slice(0, 10));
  await page.getByRole('button', { name: 'Go', exact: true }).click();
  await until('date shown', async () => {
    const f = await num(page, 'visible-first');
    return f < target && f > target - 10 * DAY;
  });
  // Chart types and scales.
  const types: [string, string][] = [
    ['line', 'Line'],
    ['area', 'Area'],
    ['bars', 'Bar'],
    ['ha', 'Candlestick'],
    ['candles', 'Candlestick'],
  ];
  for (const [value, series] of types) {
    await page.getByLabel('Chart type').selectOption(value);
    await chartWait(page, 'series-type', (v) => v === series, `${value} series`);
    assert.equal(query(page).get('type'), value === 'candles' ? null : value);
  }
  await page.getByLabel('Price scale').selectOption('log');
  await chartWait(page, 'scale-mode', (v) => v === '1', 'logarithmic scale');
  await page.getByLabel('Price scale').selectOption('pct');
  await chartWait(page, 'scale-mode', (v) => v === '2', 'percent scale');
  assert.equal(query(page).get('scale'), 'pct');
  // A reload keeps type and scale.
  await page.getByLabel('Chart type').selectOption('ha');
  await page.reload();
  await settled(page);
  await chartWait(page, 'scale-mode', (v) => v === '2', 'percent after reload');
  assert.equal(await page.getByLabel('Chart type').inputValue(), 'ha');
}

/** 4. Parameters checked in the form; legend fixed; markers unlabelled; empty state; no older data. */
async function defects(page: Page, base: string): Promise<void> {
  const [a] = await demoSymbols(base);
  await page.goto(`${base}/chart/${a.symbol}?interval=1h&indicators=sma:20,rsi:14`);
  await settled(page);
  const smaBefore = await attr(page, 'indicator-last');
  const sma = page.getByLabel('SMA period');
  const url = page.url();
  for (const [bad, words] of [
    ['2.5', /whole number/],
    ['-5', /from 2 to 100,000/],
    ['abc', /Enter a number/],
  ] as const) {
    await sma.fill(bad);
    await sma.press('Enter');
    const problem = page.getByTestId('param-problem');
    await problem.waitFor();
    assert.match((await problem.textContent()) ?? '', words);
    assert.equal(await sma.getAttribute('aria-invalid'), 'true');
    assert.equal(page.url(), url, `${bad} is not applied`);
    assert.equal(await page.locator('.error[role="alert"]').count(), 0, 'no banner');
  }
  // Fixed: the message goes, the value applies, every indicator is drawn again.
  await sma.fill('30');
  await sma.press('Enter');
  await untilTrue('sma 30 applied', () => query(page).get('indicators') === 'sma:30,rsi:14');
  assert.equal(await page.getByTestId('param-problem').count(), 0);
  await chartWait(page, 'indicator-last', (v) => v !== '' && v !== smaBefore, 'SMA (30) drawn');
  assert.equal(await num(page, 'panes'), 2, 'RSI still drawn');
  // A period longer than the history: taken by the API, and said why nothing is drawn.
  await sma.fill('100000');
  await sma.press('Enter');
  await page.getByTestId('indicator-empty').waitFor();
  assert.match((await page.getByTestId('indicator-empty').textContent()) ?? '', /needs more than the [\d,]+ bars/);

  // Markers carry no text (labels overlapped and were cut); the legend keeps its height under the mouse.
  await chartWait(page, 'markers', (v) => Number(v) > 0, 'signal markers');
  assert.equal(await attr(page, 'marker-texts'), '0');
  const legend = page.getByTestId('legend');
  const chart = page.getByTestId('chart');
  const before = { legend: await legend.boundingBox(), chart: await chart.boundingBox() };
  assert.ok(before.legend && before.chart);
  for (let x = 0.1; x < 0.95; x += 0.05) {
    await page.mouse.move(before.chart.x + before.chart.width * x, before.chart.y + before.chart.height * 0.4);
    const now = { legend: await legend.boundingBox(), chart: await chart.boundingBox() };
    assert.equal(now.legend?.height, before.legend.height, 'legend height');
    assert.equal(now.chart?.y, before.chart.y, 'chart does not move');
  }

  // An interval with no data: a clear empty state, no "– –".
  await page.goto(`${base}/chart/ONLYD?interval=1m&indicators=`);
  await page.getByTestId('chart-empty').waitFor();
  assert.match((await page.getByTestId('chart-empty').textContent()) ?? '', /No 1m candles for ONLYD/);
  assert.equal(await page.getByTestId('chart-price').textContent(), 'no 1m data');
  assert.equal(await page.getByTestId('chart-change').count(), 0);

  // Scrolled to the oldest bar: one probe finds nothing older, a note says so, nothing more is asked.
  const older: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/candles?') && r.url().includes('from=1970')) older.push(r.url());
  });
  await page.locator('fieldset.intervals').getByRole('button', { name: '1d', exact: true }).click();
  await page.getByTestId('no-older').waitFor();
  assert.match((await page.getByTestId('no-older').textContent()) ?? '', /No older data/);
  await chart.hover();
  for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -400);
  await page.getByRole('button', { name: 'All (All data)' }).click();
  await page.getByTestId('no-older').waitFor();
  assert.equal(older.length, 1, `one probe for older data: ${older.join(' ')}`);
}

/** 6. Keyboard: interval keys, arrows move the crosshair, Escape hides it. */
async function keyboard(page: Page, base: string): Promise<void> {
  const [a] = await demoSymbols(base);
  await page.goto(`${base}/chart/${a.symbol}?interval=1h&indicators=sma:3`);
  await settled(page);
  await page.getByTestId('chart').focus();
  await page.keyboard.press('7');
  await untilTrue('key 7 = 1d', () => query(page).get('interval') === '1d');
  await settled(page);
  await page.getByTestId('chart').focus();
  const legend = page.getByTestId('legend');
  const newest = await legend.textContent();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await until('crosshair moved', async () => ((await legend.textContent()) !== newest ? true : null));
  assert.match((await legend.textContent()) ?? '', /SMA \(3\)/);
  await page.keyboard.press('Escape');
  await until('crosshair hidden', async () => ((await legend.textContent()) === newest ? true : null));
}

/** 5. Drawings: each tool, saved for the user and asset, shown on every interval; a line becomes an alert. */
async function drawingsFlow(page: Page, base: string): Promise<void> {
  const [a] = await demoSymbols(base);
  await login(page, base);
  await page.goto(`${base}/chart/${a.symbol}?interval=1h&indicators=`);
  await settled(page);
  const chart = page.getByTestId('chart');
  const box = await chart.boundingBox();
  assert.ok(box);
  const at = (x: number, y: number) => page.mouse.click(box.x + box.width * x, box.y + box.height * y);
  const saved = () => page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().includes('/api/drawings?'));
  const tool = (name: string) => page.getByRole('button', { name, exact: true }).click();
  const drawn = (n: number) => chartWait(page, 'drawings', (v) => v === String(n), `${n} drawings`);

  let put = saved();
  await tool('Horizontal line');
  assert.equal(
    await page.getByRole('button', { name: 'Horizontal line', exact: true }).getAttribute('aria-pressed'),
    'true',
  );
  await at(0.5, 0.3);
  assert.equal((await put).status(), 200);
  await drawn(1);
  put = saved();
  await tool('Trend line');
  await at(0.3, 0.5);
  await at(0.6, 0.35);
  assert.equal((await put).status(), 200);
  put = saved();
  await tool('Rectangle');
  await at(0.4, 0.4);
  await at(0.5, 0.5);
  assert.equal((await put).status(), 200);
  put = saved();
  await page.getByLabel('Text of the note').fill('Support <here>');
  await tool('Text note');
  await at(0.45, 0.6);
  assert.equal((await put).status(), 200);
  await drawn(4);
  const kinds = await page.getByTestId('drawing').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
  assert.deepEqual(kinds, ['hline', 'trend', 'rect', 'text']);
  await page.getByText('Note “Support <here>”', { exact: false }).waitFor();
  // By keyboard: a horizontal line at the close of the bar under the keyboard crosshair.
  put = saved();
  await tool('Horizontal line');
  await chart.focus();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Enter');
  assert.equal((await put).status(), 200);
  await drawn(5);
  await page
    .getByRole('button', { name: /^Delete: Horizontal line/ })
    .last()
    .click();
  await drawn(4);
  // Escape cancels a tool before its first point.
  await tool('Trend line');
  await page.keyboard.press('Escape');
  assert.equal(
    await page.getByRole('button', { name: 'Trend line', exact: true }).getAttribute('aria-pressed'),
    'false',
  );

  // Saved: a reload and another interval show the same four.
  await page.reload();
  await settled(page);
  await drawn(4);
  await page.locator('fieldset.intervals').getByRole('button', { name: '1d', exact: true }).click();
  await settled(page);
  await drawn(4);

  // A horizontal line becomes a price alert in one step.
  await page.getByRole('button', { name: 'Alert me' }).click();
  await page.getByTestId('drawing-message').waitFor();
  const msg = (await page.getByTestId('drawing-message').textContent()) ?? '';
  const m = /Alert set: (\S+) (above|below) ([\d.,]+)/.exec(msg);
  assert.ok(m, msg);
  assert.equal(m[1], a.symbol);
  await page.getByRole('link', { name: 'Watchlists' }).click();
  const field = page.getByLabel(`Alert when ${a.symbol} goes ${m[2]}`, { exact: true });
  await field.waitFor();
  assert.equal(Number(await field.inputValue()).toFixed(2), Number(m[3].replace(/,/g, '')).toFixed(2));

  // Delete one: gone after a reload too.
  await page.goto(`${base}/chart/${a.symbol}?interval=1h&indicators=`);
  await settled(page);
  await drawn(4);
  put = saved();
  await page.getByRole('button', { name: /^Delete: Rectangle/ }).click();
  assert.equal((await put).status(), 200);
  await page.reload();
  await settled(page);
  await drawn(3);
}

/** axe on the chart page (search list open too), and at 375 px nothing scrolls sideways. */
async function accessible(page: Page, base: string, look: Look): Promise<void> {
  await login(page, base);
  const [a] = await demoSymbols(base);
  await page.goto(`${base}/chart/${a.symbol}?interval=1h&indicators=sma:20,rsi:14`);
  await settled(page);
  await assertAccessible(page, `chart, ${look.name}`);
  await page.getByLabel('SMA period').fill('2.5');
  await page.getByTestId('param-problem').waitFor();
  await page.getByTestId('chart').focus();
  await page.keyboard.press('/');
  await page.keyboard.type(a.symbol.slice(0, 1));
  await page.getByRole('listbox', { name: 'Symbols' }).getByRole('option').first().waitFor();
  await assertAccessible(page, `chart with search and a refused parameter, ${look.name}`);
  await page.goto(`${base}/chart/ONLYD?interval=1m&indicators=`);
  await page.getByTestId('chart-empty').waitFor();
  await assertAccessible(page, `empty chart, ${look.name}`);
  if (look.viewport?.width === PHONE.width) {
    const wide = (await page.evaluate('document.documentElement.scrollWidth')) as number;
    assert.ok(wide <= PHONE.width, `the page is ${wide} px wide at 375 px`);
  }
}

onBothBackends('chart workstation in chromium', { prepare: seed }, (app) => {
  const run = (name: string, look: BrowserContextOptions, fn: (p: Page, base: string) => Promise<void>) =>
    app.run(`chart-${name}`, look, fn);
  test('the view is in the URL; back and forward; Markets keeps filter and sort', () =>
    run('url', { viewport: DESKTOP }, urlState));
  test('symbol search by keyboard, add to watchlist (375 px, dark)', () =>
    run('search', { viewport: PHONE, colorScheme: 'dark' }, searchAndWatch));
  test('range presets, go to date, chart types, price scales', () =>
    run('controls', { viewport: DESKTOP }, viewControls));
  test('parameters checked in the form, still legend, unlabelled markers, empty state, no older data', () =>
    run('defects', { viewport: DESKTOP }, defects));
  test('keyboard: interval keys, arrows, Escape', () => run('keys', { viewport: PHONE }, keyboard));
  test('drawings: each tool, saved per user and asset, every interval, a line becomes an alert', () =>
    run('drawings', { viewport: DESKTOP, colorScheme: 'dark' }, drawingsFlow));
  for (const look of LOOKS)
    test(`no WCAG A/AA violation (axe), ${look.name}`, () =>
      run(`axe-${look.name.replace(' ', '-')}`, look, (p, b) => accessible(p, b, look)));
});
