/**
 * The chart page's tools (issue 26, second part), in chromium against a real `tm serve`, on both
 * backends: a ray and a Fibonacci retracement; drawings selected, dragged (whole and by an end point),
 * deleted and deselected on the chart, and selected and nudged from the list by keyboard.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { createUser } from '../../src/accounts/users.ts';
import type { Database } from '../../src/db/types.ts';
import { seedFullDemo, STARTER_DEMO } from '../../src/demo/seed.ts';
import { assertAccessible } from '../helpers/axe.ts';
import { onBothBackends } from '../helpers/served-app.ts';
import { DESKTOP, type Look, LOOKS, logIn, marketSymbols, PHONE } from '../helpers/looks.ts';
import { until } from '../helpers/wait.ts';

const USER = { username: 'toolsuser', password: 'tools-password-1' };

async function seed(db: Database): Promise<void> {
  await seedFullDemo(db, { ...STARTER_DEMO, assets: 3, days: 20, analysis: ['1h'] });
  await createUser(db, { ...USER, email: 'toolsuser@example.com' });
  // The accessibility runs draw too: a user each, so tests running at once never meet each other's drawings.
  for (const [i] of LOOKS.entries()) await createUser(db, { ...axeUser(i), email: `toolsaxe${i}@example.com` });
}

const axeUser = (i: number) => ({ username: `toolsaxe${i}`, password: 'tools-password-1' });

const attr = async (page: Page, name: string) => page.getByTestId('chart').getAttribute(`data-${name}`);
async function chartWait(page: Page, name: string, ok: (v: string) => boolean, what: string): Promise<string> {
  return until(`chart ${what} (data-${name})`, async () => {
    const v = (await attr(page, name)) ?? '';
    return ok(v) ? v : null;
  });
}
const settled = (page: Page) => chartWait(page, 'settled', (v) => v === 'true', 'settled');

const login = (page: Page, base: string) => logIn(page, base, USER);

const demoSymbols = marketSymbols;

interface Pt {
  t: number;
  price: number;
}
/** Rays and retracements: two points each. */
type Item = { id: string; kind: string; a: Pt; b: Pt };

