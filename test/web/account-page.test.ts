/**
 * The account page in chromium against a real `tm serve` (issue 26 item 7), on both backends: display
 * settings applied at once (dark theme, 12 h clock), a read-only API token shown once and revoked, the
 * sessions with this browser marked, a password change that needs the current password; no WCAG A/AA
 * violation (axe-core) in light and dark, desktop and 375 px, and nothing wider than a phone's screen.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createUser } from '../../src/accounts/users.ts';
import { assertAccessible } from '../helpers/axe.ts';
import { screenshotOnFailure } from '../helpers/browser.ts';
import { onBothBackends } from '../helpers/served-app.ts';

/** The page's document as the test sees it (the tests compile without the DOM library). */
type DomLike = { document: { documentElement: { dataset: Record<string, string>; scrollWidth: number } } };
const THEME = () => (globalThis as unknown as DomLike).document.documentElement.dataset.theme;

const USER = { username: 'settings_user', email: 'settings@example.com', password: 'first-password-1' };

async function logIn(page: Page, base: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('Username', { exact: true }).fill(USER.username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('username').waitFor();
}

async function accountFlow(browser: Browser, base: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 850 }, colorScheme: 'light' });
  await screenshotOnFailure(page, 'account', async () => {
    await logIn(page, base, USER.password);
    await page.getByTestId('username').click();
    await page.waitForURL(`${base}/account`);
    await page.getByRole('heading', { name: 'Display' }).waitFor();
    await assertAccessible(page, 'account page, light, desktop');

    // Display settings: applied at once and kept by the account.
    await page.getByLabel('Theme').selectOption('dark');
    await page.getByLabel('Clock').selectOption('12h');
    await page.getByRole('button', { name: 'Save display settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    assert.equal(await page.evaluate(THEME), 'dark');
    const signedIn = await page.getByTestId('sessions').locator('tbody tr').first().locator('td').nth(1).textContent();
    assert.match(signedIn ?? '', /\d{1,2}:\d{2}\s?(AM|PM)/, 'times in the 12-hour clock');
    await assertAccessible(page, 'account page, dark theme, desktop');

    // Sessions: this browser is marked and cannot sign itself out from the list.
    const mine = page.getByTestId('sessions').locator('tr', { hasText: '(this browser)' });
    assert.equal(await mine.count(), 1);
    assert.equal(await mine.getByRole('button', { name: 'Sign out' }).count(), 0);

    // An API token: shown once, listed without its secret, revoked.
    await page.getByLabel('Token name').fill('grafana');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByTestId('token').textContent()) ?? '';
    assert.match(token, /^tmk_/);
    const me = await fetch(`${base}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { username: string }).username, USER.username);
    await page.getByRole('button', { name: 'Done' }).click();
    assert.equal(await page.getByTestId('token').count(), 0, 'the token is not shown again');
    await page.getByRole('button', { name: 'Revoke grafana' }).click();
    await page.getByText('No API tokens yet.').waitFor();
    assert.equal((await fetch(`${base}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status, 401);

    // Password: the wrong current one is refused in words; the right one changes it.
    await page.locator('input[name="current_password"]').nth(1).fill('not my password');
    await page.getByLabel('New password').fill('second-password-2');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').filter({ hasText: 'not the password of this account' }).waitFor();
    await page.locator('input[name="current_password"]').nth(1).fill(USER.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText(/Password changed; \d+ other sessions? (was|were) signed out/).waitFor();
  });
  await page.close();

  // A phone, in the new password and the theme the account keeps.
  const phone = await browser.newPage({ viewport: { width: 375, height: 812 }, colorScheme: 'light' });
  await screenshotOnFailure(phone, 'account-375', async () => {
    await logIn(phone, base, 'second-password-2');
    await phone.goto(`${base}/account`);
    await phone.getByRole('heading', { name: 'API tokens' }).waitFor();
    await phone.waitForFunction(
      () => (globalThis as unknown as DomLike).document.documentElement.dataset.theme === 'dark',
    );
    const width = await phone.evaluate(() => (globalThis as unknown as DomLike).document.documentElement.scrollWidth);
    assert.ok(width <= 375, `the page is ${width} px wide at 375 px`);
    await assertAccessible(phone, 'account page, dark theme, 375 px');
  });
  await phone.close();
}

onBothBackends('account page in chromium', { prepare: (db) => createUser(db, USER) }, (app) => {
  test('display settings, API tokens, sessions and password; accessible in both themes and on a phone', () =>
    accountFlow(app.browser, app.url));
});
