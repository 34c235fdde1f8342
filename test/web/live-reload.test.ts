/**
 * Live equals a reload (issue 30): with the chart, Markets and a watchlist open in chromium, candles
 * and signals change underneath (a correction dated inside the history, a batch of three new 1m
 * candles, a new 1h candle under "change over 1h", a 1m candle of an asset whose watchlist price is
 * daily, a deletion and a signal written with plain SQL). After each, every number the page shows
 * must equal what a fresh load of the same page shows. Also: Markets roll an asset with only 1m
 * candles up to 1h and 1d exactly as the chart's candle API does; a write made before the page's event
 * stream opened shows once it opens. Both backends.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createUser } from '../../src/accounts/users.ts';
import { Migrator } from '../../src/db/migrate/migrator.ts';
import { openEmbedded } from '../../src/db/pglite.ts';
import { openEmbeddedOrShared } from '../../src/db/share/open.ts';
import type { Database } from '../../src/db/types.ts';
import { chromiumSkip, findChromium, type Served, screenshotOnFailure, startServe } from '../helpers/browser.ts';
import { logIn } from '../helpers/looks.ts';
import { serverDb, serverSkip } from '../helpers/db.ts';
import { insertAsset, insertCloses } from '../helpers/market.ts';

const ADMIN = { username: 'liveadmin', password: 'admin-password-1' };
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** The newest 1m candle: a few minutes before the test starts (a whole minute). */
const T0 = Math.floor(Date.now() / MIN) * MIN - 10 * MIN;
const H0 = Math.floor(T0 / HOUR) * HOUR - HOUR;
const D0 = Math.floor(T0 / DAY) * DAY - DAY;
const wave = (n: number, base: number, k: number) =>
  Array.from({ length: n }, (_, i) => Math.round((base + 10 * Math.sin(i / k) + i / 50) * 100) / 100);

/** ACME: 300 1m and 48 1h candles; GLOBX: 30 daily and 60 1m; FINE: 1m only (600, so 10 hours). */
async function seed(db: Database): Promise<void> {
  const acme = await insertAsset(db, 'ACME');
  await insertCloses(db, acme, wave(300, 100, 7), { start: new Date(T0 - 299 * MIN).toISOString() });
  await insertCloses(db, acme, wave(48, 100, 5), {
    start: new Date(H0 - 47 * HOUR).toISOString(),
    interval: '1h',
    stepMs: HOUR,
  });
  const globx = await insertAsset(db, 'GLOBX');
  await insertCloses(db, globx, wave(30, 460, 4), {
    start: new Date(D0 - 29 * DAY).toISOString(),
    interval: '1d',
    stepMs: DAY,
  });
  await insertCloses(db, globx, wave(60, 480, 9), { start: new Date(T0 - 59 * MIN).toISOString() });
  const fine = await insertAsset(db, 'FINE');
  await insertCloses(db, fine, wave(600, 50, 11), { start: new Date(T0 - 599 * MIN).toISOString() });
}

async function token(base: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { access_token: string }).access_token;
}

interface Bar {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

async function postCandles(base: string, auth: string, symbol: string, interval: string, bars: Bar[]): Promise<void> {
  const res = await fetch(`${base}/api/candles`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
    body: JSON.stringify({ interval, symbol, candles: bars.map((b) => ({ ...b, ts: new Date(b.ts).toISOString() })) }),
  });
  assert.equal(res.status, 200, await res.clone().text());
}

const bar = (ts: number, close: number, volume = 777): Bar => ({
  ts,
  open: close - 1,
  high: close + 2,
  low: close - 2,
  close,
  volume,
});

/** Everything the chart page shows as numbers. */
async function chartSnapshot(page: Page): Promise<Record<string, string | null>> {
  const chart = page.getByTestId('chart');
  const attrs = ['bars', 'first', 'last', 'close-sum', 'panes', 'markers', 'indicator-last'];
  const out: Record<string, string | null> = {};
  for (const a of attrs) out[a] = await chart.getAttribute(`data-${a}`);
  out.price = await page.getByTestId('chart-price').textContent();
  out.change = await page.getByTestId('chart-change').textContent();
  out.legend = await page.getByTestId('legend').textContent();
  out.asOf = await page.locator('.chart-head').getByTestId('as-of').textContent();
  out.signals = await page.locator('.side section', { hasText: 'Active signals' }).textContent();
  return out;
}