/** Drawings: ray and Fibonacci; select, drag, delete and deselect on the chart; select and nudge by keyboard. */
async function drawingEdit(page: Page, base: string): Promise<void> {
  const [a] = await demoSymbols(base);
  await login(page, base);
  await page.goto(`${base}/chart/${a}?interval=1h&indicators=`);
  await settled(page);
  const chart = page.getByTestId('chart');
  const box = await chart.boundingBox();
  assert.ok(box);
  const X = (x: number) => box.x + box.width * x;
  const Y = (y: number) => box.y + box.height * y;
  const at = (x: number, y: number) => page.mouse.click(X(x), Y(y));
  /** The next PUT's items. */
  const saved = async () => {
    const r = await page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().includes('/api/drawings?'));
    assert.equal(r.status(), 200);
    return (r.request().postDataJSON() as { items: Item[] }).items;
  };
  const tool = (name: string) => page.getByRole('button', { name, exact: true }).click();
  const drawn = (n: number) => chartWait(page, 'drawings', (v) => v === String(n), `${n} drawings`);
  const selected = (id: string) => chartWait(page, 'selected-drawing', (v) => v === id, `selected "${id}"`);

  let put = saved();
  await tool('Ray');
  await at(0.3, 0.5);
  await at(0.4, 0.45);
  const [ray] = await put;
  assert.equal(ray.kind, 'ray');
  assert.ok(ray.a && ray.b && ray.b.t > ray.a.t && ray.b.price > ray.a.price, JSON.stringify(ray));
  put = saved();
  await tool('Fibonacci retracement');
  await at(0.5, 0.3);
  await at(0.65, 0.6);
  const fib = (await put)[1];
  assert.equal(fib.kind, 'fib');
  await drawn(2);
  assert.ok(fib.a && fib.b);
  // Its levels, labelled: 100 % at the first point, 0 at the second.
  const levels = ((await page.getByTestId('fib-levels').textContent()) ?? '').split(' · ');
  assert.deepEqual(
    levels.map((l) => l.split(' %')[0]),
    ['0', '23.6', '38.2', '50', '61.8', '78.6', '100'],
  );
  const { a: fa, b: fb } = fib;
  levels.forEach((l, i) => {
    const level = [0, 0.236, 0.382, 0.5, 0.618, 0.786, 1][i];
    const shown = Number(l.split(' % ')[1].replace(/,/g, ''));
    const want = fb.price + (fa.price - fb.price) * level;
    assert.ok(Math.abs(shown - want) <= Math.max(0.01, want * 1e-4), `${l}: ${want}`);
  });

  // A click on the ray's first point selects it; a drag moves that point only, and the chart does not pan.
  await at(0.3, 0.5);
  await selected(ray.id);
  const first = await attr(page, 'visible-first');
  put = saved();
  await page.mouse.move(X(0.3), Y(0.5));
  await page.mouse.down();
  await page.mouse.move(X(0.33), Y(0.55), { steps: 4 });
  await page.mouse.move(X(0.35), Y(0.6), { steps: 4 });
  await page.mouse.up();
  const moved = (await put).find((d) => d.id === ray.id);
  assert.ok(moved?.a && moved.b);
  assert.deepEqual(moved.b, ray.b, 'the other end stays');
  assert.ok(moved.a.t > ray.a.t && moved.a.price < ray.a.price, JSON.stringify(moved));
  assert.equal(await attr(page, 'visible-first'), first, 'the chart did not pan');

  // The retracement dragged by its 0 line: both points move by the same time and price.
  put = saved();
  await page.mouse.move(X(0.575), Y(0.6));
  await page.mouse.down();
  await page.mouse.move(X(0.6), Y(0.55), { steps: 4 });
  await page.mouse.move(X(0.625), Y(0.5), { steps: 4 });
  await page.mouse.up();
  const fib2 = (await put).find((d) => d.id === fib.id);
  assert.ok(fib2?.a && fib2.b);
  await selected(fib.id);
  assert.ok(fib2.a.t > fa.t && fib2.a.price > fa.price, JSON.stringify(fib2));
  assert.equal(fib2.b.t - fb.t, fib2.a.t - fa.t);
  assert.ok(Math.abs(fib2.b.price - fb.price - (fib2.a.price - fa.price)) < 1e-6 * fa.price);
  assert.equal(await attr(page, 'visible-first'), first, 'the chart did not pan');

  // Delete removes the selected drawing; Escape deselects; a click on empty chart too.
  put = saved();
  await page.keyboard.press('Delete');
  assert.deepEqual(
    (await put).map((d) => d.kind),
    ['ray'],
  );
  await drawn(1);
  await selected('');
  await at(0.3, 0.45);
  await page.keyboard.press('Escape');
  await at(0.35, 0.6);
  await selected(ray.id);
  await page.keyboard.press('Escape');
  await selected('');
  await at(0.35, 0.6);
  await selected(ray.id);
  await at(0.9, 0.15);
  await selected('');

  // By keyboard from the list: select, then the arrow keys on the nudge buttons.
  await page.getByRole('button', { name: /^Select: Ray/ }).focus();
  await page.keyboard.press('Enter');
  await selected(ray.id);
  assert.equal(await page.getByRole('button', { name: /^Select: Ray/ }).getAttribute('aria-pressed'), 'true');
  put = saved();
  await page.getByRole('button', { name: 'Move one bar later' }).focus();
  await page.keyboard.press('Enter');
  const later = (await put)[0];
  assert.equal(later.a.t, moved.a.t + 3600);
  assert.equal(later.b.t, moved.b.t + 3600);
  put = saved();
  await page.keyboard.press('ArrowUp');
  const up = (await put)[0];
  assert.ok(Math.abs(up.a.price - later.a.price * 1.005) < later.a.price * 1e-6, JSON.stringify(up));
  // Saved: a reload shows it where it was moved.
  const loaded = page.waitForResponse((r) => r.request().method() === 'GET' && r.url().includes('/api/drawings?'));
  await page.reload();
  assert.deepEqual(((await (await loaded).json()) as { items: Item[] }).items, [up]);
  await settled(page);
  await drawn(1);
}

const query = (page: Page) => new URL(page.url()).searchParams;

