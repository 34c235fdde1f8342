/**
 * Layouts and panes (issue 26), in chromium against a real `tm serve`, on both backends, at 1366×850 and
 * 375×812, light and dark. Layouts: 2 or 4 charts from the URL, one crosshair across them in time (mouse
 * and arrow keys, across intervals), back and forward, saved by a signed-in user and private to them,
 * side by side on a desktop and stacked at 375 px. Panes: an indicator pane resized by dragging its
 * separator and by the keyboard, collapsed and restored, a price pane that keeps its minimum height,
 * fullscreen with Escape to leave. axe-core's WCAG A/AA rules on both pages in all four looks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContextOptions, Locator, Page } from 'playwright-core';
import { createUser } from '../../src/accounts/users.ts';
import type { Database } from '../../src/db/types.ts';
import { seedFullDemo, STARTER_DEMO } from '../../src/demo/seed.ts';
import { assertAccessible } from '../helpers/axe.ts';
import { onBothBackends } from '../helpers/served-app.ts';
import { DESKTOP, type Look, LOOKS, logIn, marketSymbols, PHONE } from '../helpers/looks.ts';
import { until, untilTrue } from '../helpers/wait.ts';

const USER = { username: 'layoutuser', password: 'layout-password-1' };
const OTHER = { username: 'layoutother', password: 'layout-password-2' };
const DAY = 86_400;

async function seed(db: Database): Promise<void> {
  await seedFullDemo(db, { ...STARTER_DEMO, assets: 3, days: 20, analysis: ['1h'] });
  await createUser(db, { ...USER, email: 'layoutuser@example.com' });
  await createUser(db, { ...OTHER, email: 'layoutother@example.com' });
}

const login = (page: Page, base: string, who = USER) => logIn(page, base, who);

const symbols = marketSymbols;

const cells = (page: Page) => page.getByTestId('layout-chart');
/** Every cell has its bars and its chart. */
async function layoutSettled(page: Page, n: number): Promise<void> {
  await untilTrue(`${n} layout charts settled`, async () => {
    const all = await cells(page).all();
    if (all.length !== n) return false;
    for (const c of all)
      if ((await c.getAttribute('data-settled')) !== 'true' || (await c.getAttribute('data-bars')) === '0')
        return false;
    return true;
  });
}
const crosshair = async (c: Locator) => (await c.getAttribute('data-crosshair')) ?? '';
async function hover(page: Page, c: Locator, fx: number): Promise<void> {
  const box = await c.boundingBox();
  assert.ok(box);
  await page.mouse.move(box.x + box.width * fx, box.y + box.height * 0.4);
}