/** Every cell of every row of a table, by row. */
async function tableSnapshot(page: Page, testId: string): Promise<string[][]> {
  return page
    .getByTestId(testId)
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((r) => [
        r.getAttribute('data-closes') ?? '',
        ...[...r.querySelectorAll('td')].map((td) => {
          const input = td.querySelector('input');
          return input ? input.value : (td.textContent ?? '');
        }),
      ]),
    );
}

async function settledChart(page: Page): Promise<void> {
  await page.locator('[data-testid="chart"][data-settled="true"]').waitFor({ timeout: 30_000 });
}

/**
 * A fresh page of `url` (settled by `ready`) and the open `live` page: waits until the live page shows
 * what the fresh one does, and fails with both when it does not within 20 s.
 */
async function sameAsReload<T>(
  browser: Browser,
  live: Page,
  url: string,
  ready: (p: Page) => Promise<void>,
  snap: (p: Page) => Promise<T>,
  check: (fresh: T) => void,
  interval?: string,
): Promise<void> {
  const fresh = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  if (interval)
    await fresh.addInitScript({ content: `localStorage.setItem('tm.interval', ${JSON.stringify(interval)})` });
  await login(fresh, url);
  await ready(fresh);
  const want = await snap(fresh);
  await fresh.close();
  check(want);
  const end = Date.now() + 20_000;
  let got = await snap(live);
  while (JSON.stringify(got) !== JSON.stringify(want) && Date.now() < end) {
    await live.waitForTimeout(100);
    got = await snap(live);
  }
  assert.deepEqual(got, want, `the live page differs from a reload of ${url}`);
}

async function login(page: Page, url: string): Promise<void> {
  const base = new URL(url).origin;
  await logIn(page, base, ADMIN);
  await page.goto(url);
}