/** Compare: symbols from the URL and from the search, percent scale, legend entries, removal, back. */
async function compare(page: Page, base: string): Promise<void> {
  const [a, b, c] = await demoSymbols(base);
  await page.goto(`${base}/chart/${a}?interval=1h&indicators=sma:20&compare=${b}`);
  await settled(page);
  const entry = (s: string) => page.locator(`[data-testid="compare-entry"][data-symbol="${s}"]`);
  const loaded = (s: string) =>
    until(`${s} compared`, async () => Number((await entry(s).getAttribute('data-points')) ?? 0) > 0 || null);
  await loaded(b);
  // The legend shows the compared close at the shown bar (the newest: no crosshair), as the API has it.
  const last = Number(await attr(page, 'last'));
  const iso = (sec: number) => new Date(sec * 1000).toISOString();
  const res = await fetch(`${base}/api/candles?symbol=${b}&interval=1h&from=${iso(last)}&to=${iso(last + 3600)}`);
  const close = ((await res.json()) as { candles: { close: number }[] }).candles[0].close;
  const shownClose = await page.evaluate(
    (v) => v.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
    close,
  );
  const legendEntry = page.locator(`[data-testid="legend-compare"][data-symbol="${b}"]`);
  await until(
    'compared close in the legend',
    async () => (await legendEntry.textContent())?.trim() === `${b} ${shownClose}` || null,
  );
  await chartWait(page, 'scale-mode', (v) => v === '2', 'percent scale while comparing');
  assert.equal(await page.getByLabel('Price scale').inputValue(), 'pct');
  assert.equal(await page.getByLabel('Price scale').isDisabled(), true);
  // Another one from the search, by keyboard.
  const box = page.getByRole('combobox', { name: 'Compare with' });
  await box.fill(c);
  await page.getByRole('listbox', { name: 'Compare with: symbols' }).getByRole('option').first().waitFor();
  await box.press('Enter');
  await until('both in the URL', async () => query(page).get('compare') === `${b},${c}` || null);
  await loaded(c);
  assert.deepEqual(
    await page.getByTestId('compare-entry').evaluateAll((els) => els.map((e) => e.getAttribute('data-symbol'))),
    [b, c],
  );
  // At most three; an unknown symbol says why it has no line.
  await page.goto(`${base}/chart/${a}?interval=1h&indicators=&compare=${b},NOSUCH,${c},EXTRA`);
  await settled(page);
  await entry('NOSUCH').locator('.field-problem').waitFor();
  assert.equal(await page.getByTestId('compare-entry').count(), 3);
  assert.equal(await box.count(), 0, 'no search past three');
  // Removed one by one; the scale goes back to the URL's.
  await page.getByRole('button', { name: 'Remove NOSUCH from the comparison' }).click();
  await until('NOSUCH removed', async () => query(page).get('compare') === `${b},${c}` || null);
  await page.getByRole('button', { name: `Remove ${b} from the comparison` }).click();
  await page.getByRole('button', { name: `Remove ${c} from the comparison` }).click();
  await until('no compare in the URL', async () => !query(page).has('compare') || null);
  await chartWait(page, 'scale-mode', (v) => v === '0', 'normal scale again');
  assert.equal(await page.getByLabel('Price scale').inputValue(), 'normal');
  await page.goBack();
  await until('back: one compared', async () => query(page).get('compare') === c || null);
  await loaded(c);
  await chartWait(page, 'scale-mode', (v) => v === '2', 'percent again');
}

