/**
 * An accessibility check of the page as it is now: axe-core (WCAG 2.0/2.1 A and AA rules) injected into
 * the page; every violation is listed with the elements it found, so a failure says what to fix.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let source: string | null = null;

/** The page's globals as the test sees them (the tests compile without the DOM library). */
type AxeWindow = { axe?: { run: (context: unknown, options: object) => Promise<AxeResult> }; document: unknown };

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
}

export async function assertAccessible(page: Page, what: string): Promise<void> {
  // Evaluated through the DevTools protocol: the app's CSP (script-src 'self') refuses injected script tags.
  if (!(await page.evaluate(() => 'axe' in globalThis))) {
    source ??= readFileSync(AXE, 'utf8');
    await page.evaluate(source);
  }
  const result = await page.evaluate(() => {
    const w = globalThis as unknown as AxeWindow;
    if (!w.axe) throw new Error('axe-core did not load');
    return w.axe.run(w.document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  const lines = result.violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 5)
        .join(', ')}`,
  );
  assert.deepEqual(lines, [], `${what}: accessibility violations`);
}