async function chartCases(browser: Browser, base: string, sql: Database): Promise<void> {
  const auth = await token(base);
  const url = `${base}/chart/ACME`;
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript({ content: `localStorage.setItem('tm.interval', '1m')` });
  await login(page, url);
  await settledChart(page);
  const ready = settledChart;
  const same = (what: string, check: (s: Record<string, string | null>) => void) =>
    screenshotOnFailure(page, `live-chart-${what}`, () =>
      sameAsReload(browser, page, url, ready, chartSnapshot, check, '1m'),
    );

  // A correction dated inside the history: the header stays on the newest bar.
  const lastBefore = await page.getByTestId('chart').getAttribute('data-last');
  await postCandles(base, auth, 'ACME', '1m', [bar(T0 - 100 * MIN, 50.5)]);
  await same('old-candle', (s) => assert.equal(s.last, lastBefore, 'the newest bar stays the header'));
  // Scrolling back afterwards works (the "Value is null").
  const box = await page.getByTestId('chart').boundingBox();
  assert.ok(box);
  for (let i = 0; i < 3; i++) {
    await page.mouse.move(box.x + 100, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width - 100, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
  }
  await page.mouse.move(0, 0);
  assert.equal(await page.locator('.error').count(), 0, 'no error banner after scrolling back');

  // A batch of three new 1m candles: all drawn, the last is the header, the SMA extends.
  await postCandles(base, auth, 'ACME', '1m', [bar(T0 + MIN, 111), bar(T0 + 2 * MIN, 112), bar(T0 + 3 * MIN, 113.25)]);
  await same('batch', (s) => {
    assert.equal(s.last, String((T0 + 3 * MIN) / 1000));
    assert.match(s.price ?? '', /113\.25/);
  });

  // A correction of the newest bar.
  await postCandles(base, auth, 'ACME', '1m', [bar(T0 + 3 * MIN, 99.5, 1234)]);
  await same('correction', (s) => assert.match(s.price ?? '', /99\.50/));

  // A deletion with plain SQL: the bar before it is the newest again.
  await sql.query(
    `DELETE FROM candles c USING assets a WHERE a.id = c.asset_id AND a.symbol = 'ACME'
                     AND c."interval" = '1m' AND c.ts = $1`,
    [new Date(T0 + 3 * MIN)],
  );
  await same('deletion', (s) => assert.equal(s.last, String((T0 + 2 * MIN) / 1000)));

  // A new signal with plain SQL: a marker and an active signal.
  await sql.query(
    `INSERT INTO signals (asset_id, ts, signal_type, strength, confidence, price, strategy, timeframe)
     SELECT id, $1, 'buy', 0.8, 0.7, 112, 'live-test', '1m' FROM assets WHERE symbol = 'ACME'`,
    [new Date(T0 + 2 * MIN)],
  );
  await same('signal', (s) => assert.match(s.signals ?? '', /live-test/));
  assert.deepEqual(errors, [], 'no page error');
  await page.close();
}

/**
 * A write between the page's first load and its event stream opening (held here until after the write):
 * no event reaches the page for it, so the stream's first open makes the page refetch what it shows.
 */
async function beforeStreamCase(browser: Browser, base: string): Promise<void> {
  const auth = await token(base);
  const url = `${base}/chart/ACME`;
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.addInitScript({ content: `localStorage.setItem('tm.interval', '1m')` });
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  await page.route('**/api/events**', async (route) => {
    await held;
    // A stream the app aborted meanwhile (the log-in restarts it) has nothing to continue.
    await route.continue().catch(() => undefined);
  });
  await login(page, url);
  await settledChart(page);
  assert.notEqual(await page.getByTestId('live-status').getAttribute('data-state'), 'live');
  await postCandles(base, auth, 'ACME', '1m', [bar(T0 + 5 * MIN, 121.75)]);
  release();
  await page.locator('[data-testid="live-status"][data-state="live"]').waitFor({ timeout: 30_000 });
  await screenshotOnFailure(page, 'live-before-stream', () =>
    sameAsReload(
      browser,
      page,
      url,
      settledChart,
      chartSnapshot,
      (s) => assert.equal(s.last, String((T0 + 5 * MIN) / 1000)),
      '1m',
    ),
  );
  await page.close();
}

async function marketsCases(browser: Browser, base: string): Promise<void> {
  const auth = await token(base);
  const url = `${base}/`;
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(page, url);
  const hourly = async (p: Page) => {
    await p.getByTestId('markets').waitFor();
    await p.getByLabel('Interval of the change', { exact: true }).selectOption('1h');
    await p.locator('[data-testid="markets"][data-interval="1h"]').waitFor();
    await p
      .locator('[data-testid="markets"] tr[data-symbol="FINE"] td.num')
      .first()
      .filter({ hasNotText: '–' })
      .waitFor();
  };
  await hourly(page);
  const markets = (p: Page) => tableSnapshot(p, 'markets');

  // FINE has only 1m candles: its 1h row is the chart's rollup.
  const api = (await (await fetch(`${base}/api/markets?interval=1h&points=5`)).json()) as {
    items: { symbol: string; closes: number[]; last_price: number }[];
  };
  const fine = api.items.find((r) => r.symbol === 'FINE');
  const from = new Date(H0 - 10 * HOUR).toISOString();
  const to = new Date(T0 + HOUR).toISOString();
  const chart = (await (await fetch(`${base}/api/candles?symbol=FINE&interval=1h&from=${from}&to=${to}`)).json()) as {
    candles: { close: number }[];
  };
  assert.deepEqual(
    fine?.closes,
    chart.candles.slice(-5).map((c) => c.close),
  );
  const daily = (await (await fetch(`${base}/api/markets?interval=1d`)).json()) as {
    items: { symbol: string; last_price: number | null }[];
  };
  assert.notEqual(daily.items.find((r) => r.symbol === 'FINE')?.last_price ?? null, null, 'FINE has a 1d price');

  // A new 1h candle of ACME under "change over 1h".
  await postCandles(base, auth, 'ACME', '1h', [bar(H0 + HOUR, 131.5, 5000)]);
  await screenshotOnFailure(page, 'live-markets', () =>
    sameAsReload(browser, page, url, hourly, markets, (rows) =>
      assert.ok(rows.some((r) => r.includes('ACME') && r.some((c) => c.includes('131.50')))),
    ),
  );
  // 1m candles of FINE roll up into its 1h row.
  await postCandles(base, auth, 'FINE', '1m', [bar(T0 + MIN, 77.25)]);
  await screenshotOnFailure(page, 'live-markets-rollup', () =>
    sameAsReload(browser, page, url, hourly, markets, (rows) =>
      assert.ok(rows.some((r) => r.includes('FINE') && r.some((c) => c.includes('77.25')))),
    ),
  );
  await page.close();
}

async function watchlistCases(browser: Browser, base: string): Promise<void> {
  const auth = await token(base);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${auth}` };
  const list = await fetch(`${base}/api/watchlists`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'Live' }),
  });
  assert.equal(list.status, 201, await list.clone().text());
  const listId = ((await list.json()) as { id: string }).id;
  const assets = (await (await fetch(`${base}/api/markets`)).json()) as { items: { id: string; symbol: string }[] };
  for (const symbol of ['GLOBX', 'FINE']) {
    const asset_id = assets.items.find((a) => a.symbol === symbol)?.id;
    const r = await fetch(`${base}/api/watchlists/${listId}/items`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ asset_id }),
    });
    assert.equal(r.status, 201, await r.clone().text());
  }
  const url = `${base}/watchlists`;
  const ready = async (p: Page) => {
    await p.locator('.lists button', { hasText: 'Live' }).click();
    await p.locator('[data-testid="watch-items"][data-settled="true"] tr[data-symbol="FINE"]').waitFor();
  };
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(page, url);
  await ready(page);
  const items = (p: Page) => tableSnapshot(p, 'watch-items');
  const daily = (await items(page)).find((r) => r.includes('GLOBX'));

  // A 1m candle of GLOBX: its watchlist price stays the daily close.
  await postCandles(base, auth, 'GLOBX', '1m', [bar(T0 + MIN, 500)]);
  await screenshotOnFailure(page, 'live-watchlist', () =>
    sameAsReload(browser, page, url, ready, items, (rows) =>
      assert.deepEqual(
        rows.find((r) => r.includes('GLOBX')),
        daily,
        'a 1m candle does not move a daily price',
      ),
    ),
  );
  // FINE has only 1m candles: its daily row is their rollup and moves with them.
  await postCandles(base, auth, 'FINE', '1m', [bar(T0 + 2 * MIN, 66.75)]);
  await screenshotOnFailure(page, 'live-watchlist-fine', () =>
    sameAsReload(browser, page, url, ready, items, (rows) =>
      assert.ok(rows.some((r) => r.includes('FINE') && r.some((c) => c.includes('66.75')))),
    ),
  );
  await page.close();
}

function liveSuite(
  title: string,
  skip: string | undefined,
  start: () => Promise<{ served: Served; sql: () => Promise<Database>; cleanup: () => Promise<void> }>,
): void {
  describe(title, { skip }, () => {
    let browser: Browser;
    let served: Served;
    let sql: Database;
    let cleanup: () => Promise<void>;
    before(async () => {
      const s = await start();
      served = s.served;
      cleanup = s.cleanup;
      sql = await s.sql();
      browser = await chromium.launch({ executablePath: findChromium() ?? undefined, args: ['--no-sandbox'] });
    });
    after(async () => {
      await browser?.close();
      await served?.stop();
      await sql?.close();
      await cleanup?.();
    });

    test('the chart after a correction, a batch, a deletion and a signal equals a reload', () =>
      chartCases(browser, served.url, sql));
    test('Markets on "change over 1h" after new 1h and 1m candles equal a reload; 1m-only assets roll up', () =>
      marketsCases(browser, served.url));
    test('a watchlist after 1m candles equals a reload; daily prices stay daily', () =>
      watchlistCases(browser, served.url));
    test('a candle written before the page event stream opens shows once it opens', () =>
      beforeStreamCase(browser, served.url));
  });
}

liveSuite('live pages equal a reload [embedded]', chromiumSkip, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-web-live-'));
  const db = await openEmbedded({ dataDir: dir });
  await new Migrator(db).upgrade('head');
  await createUser(db, { ...ADMIN, email: 'liveadmin@example.com', is_admin: true });
  await seed(db);
  await db.close();
  const served = await startServe({ TM_DATA_DIR: dir, TM_DEMO: '0' });
  return {
    served,
    // Through tm serve's socket, as any other tm process or psql-like writer would.
    sql: () => openEmbeddedOrShared(dir),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

liveSuite('live pages equal a reload [server]', chromiumSkip ?? serverSkip, async () => {
  const db = await serverDb();
  await createUser(db, { ...ADMIN, email: 'liveadmin@example.com', is_admin: true });
  await seed(db);
  const served = await startServe({ DATABASE_URL: db.url, TM_DEMO: '0' });
  return { served, sql: async () => db, cleanup: async () => undefined };
});