/** Export: a PNG of the chart, a CSV of the visible bars with the indicators and compared closes. */
async function exportFlow(page: Page, base: string): Promise<void> {
  const [a, b] = await demoSymbols(base);
  await page.goto(`${base}/chart/${a}?interval=1h&indicators=sma:20,macd:12:26:9&range=1d&compare=${b}`);
  await settled(page);
  await until(`${b} compared`, async () => {
    const n = await page.locator('[data-testid="compare-entry"]').getAttribute('data-points');
    return Number(n ?? 0) > 0 || null;
  });
  const last = Number(await attr(page, 'last'));
  await chartWait(page, 'visible-first', (v) => Number(v) === last - 86_400, 'a day shown');
  const box = await page.getByTestId('chart').boundingBox();
  assert.ok(box);

  let dl = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download PNG' }).click();
  const png = await dl;
  assert.equal(png.suggestedFilename(), `${a}-1h.png`);
  const bytes = readFileSync(await png.path());
  assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
  // IHDR: the chart's size (every pane, the scales).
  assert.ok(Math.abs(bytes.readUInt32BE(16) - box.width) <= 4, `width ${bytes.readUInt32BE(16)} ~ ${box.width}`);
  assert.ok(Math.abs(bytes.readUInt32BE(20) - box.height) <= 4, `height ${bytes.readUInt32BE(20)} ~ ${box.height}`);

  dl = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download CSV' }).click();
  const csv = await dl;
  assert.equal(csv.suggestedFilename(), `${a}-1h.csv`);
  const [head, ...rows] = readFileSync(await csv.path(), 'utf8')
    .trim()
    .split('\n');
  assert.equal(
    head,
    `time,open,high,low,close,volume,SMA (20),"MACD (12, 26, 9) macd","MACD (12, 26, 9) signal","MACD (12, 26, 9) histogram",${b} close`,
  );
  const cells = rows.map((r) => r.split(','));
  // The visible bars: from the first shown to the newest, each the API's candle.
  assert.equal(Date.parse(cells[0][0]) / 1000, last - 86_400);
  assert.equal(Date.parse(cells[cells.length - 1][0]) / 1000, last);
  assert.equal(cells.length, 24 + 1);
  const api = (await (
    await fetch(
      `${base}/api/candles?symbol=${a}&interval=1h&from=${cells[0][0]}&to=${new Date((last + 1) * 1000).toISOString()}`,
    )
  ).json()) as { candles: { ts: string; close: number }[] };
  assert.deepEqual(
    cells.map((c) => [Date.parse(c[0]), Number(c[4])]),
    api.candles.map((c) => [Date.parse(c.ts), Number(c.close)]),
  );
  assert.equal(Number(cells[cells.length - 1][6]), Number(await attr(page, 'indicator-last')), 'SMA as drawn');
  assert.ok(
    cells.every((c) => c.length === 11 && c[10] !== ''),
    `${b}'s close on every row`,
  );
}

/** Indicator style: defaults readable in the dark, a colour and a width in the URL and on the chart. */
async function styleFlow(page: Page, base: string): Promise<void> {
  const [a] = await demoSymbols(base);
  await page.goto(`${base}/chart/${a}?interval=1h&indicators=sma:20,adx:14`);
  await settled(page);
  const styles = async () => ((await attr(page, 'indicator-styles')) ?? '').split(' ');
  assert.deepEqual(await styles(), ['sma.0:#d97706:1', 'adx.0:#0891b2:1', 'adx.1:#16a34a:1', 'adx.2:#dc2626:1']);
  assert.equal(await page.getByTestId('low-contrast').count(), 0, 'every default is readable in the dark');
  await page.getByLabel('SMA colour', { exact: true }).fill('#c026d3');
  await until('colour in the URL', async () => query(page).get('indicators') === 'sma:20:cc026d3,adx:14' || null);
  await page.getByLabel('SMA line width').selectOption('3');
  await until('width in the URL', async () => query(page).get('indicators') === 'sma:20:cc026d3:w3,adx:14' || null);
  await chartWait(page, 'indicator-styles', (v) => v.startsWith('sma.0:#c026d3:3 '), 'SMA restyled');
  // A colour the dark background hides is named.
  await page.getByLabel('ADX adx colour', { exact: true }).fill('#111827');
  await page.getByTestId('low-contrast').filter({ hasText: 'adx 1.' }).waitFor();
  await chartWait(page, 'indicator-styles', (v) => v.includes('adx.0:#111827:1'), 'ADX restyled');
  // Kept by a reload; back undoes the last change.
  await page.reload();
  await settled(page);
  assert.equal(await page.getByLabel('SMA line width').inputValue(), '3');
  assert.equal(await page.getByLabel('SMA colour', { exact: true }).inputValue(), '#c026d3');
  await page.goBack();
  await until('back: ADX default', async () => query(page).get('indicators') === 'sma:20:cc026d3:w3,adx:14' || null);
  await chartWait(page, 'indicator-styles', (v) => v.includes('adx.0:#0891b2:1'), 'ADX default again');
}