/** 2 and 4 charts from the URL, one crosshair in time (mouse, keys, another interval), back and forward. */
async function layoutFlow(page: Page, base: string): Promise<void> {
  const [a, b] = await symbols(base);
  // No cells in the URL: the first two assets at 1h, written into the URL.
  await page.goto(`${base}/layout`);
  await page.waitForURL((u) => u.searchParams.get('cells') !== null);
  assert.equal(new URL(page.url()).searchParams.get('cells'), `${a}:1h,${b}:1h`);
  await layoutSettled(page, 2);

  await page.goto(`${base}/layout?cells=${a}:1h,${b}:1d`);
  await layoutSettled(page, 2);
  const [c1, c2] = await cells(page).all();
  assert.equal(await c2.getAttribute('data-interval'), '1d');
  // The mouse on the 1h chart: the 1d chart's crosshair is on the day holding that hour.
  for (const fx of [0.3, 0.6]) {
    await hover(page, c1, fx);
    const t1 = Number(await until('crosshair on chart 1', async () => (await crosshair(c1)) || null));
    const t2 = Number(await until('chart 2 follows', async () => (await crosshair(c2)) || null));
    assert.equal(t2, Math.floor(t1 / DAY) * DAY, `1h bar ${t1} → 1d bar ${t2}`);
  }
  // And from the 1d chart: the 1h chart shows the last hour at or before that day's start, or none for a
  // day before its first bar (the daily history is longer than the hourly one).
  const first1 = Number(await c1.getAttribute('data-first'));
  const follows = async (d: number) => {
    if (d < first1) return untilTrue(`no 1h bar for the day ${d}`, async () => (await crosshair(c1)) === '');
    const h = Number(await until(`chart 1 follows day ${d}`, async () => (await crosshair(c1)) || null));
    assert.ok(h <= d && d - h < DAY, `1d bar ${d} → 1h bar ${h}`);
  };
  await hover(page, c2, 0.15);
  await follows(Number(await until('crosshair on chart 2', async () => (await crosshair(c2)) || null)));
  // The arrow keys on the 1d chart start from its newest day, which the 1h chart has.
  await c2.focus();
  await page.keyboard.press('ArrowLeft');
  const day = Number(await until('key crosshair on chart 2', async () => (await crosshair(c2)) || null));
  assert.ok(day >= first1, 'the newest day has 1h bars');
  await follows(day);
  await page.keyboard.press('Escape');
  // Leaving the charts hides every crosshair.
  await page.mouse.move(2, 2);
  await untilTrue('crosshairs hidden', async () => (await crosshair(c1)) === '' && (await crosshair(c2)) === '');

  // Keyboard: arrows on a focused chart move every crosshair; Escape hides them.
  await c1.focus();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  const k1 = Number(await until('key crosshair', async () => (await crosshair(c1)) || null));
  assert.equal(Number(await crosshair(c2)), Math.floor(k1 / DAY) * DAY);
  await page.keyboard.press('Escape');
  await untilTrue('Escape hides them', async () => (await crosshair(c1)) === '' && (await crosshair(c2)) === '');

  // 4 charts; a cell's symbol changed in place; back and forward step through the URL.
  await page.getByRole('button', { name: '4 charts' }).click();
  await layoutSettled(page, 4);
  assert.equal(await page.getByTestId('layout-grid').getAttribute('data-cells'), '4');
  await page.getByLabel('Symbol of chart 3').selectOption(b);
  await page.waitForURL((u) => (u.searchParams.get('cells') ?? '').split(',')[2]?.startsWith(`${b}:`) === true);
  await layoutSettled(page, 4);
  assert.equal(await cells(page).nth(2).getAttribute('data-symbol'), b);
  await page.goBack();
  await layoutSettled(page, 4);
  assert.equal(await cells(page).nth(2).getAttribute('data-symbol'), a);
  await page.goBack();
  await layoutSettled(page, 2);
  await page.goForward();
  await layoutSettled(page, 4);
}

/** Side by side on a desktop, stacked at 375 px, nothing wider than the screen. */
async function arrangement(page: Page, base: string, phone: boolean): Promise<void> {
  const [a, b, c] = await symbols(base);
  await page.goto(`${base}/layout?cells=${a}:1h,${b}:1h,${c}:1d,${a}:1d`);
  await layoutSettled(page, 4);
  const boxes = await Promise.all((await cells(page).all()).map((x) => boxOf(x)));
  if (phone) {
    for (let i = 1; i < 4; i++) {
      assert.ok(boxes[i].y >= boxes[i - 1].y + boxes[i - 1].height, `chart ${i + 1} below chart ${i}`);
      assert.ok(Math.abs(boxes[i].x - boxes[0].x) < 1);
    }
    const wide = (await page.evaluate('document.documentElement.scrollWidth')) as number;
    assert.ok(wide <= PHONE.width, `the page is ${wide} px wide at 375 px`);
  } else {
    assert.ok(Math.abs(boxes[0].y - boxes[1].y) < 1 && boxes[1].x > boxes[0].x + boxes[0].width - 1, 'side by side');
    assert.ok(boxes[2].y >= boxes[0].y + boxes[0].height, 'second row');
  }
}

/** Saved by name, opened again, private to the user (another user lists none), deleted. */
async function savedLayouts(page: Page, base: string): Promise<void> {
  const [a, b] = await symbols(base);
  await page.goto(`${base}/layout?cells=${a}:1d,${b}:4h`);
  await page.getByText('Log in').first().waitFor();
  await login(page, base);
  await page.goto(`${base}/layout?cells=${a}:1d,${b}:4h`);
  await layoutSettled(page, 2);
  await page.getByLabel('Name').fill('Daily pair');
  await page.getByRole('button', { name: 'Save layout' }).click();
  await until('saved', async () => ((await page.getByTestId('layout-message').textContent()) ?? '').includes('Saved'));
  // Another layout in the URL, then the saved one opened from the list.
  await page.goto(`${base}/layout?cells=${b}:1h,${a}:1h`);
  await layoutSettled(page, 2);
  await page.getByLabel('Saved').selectOption('Daily pair');
  await page.getByRole('button', { name: 'Open' }).first().click();
  await page.waitForURL(
    (u) => u.searchParams.get('cells') === `${a}:1d,${b}:4h` && u.searchParams.get('name') === 'Daily pair',
  );
  await layoutSettled(page, 2);
  // Someone else sees none of it.
  await page.getByRole('button', { name: 'Log out' }).click();
  await login(page, base, OTHER);
  await page.goto(`${base}/layout?cells=${a}:1h,${b}:1h`);
  await layoutSettled(page, 2);
  await page.getByRole('button', { name: 'Save layout' }).waitFor();
  assert.equal(await page.getByLabel('Saved').count(), 0, 'another user lists no layouts');
  await page.getByRole('button', { name: 'Log out' }).click();
  await login(page, base);
  await page.goto(`${base}/layout?cells=${a}:1h,${b}:1h`);
  await page.getByLabel('Saved').waitFor();
  await page.getByRole('button', { name: 'Delete' }).click();
  await untilTrue('deleted', async () => (await page.getByLabel('Saved').count()) === 0);
}

