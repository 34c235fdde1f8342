/** What the browser tests share: the four looks (desktop and phone, light and dark), logging in, the demo's symbols. */
import type { BrowserContextOptions, Page } from 'playwright-core';

export const DESKTOP = { width: 1366, height: 850 };
export const PHONE = { width: 375, height: 812 };

export type Look = BrowserContextOptions & { name: string };
export const LOOKS: Look[] = [
  { name: 'desktop light', viewport: DESKTOP, colorScheme: 'light' },
  { name: 'desktop dark', viewport: DESKTOP, colorScheme: 'dark' },
  { name: '375 light', viewport: PHONE, colorScheme: 'light' },
  { name: '375 dark', viewport: PHONE, colorScheme: 'dark' },
];

/** Logs in on the login page and waits for the header to name the user. */
export async function logIn(page: Page, base: string, who: { username: string; password: string }): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('Username', { exact: true }).fill(who.username);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('username').waitFor();
  // The login page shows the user, then goes on to the page it came from: a click before that navigation
  // would be undone by it (a flake seen on a loaded machine).
  await page.waitForURL((u) => u.pathname !== '/login');
}

/**
 * Clicks a link and waits until the page is at `pathname`. Twice in many full runs on a loaded machine the
 * first click after logging in was lost (the page stayed where it was); the click is then made once more,
 * so a lost click fails only if it happens twice.
 */
export async function followLink(page: Page, name: string, pathname: string): Promise<void> {
  const at = (u: URL) => u.pathname === pathname;
  for (let attempt = 1; ; attempt++) {
    await page.getByRole('link', { name, exact: true }).click();
    try {
      await page.waitForURL(at, { timeout: attempt === 1 ? 5_000 : 30_000 });
      return;
    } catch (err) {
      if (attempt === 2) throw err;
    }
  }
}

/** The symbols Markets lists, in its order. */
export async function marketSymbols(base: string): Promise<string[]> {
  const r = (await (await fetch(`${base}/api/markets`)).json()) as { items: { symbol: string }[] };
  return r.items.map((i) => i.symbol);
}