/** At 375 px with a touch screen: a horizontal line dragged by touch moves, the chart does not pan. */
async function touchDrag(page: Page, base: string): Promise<void> {
  const [, , c] = await demoSymbols(base);
  await login(page, base);
  await page.goto(`${base}/chart/${c}?interval=1h&indicators=`);
  await settled(page);
  const saved = async () => {
    const r = await page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().includes('/api/drawings?'));
    return (r.request().postDataJSON() as { items: { id: string; price: number }[] }).items;
  };
  let put = saved();
  await page.getByRole('button', { name: 'Horizontal line', exact: true }).click();
  const chart = page.getByTestId('chart');
  await chart.scrollIntoViewIfNeeded();
  const box = await chart.boundingBox();
  assert.ok(box);
  const x = Math.round(box.x + box.width * 0.4);
  const y = Math.round(box.y + box.height * 0.3);
  await page.touchscreen.tap(x, y);
  const [line] = await put;
  const first = await attr(page, 'visible-first');
  const cdp = await page.context().newCDPSession(page);
  const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', ty: number, tx = x) =>
    cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x: tx, y: ty }] });
  put = saved();
  await touch('touchStart', y);
  for (let k = 1; k <= 5; k++) await touch('touchMove', y + 8 * k, x - 10 * k);
  await touch('touchEnd', y + 40);
  const [moved] = await put;
  assert.equal(moved.id, line.id);
  assert.ok(moved.price < line.price, `${moved.price} < ${line.price}`);
  await chartWait(page, 'selected-drawing', (v) => v === line.id, 'selected by touch');
  assert.equal(await attr(page, 'visible-first'), first, 'the chart did not pan');
  put = saved();
  await page.getByRole('button', { name: /^Delete: Horizontal line/ }).click();
  await put;
}

/** axe with the new controls showing: compare, a selected retracement and its nudges, style inputs. */
async function accessible(page: Page, base: string, look: Look, user: typeof USER): Promise<void> {
  const [a, b] = await demoSymbols(base);
  await logIn(page, base, user);
  await page.goto(`${base}/chart/${a}?interval=1h&indicators=sma:20,adx:14&compare=${b}`);
  await settled(page);
  await page.getByRole('button', { name: 'Fibonacci retracement', exact: true }).click();
  // On a phone the chart is above the tools: back into view (boxes are of the viewport).
  await page.getByTestId('chart').scrollIntoViewIfNeeded();
  const box = await page.getByTestId('chart').boundingBox();
  assert.ok(box);
  const put = page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().includes('/api/drawings?'));
  await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await page.mouse.click(box.x + box.width * 0.6, box.y + box.height * 0.5);
  await put;
  await page.getByRole('button', { name: /^Select: Fibonacci/ }).click();
  await page.getByRole('button', { name: 'Move one bar later' }).waitFor();
  await assertAccessible(page, `chart tools, ${look.name}`);
  if (look.viewport?.width === PHONE.width) {
    const wide = (await page.evaluate('document.documentElement.scrollWidth')) as number;
    assert.ok(wide <= PHONE.width, `the page is ${wide} px wide at 375 px`);
  }
  await page.getByRole('button', { name: /^Delete: Fibonacci/ }).click();
}

onBothBackends('chart tools in chromium', { prepare: seed }, (app) => {
  const run = (name: string, look: BrowserContextOptions, fn: (p: Page, base: string) => Promise<void>) =>
    app.run(`chart-tools-${name}`, look, fn);
  test('drawings: ray, Fibonacci; select, drag, delete, deselect on the chart; select and nudge by keyboard', () =>
    run('drawing-edit', { viewport: DESKTOP, colorScheme: 'dark' }, drawingEdit));
  test('compare: from the URL and the search, percent scale, legend, removal, back (375 px)', () =>
    run('compare', { viewport: PHONE }, compare));
  test('export: PNG of the chart, CSV of the visible bars with indicators and compared closes', () =>
    run('export', { viewport: DESKTOP, acceptDownloads: true }, exportFlow));
  test('drawings at 375 px: a line dragged by touch', () =>
    run('touch', { viewport: PHONE, hasTouch: true, isMobile: true }, touchDrag));
  test('indicator style: readable defaults in the dark, colour and width in the URL and drawn', () =>
    run('style', { viewport: DESKTOP, colorScheme: 'dark' }, styleFlow));
  for (const [i, look] of LOOKS.entries())
    test(`no WCAG A/AA violation (axe) with the tools showing, ${look.name}`, () =>
      run(`axe-${look.name.replace(' ', '-')}`, look, (p, b) => accessible(p, b, look, axeUser(i))));
});