const sep = (page: Page, label: string) => page.getByRole('separator', { name: `Resize the ${label} pane` });
const valueNow = async (l: Locator) => Number(await l.getAttribute('aria-valuenow'));
const priceHeight = async (page: Page) =>
  Number(await page.getByTestId('pane-controls').getAttribute('data-price-height'));
/** The price pane's floor (panes.ts: 220 px, or 55 % of a chart shorter than these tests' charts). */
const FLOOR = 220;
async function boxOf(l: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const b = await l.boundingBox();
  assert.ok(b, 'the element is shown');
  return b;
}
async function chartSettled(page: Page): Promise<void> {
  await untilTrue(
    'chart settled',
    async () => (await page.getByTestId('chart').getAttribute('data-settled')) === 'true',
  );
}
async function near(what: string, get: () => Promise<number>, want: number, slack = 3): Promise<number> {
  return until(`${what} ≈ ${want}`, async () => {
    const v = await get();
    return Math.abs(v - want) <= slack ? v : null;
  });
}

/** Indicator panes resized by keys and by dragging, collapsed and expanded, the price pane's floor, full screen. */
async function panesFlow(page: Page, base: string, phone: boolean): Promise<void> {
  const [a] = await symbols(base);
  await page.goto(`${base}/chart/${a}?interval=1h&indicators=sma:20,rsi:14,macd:12:26:9`);
  await chartSettled(page);
  const rsi = sep(page, 'RSI (14)');
  await rsi.waitFor();
  assert.equal(await page.getByRole('separator').count(), 2, 'one separator per indicator pane');
  const h0 = await valueNow(rsi);
  assert.ok(h0 >= 40, `RSI pane ${h0} px`);

  // Keyboard: ↓ shrinks, ↑ grows, End to the minimum, Home to the most the price pane allows.
  await rsi.focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  const h1 = await near('RSI pane after ↓ ↓', () => valueNow(rsi), h0 - 20);
  await page.keyboard.press('ArrowUp');
  await near('RSI pane after ↑', () => valueNow(rsi), h1 + 10);
  await page.keyboard.press('End');
  await near('RSI pane at its minimum', () => valueNow(rsi), 40);
  await page.keyboard.press('Home');
  const max = Number(await rsi.getAttribute('aria-valuemax'));
  await near('RSI pane at its maximum', () => valueNow(rsi), max);
  await untilTrue('the price pane keeps its floor', async () => (await priceHeight(page)) >= FLOOR - 2);

  // Dragging the separator: 40 px up makes the pane 40 px taller.
  await page.keyboard.press('End');
  const start = await near('RSI pane at its minimum', () => valueNow(rsi), 40);
  const box = await boxOf(rsi);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 20, { steps: 3 });
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 40, { steps: 3 });
  await page.mouse.up();
  await near('RSI pane after a 40 px drag', () => valueNow(rsi), start + 40, 4);
  // Far past the top: stopped at the price pane's floor.
  const b2 = await boxOf(rsi);
  await page.mouse.move(b2.x + b2.width / 2, b2.y + b2.height / 2);
  await page.mouse.down();
  await page.mouse.move(b2.x + b2.width / 2, 5, { steps: 4 });
  await page.mouse.up();
  await untilTrue('dragging stops at the floor', async () => (await priceHeight(page)) >= FLOOR - 2);
  await rsi.focus();
  await page.keyboard.press('End');
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowUp');
  const kept = await near('RSI pane', () => valueNow(rsi), 80);

  // Its height survives a change of another indicator (the series are replaced).
  await page.getByLabel('SMA period').fill('30');
  await page.getByLabel('SMA period').press('Enter');
  await page.waitForURL((u) => (u.searchParams.get('indicators') ?? '').startsWith('sma:30'));
  await chartSettled(page);
  await near('RSI pane after the SMA changed', () => valueNow(sep(page, 'RSI (14)')), kept);

  // Collapse to a strip and expand again; the price pane takes the room meanwhile.
  const price0 = await priceHeight(page);
  await page.getByRole('button', { name: 'Collapse the RSI (14) pane' }).click();
  const toggle = page.getByRole('button', { name: 'Expand the RSI (14) pane' });
  await toggle.waitFor();
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  await near('collapsed RSI pane', async () => Number(await toggle.getAttribute('data-height')), 24);
  await untilTrue('the price pane grew', async () => (await priceHeight(page)) > price0 + 30);
  await toggle.click();
  await near('expanded RSI pane', () => valueNow(sep(page, 'RSI (14)')), kept);

  // Many oscillators: the price pane still keeps its floor.
  await page.goto(`${base}/chart/${a}?interval=1h&indicators=rsi:14,macd:12:26:9,stoch:14:3:3,atr:14,obv,cci:20`);
  await chartSettled(page);
  await untilTrue('six separators', async () => (await page.getByRole('separator').count()) === 6);
  await untilTrue('the price pane keeps its floor with six panes', async () => (await priceHeight(page)) >= FLOOR - 2);

  // Full screen (the Fullscreen API on the chart's box); Escape leaves.
  await page.getByRole('button', { name: 'Full screen' }).click();
  const controls = page.getByTestId('pane-controls');
  await untilTrue('full screen', async () => (await controls.getAttribute('data-fullscreen')) === 'true');
  assert.equal(await page.evaluate("document.fullscreenElement?.classList.contains('chart-box') ?? false"), true);
  const full = await boxOf(page.locator('.chart-box'));
  assert.ok(
    full.height >= (phone ? PHONE.height : DESKTOP.height) - 2,
    `the chart fills the screen (${full.height} px)`,
  );
  await page.keyboard.press('Escape');
  await untilTrue('left full screen', async () => (await controls.getAttribute('data-fullscreen')) === 'false');
  assert.equal(await page.evaluate('document.fullscreenElement === null'), true);
}

