/**
 * Browser tests: Debian's chromium driven by playwright-core (pinned to the release whose bundled
 * Chromium is closest to Debian's, so nothing is downloaded), against a real `tm serve` child process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The chromium executable, or null (then browser tests skip and say why). */
export function findChromium(): string | null {
  const candidates = [process.env.TM_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((c) => c && existsSync(c)) ?? null;
}

export const chromiumSkip: string | undefined = findChromium()
  ? existsSync(path.join(ROOT, 'web/dist/index.html'))
    ? undefined
    : 'web/dist is not built: run `npm run build:web` (npm ci does it)'
  : 'no chromium found (apt-get install chromium, or set TM_CHROMIUM): browser tests skipped';

export interface Served {
  url: string;
  log: () => string;
  stop(): Promise<void>;
}

/** Starts `tm serve` on a free port with the given environment; resolves once it listens. */
export async function startServe(env: Record<string, string>): Promise<Served> {
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'bin/tm.js'), 'serve', '--port', '0'], {
    cwd: ROOT,
    // No simulated demo feed: its candles would move the pages under the assertions (a test may turn it on).
    env: { ...process.env, TM_LOG: '0', TM_EVENTS_POLL_MS: '250', TM_DEMO_FEED: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tm serve did not start in 120 s:\n${out}`)), 120_000);
    child.stderr?.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tm serve exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    log: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Keeps a screenshot of the page when `fn` fails, and says where. */
export async function screenshotOnFailure<T>(page: Page, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const dir = path.join(ROOT, 'test-results');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name}-${Date.now()}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    console.log(`# screenshot of the failure: ${file}`);
    throw err;
  }
}

export type StartServed = () => Promise<{ served: Served; cleanup: () => Promise<void> }>;

/** One served app and one chromium for the tests of a describe block (its before and after hooks). */
export interface ServedBrowser {
  readonly browser: Browser;
  readonly served: Served;
  readonly url: string;
  /** `fn` on a new page in a fresh context of that look; a screenshot named `name` if it fails. */
  run(name: string, look: BrowserContextOptions, fn: (page: Page, base: string) => Promise<void>): Promise<void>;
}

/** Call inside `describe`: starts the app and the browser before its tests and stops both after. */
export function servedBrowser(start: StartServed): ServedBrowser {
  let browser: Browser | undefined;
  let served: Served | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  before(async () => {
    ({ served, cleanup } = await start());
    browser = await chromium.launch({ executablePath: findChromium() ?? undefined, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await served?.stop();
    await cleanup?.();
  });
  const started = <T>(x: T | undefined): T => {
    if (x === undefined) throw new Error('the app is not started: use servedBrowser inside describe');
    return x;
  };
  const app: ServedBrowser = {
    get browser() {
      return started(browser);
    },
    get served() {
      return started(served);
    },
    get url() {
      return started(served).url;
    },
    async run(name, look, fn) {
      const ctx = await app.browser.newContext(look);
      const page = await ctx.newPage();
      try {
        await screenshotOnFailure(page, name, () => fn(page, app.url));
      } finally {
        await ctx.close();
      }
    },
  };
  return app;
}
