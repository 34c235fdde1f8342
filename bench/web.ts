/**
 * npm run bench:web -- [--assets 500] [--candles 5000] [--runs 5]
 * The web app in Debian's chromium, timed with the Performance API against a real `tm serve` (embedded):
 * production JavaScript gzipped; the chart page with `candles` 1m candles and two indicators (SMA, RSI)
 * until both are on the chart (mark tm:chart-ready); the markets page with `assets` assets until its table
 * is rendered (mark tm:markets-ready). Times are from navigation start, median of `runs` fresh pages.
 * Figures and chart: docs/bench/web.{json,svg} (--out DIR elsewhere).
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { Migrator } from '../src/db/migrate/migrator.ts';
import { openEmbedded } from '../src/db/pglite.ts';
import { findChromium, startServe } from '../test/helpers/browser.ts';
import { arg, machine, percentile, printTable } from './common.ts';
import { writeReport } from './report.ts';

const assets = arg('assets', 500);
const candles = arg('candles', 5000);
const runs = arg('runs', 5);

function bundleSizes(): { file: string; bytes: number; gzip: number }[] {
  const dir = path.resolve('web/dist/assets');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => {
      const buf = readFileSync(path.join(dir, f));
      return { file: f, bytes: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
    });
}

async function seed(dataDir: string): Promise<void> {
  const db = await openEmbedded({ dataDir });
  await new Migrator(db).upgrade('head');
  await db.query(
    `INSERT INTO assets (symbol, name, asset_type, exchange)
     SELECT 'B' || lpad(g::text, 4, '0'), 'Bench asset ' || g, (ARRAY['stock','crypto','etf','forex'])[1 + g % 4]::asset_type, 'BENCH'
     FROM generate_series(1, $1) g`,
    [assets],
  );
  // 30 daily candles per asset for the markets page, and `candles` 1m candles for the first asset.
  await db.query(
    `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume)
     SELECT a.id, date_trunc('day', now()) - (d || ' days')::interval, '1d', p, p * 1.01, p * 0.99, p * (1 + 0.01 * sin(d)), 1000 + d
     FROM assets a, generate_series(1, 30) d, LATERAL (SELECT 100 + 10 * sin(d / 5.0) AS p) x`,
  );
  await db.query(
    `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume)
     SELECT (SELECT id FROM assets ORDER BY symbol LIMIT 1), date_trunc('minute', now()) - (m || ' minutes')::interval, '1m',
            p, p + 0.3, p - 0.3, p + 0.1 * sin(m), 50 + m % 17
     FROM generate_series(1, $1) m, LATERAL (SELECT 100 + 5 * sin(m / 50.0) + 0.01 * m AS p) x`,
    [candles],
  );
  await db.close();
}

async function timeMark(browser: Browser, url: string, mark: string, init: Record<string, string>): Promise<number> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await ctx.addInitScript((entries: Record<string, string>) => {
    // Runs in the page (DOM types are not in this tsconfig).
    const store = (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage;
    for (const [k, v] of Object.entries(entries)) store.setItem(k, v);
  }, init);
  const page = await ctx.newPage();
  await page.goto(url);
  const handle = await page.waitForFunction((name: string) => performance.getEntriesByName(name)[0]?.startTime, mark, {
    timeout: 30_000,
    polling: 50,
  });
  const ms = Number(await handle.jsonValue());
  if (process.env.TM_BENCH_TRACE) {
    const trace = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map(
          (e) =>
            `${e.name.replace(/^https?:\/\/[^/]+/, '').slice(0, 60)} ${e.startTime.toFixed(0)}-${(e as unknown as { responseEnd: number }).responseEnd.toFixed(0)}`,
        ),
    );
    console.log(`${mark} at ${ms.toFixed(0)} ms\n  ${trace.join('\n  ')}`);
  }
  await ctx.close();
  return ms;
}

const exe = findChromium();
if (!exe) throw new Error('no chromium found (apt-get install chromium)');
const sizes = bundleSizes();
const total = sizes.reduce((n, s) => n + s.gzip, 0);
console.log(`machine: ${machine()}; chromium: ${exe}`);
printTable(
  sizes.map((s) => ({ file: s.file, kB: (s.bytes / 1024).toFixed(1), 'gzip kB': (s.gzip / 1024).toFixed(1) })),
);
console.log(`production JavaScript: ${(total / 1024).toFixed(1)} kB gzipped in total (goal <= 250 kB)`);

const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-bench-web-'));
await seed(dir);
const served = await startServe({ TM_DATA_DIR: dir, TM_DEMO: '0' });
const browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox'] });
try {
  const chart: number[] = [];
  const markets: number[] = [];
  const init = {
    'tm.interval': '1m',
    'tm.indicators.guest': JSON.stringify([
      { id: 1, type: 'sma', params: { period: 20 } },
      { id: 2, type: 'rsi', params: { period: 14 } },
    ]),
  };
  // One warm-up each (first compile of the server's queries), not counted.
  await timeMark(browser, `${served.url}/chart/B0001`, 'tm:chart-ready', init);
  await timeMark(browser, `${served.url}/`, 'tm:markets-ready', {});
  for (let i = 0; i < runs; i++) {
    chart.push(await timeMark(browser, `${served.url}/chart/B0001`, 'tm:chart-ready', init));
    markets.push(await timeMark(browser, `${served.url}/`, 'tm:markets-ready', {}));
  }
  const row = (name: string, xs: number[], goal: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return {
      page: name,
      runs: s.length,
      'p50 ms': percentile(s, 50).toFixed(0),
      'max ms': s[s.length - 1].toFixed(0),
      'goal ms': goal,
    };
  };
  const rows = [
    row(`chart: ${candles} 1m candles + SMA + RSI`, chart, 500),
    row(`markets: ${assets} assets`, markets, 1000),
  ];
  printTable(rows);
  writeReport({
    name: 'web',
    title: 'Web app pages until rendered (chromium, embedded tm serve)',
    unit: 'ms from navigation start',
    better: 'lower',
    groups: rows.map((r) => ({
      label: r.page.replace(/:.*/, ''),
      bars: [
        { series: 'p50', value: Number(r['p50 ms']) },
        { series: 'goal', value: r['goal ms'] },
      ],
    })),
    details: { assets, candles, runs, gzipKB: total / 1024, sizes, rows },
  });
} finally {
  await browser.close();
  await served.stop();
  rmSync(dir, { recursive: true, force: true });
}