async function accessible(page: Page, base: string, look: Look): Promise<void> {
  await login(page, base);
  const [a, b, c] = await symbols(base);
  await page.goto(`${base}/layout?cells=${a}:1h,${b}:1d,${c}:1h,${a}:4h`);
  await layoutSettled(page, 4);
  await assertAccessible(page, `layout, ${look.name}`);
  await arrangement(page, base, look.viewport?.width === PHONE.width);
  await page.goto(`${base}/chart/${a}?interval=1h&indicators=sma:20,rsi:14,macd:12:26:9`);
  await chartSettled(page);
  await page.getByRole('separator').first().waitFor();
  await page.getByRole('button', { name: 'Collapse the RSI (14) pane' }).click();
  await page.getByRole('button', { name: 'Expand the RSI (14) pane' }).waitFor();
  await assertAccessible(page, `chart with panes, ${look.name}`);
  if (look.viewport?.width === PHONE.width) {
    const wide = (await page.evaluate('document.documentElement.scrollWidth')) as number;
    assert.ok(wide <= PHONE.width, `the chart page is ${wide} px wide at 375 px`);
  }
}

onBothBackends('layouts and panes in chromium', { prepare: seed }, (app) => {
  const run = (name: string, look: BrowserContextOptions, fn: (p: Page, base: string) => Promise<void>) =>
    app.run(`layout-${name}`, look, fn);
  test('layouts: 2 and 4 charts from the URL, one crosshair in time (mouse, keys, intervals), back and forward', () =>
    run('flow', { viewport: DESKTOP }, layoutFlow));
  test('layouts: saved by name, opened, private to the user, deleted (375 px, dark)', () =>
    run('saved', { viewport: PHONE, colorScheme: 'dark' }, savedLayouts));
  test('panes: resized by keys and dragging, collapsed, the price pane floor, full screen', () =>
    run('panes', { viewport: DESKTOP }, (p, b) => panesFlow(p, b, false)));
  test('panes at 375 px, dark', () =>
    run('panes-375', { viewport: PHONE, colorScheme: 'dark' }, (p, b) => panesFlow(p, b, true)));
  for (const look of LOOKS)
    test(`layouts and panes: no WCAG A/AA violation (axe), the arrangement, ${look.name}`, () =>
      run(`axe-${look.name.replace(' ', '-')}`, look, (p, b) => accessible(p, b, look)));
});
